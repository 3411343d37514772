//! Sprig's list functions. Like Sprig they accept any slice and return `[]interface{}`.

use std::borrow::Cow;

use super::support::{
    arg, deep_equal, fixed, int_arg, is_empty, kind_of, nil_deref, slice_items, slice_or_error, to_int64, variadic,
};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::{List, Value};

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    let mut funcs = vec![
        variadic("list", &[P::Any], |a| Ok(Value::list(a.to_vec()))),
        variadic("tuple", &[P::Any], |a| Ok(Value::list(a.to_vec()))),
        variadic("concat", &[P::Any], concat),
    ];
    // Sprig registers each of these twice: the plain name panics and the `must` name returns the
    // error; in a template both surface as the same execution error.
    let pairs: [(&'static str, &'static str, &'static [P], bool, crate::template::funcs::NativeFn); 14] = [
        ("append", "mustAppend", &[P::Any, P::Any], false, push),
        ("push", "mustPush", &[P::Any, P::Any], false, push),
        ("prepend", "mustPrepend", &[P::Any, P::Any], false, prepend),
        ("first", "mustFirst", &[P::Any], false, first),
        ("last", "mustLast", &[P::Any], false, last),
        ("rest", "mustRest", &[P::Any], false, rest),
        ("initial", "mustInitial", &[P::Any], false, initial),
        ("reverse", "mustReverse", &[P::Any], false, reverse),
        ("uniq", "mustUniq", &[P::Any], false, uniq),
        ("compact", "mustCompact", &[P::Any], false, compact),
        ("without", "mustWithout", &[P::Any, P::Any], true, without),
        ("has", "mustHas", &[P::Any, P::Any], false, has),
        ("slice", "mustSlice", &[P::Any, P::Any], true, slice),
        ("chunk", "mustChunk", &[P::Int, P::Any], false, chunk),
    ];
    for (plain, must, params, is_variadic, call) in pairs {
        for name in [plain, must] {
            funcs.push(if is_variadic { variadic(name, params, call) } else { fixed(name, params, call) });
        }
    }
    funcs
}

fn push(a: &[Value]) -> Result<Value, FuncError> {
    let items = slice_or_error(arg(a, 0), "push")?;
    let mut out = Vec::with_capacity(items.len() + 1);
    out.extend_from_slice(&items);
    out.push(arg(a, 1).clone());
    Ok(Value::list(out))
}

fn prepend(a: &[Value]) -> Result<Value, FuncError> {
    let items = slice_or_error(arg(a, 0), "prepend")?;
    let mut out = Vec::with_capacity(items.len() + 1);
    out.push(arg(a, 1).clone());
    out.extend_from_slice(&items);
    Ok(Value::list(out))
}

fn first(a: &[Value]) -> Result<Value, FuncError> {
    Ok(slice_or_error(arg(a, 0), "find first")?.first().cloned().unwrap_or(Value::Nil))
}

fn last(a: &[Value]) -> Result<Value, FuncError> {
    Ok(slice_or_error(arg(a, 0), "find last")?.last().cloned().unwrap_or(Value::Nil))
}

fn rest(a: &[Value]) -> Result<Value, FuncError> {
    let items = slice_or_error(arg(a, 0), "find rest")?;
    Ok(Value::list(items.get(1..).map(<[Value]>::to_vec).unwrap_or_default()))
}

fn initial(a: &[Value]) -> Result<Value, FuncError> {
    let items = slice_or_error(arg(a, 0), "find initial")?;
    let keep = items.len().saturating_sub(1);
    Ok(Value::list(items[..keep].to_vec()))
}

fn reverse(a: &[Value]) -> Result<Value, FuncError> {
    let items = slice_or_error(arg(a, 0), "find reverse")?;
    Ok(Value::list(items.iter().rev().cloned().collect()))
}

fn uniq(a: &[Value]) -> Result<Value, FuncError> {
    let items = slice_or_error(arg(a, 0), "find uniq")?;
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items.iter() {
        if !out.iter().any(|seen| deep_equal(item, seen)) {
            out.push(item.clone());
        }
    }
    Ok(Value::list(out))
}

fn compact(a: &[Value]) -> Result<Value, FuncError> {
    let items = slice_or_error(arg(a, 0), "compact")?;
    Ok(Value::list(items.iter().filter(|v| !is_empty(v)).cloned().collect()))
}

fn without(a: &[Value]) -> Result<Value, FuncError> {
    let items = slice_or_error(arg(a, 0), "find without")?;
    let omit = a.get(1..).unwrap_or_default();
    Ok(Value::list(items.iter().filter(|v| !omit.iter().any(|o| deep_equal(v, o))).cloned().collect()))
}

fn has(a: &[Value]) -> Result<Value, FuncError> {
    let (needle, haystack) = (arg(a, 0), arg(a, 1));
    if haystack.is_nil() {
        return Ok(Value::Bool(false));
    }
    let items = slice_or_error(haystack, "find has")?;
    Ok(Value::Bool(items.iter().any(|v| deep_equal(needle, v))))
}

fn slice(a: &[Value]) -> Result<Value, FuncError> {
    let list = arg(a, 0);
    if list.is_nil() {
        return Err(nil_deref());
    }
    let Some(items) = slice_items(list) else {
        return Err(FuncError::new(format!("list should be type of slice or array but {}", kind_of(list))));
    };
    if items.is_empty() {
        return Ok(Value::Nil);
    }
    let len = items.len() as i64;
    let start = a.get(1).map_or(0, to_int64);
    let end = a.get(2).map_or(len, to_int64);
    if start < 0 || end < start || end > len {
        return Err(FuncError::new("reflect.Value.Slice: slice index out of bounds"));
    }
    let part = &items[start as usize..end as usize];
    Ok(match list {
        Value::Bytes(_) => Value::Bytes(part.iter().map(|v| to_int64(v) as u8).collect::<Vec<u8>>().into()),
        // reflect's Slice keeps a named slice type (`chartutil.VersionSet`).
        Value::List(l) => Value::List(List::typed(part.to_vec(), l.list_type())),
        _ => Value::list(part.to_vec()),
    })
}

fn chunk(a: &[Value]) -> Result<Value, FuncError> {
    let size = int_arg(a, 0)?;
    let items = match arg(a, 1) {
        Value::Nil => return Err(nil_deref()),
        other => slice_items(other).ok_or_else(|| FuncError::new(format!("Cannot chunk type {}", kind_of(other))))?,
    };
    if items.is_empty() {
        return Ok(Value::list(Vec::new()));
    }
    if size <= 0 {
        return Err(FuncError::new("runtime error: makeslice: len out of range"));
    }
    Ok(Value::list(items.chunks(size as usize).map(|c| Value::list(c.to_vec())).collect()))
}

fn concat(a: &[Value]) -> Result<Value, FuncError> {
    let mut out = Vec::new();
    for list in a {
        if list.is_nil() {
            return Err(nil_deref());
        }
        let items: Cow<'_, [Value]> =
            slice_items(list).ok_or_else(|| FuncError::new(format!("Cannot concat type {} as list", kind_of(list))))?;
        out.extend_from_slice(&items);
    }
    Ok(Value::list(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_support::call;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn abc() -> Value {
        Value::list(vec![s("b"), s("a"), s("c")])
    }

    #[test]
    fn results_observed_in_helm() {
        let int_list = |v: &[i64]| Value::list(v.iter().map(|i| Value::Int(*i)).collect());
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("first", vec![abc()], "b"),
            ("last", vec![abc()], "c"),
            ("rest", vec![abc()], "[a c]"),
            ("initial", vec![abc()], "[b a]"),
            ("rest", vec![Value::list(vec![])], "[]"),
            ("first", vec![Value::list(vec![])], "<nil>"),
            ("has", vec![s("a"), abc()], "true"),
            ("has", vec![Value::Int(1), Value::Nil], "false"),
            ("without", vec![abc(), s("a")], "[b c]"),
            ("uniq", vec![Value::list(vec![Value::Int(1), Value::Int(1), Value::Int(2), s("a"), s("a")])], "[1 2 a]"),
            ("uniq", vec![Value::list(vec![Value::Int(1), Value::Float(1.0), s("1")])], "[1 1 1]"),
            ("compact", vec![Value::list(vec![Value::Int(1), Value::Int(0), s(""), s("a"), Value::Nil])], "[1 a]"),
            ("reverse", vec![abc()], "[c a b]"),
            ("concat", vec![int_list(&[1]), int_list(&[2, 3])], "[1 2 3]"),
            ("chunk", vec![Value::Int(2), int_list(&[1, 2, 3, 4, 5])], "[[1 2] [3 4] [5]]"),
            ("slice", vec![int_list(&[1, 2, 3, 4]), Value::Int(1), Value::Int(3)], "[2 3]"),
            ("slice", vec![int_list(&[1, 2, 3]), Value::Int(1)], "[2 3]"),
            ("slice", vec![Value::list(vec![])], "<nil>"),
            ("append", vec![abc(), s("d")], "[b a c d]"),
            ("prepend", vec![abc(), s("z")], "[z b a c]"),
            ("tuple", vec![Value::Int(1), s("a")], "[1 a]"),
            (
                "uniq",
                vec![Value::list(vec![
                    Value::map([("a".to_string(), Value::Int(1))].into()),
                    Value::map([("a".to_string(), Value::Int(1))].into()),
                ])],
                "[map[a:1]]",
            ),
            ("chunk", vec![Value::Int(3), Value::list(vec![])], "[]"),
            ("concat", vec![], "[]"),
        ];
        for (name, args, want) in cases {
            let got = call(name, &args).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.format_v(), want, "{name} {args:?}");
        }
    }

    #[test]
    fn errors_name_the_go_kind() {
        assert_eq!(call("first", &[s("x")]).unwrap_err().0, "Cannot find first on type string");
        assert_eq!(call("append", &[Value::map(Default::default()), s("x")]).unwrap_err().0, "Cannot push on type map");
        assert_eq!(call("mustLast", &[Value::Int(1)]).unwrap_err().0, "Cannot find last on type int");
        assert_eq!(
            call("first", &[Value::Nil]).unwrap_err().0,
            "runtime error: invalid memory address or nil pointer dereference"
        );
        assert_eq!(call("concat", &[s("x")]).unwrap_err().0, "Cannot concat type string as list");
        assert_eq!(
            call("slice", &[Value::list(vec![Value::Int(1)]), Value::Int(0), Value::Int(5)]).unwrap_err().0,
            "reflect.Value.Slice: slice index out of bounds"
        );
    }
}
