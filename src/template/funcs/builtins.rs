//! Go's text/template builtins that are plain functions (len, index, slice, print, printf, eq, lt, html, js, urlquery, ...).
//!
//! `and`, `or` and `call` need the evaluator (short-circuit, node names) and live there.

use std::cmp::Ordering;
use std::fmt::Write as _;

use super::{FuncError, Function, NativeFn, ParamType};
use crate::template::fmt as gofmt;
use crate::template::lex::is_go_printable;
use crate::value::{List, Value};

pub fn functions() -> Vec<Function> {
    use ParamType::*;
    vec![
        Function { name: "eq", params: &[Any, Any], variadic: true, call: eq },
        Function { name: "ne", params: &[Any, Any], variadic: false, call: ne },
        Function { name: "lt", params: &[Any, Any], variadic: false, call: lt },
        Function { name: "le", params: &[Any, Any], variadic: false, call: le },
        Function { name: "gt", params: &[Any, Any], variadic: false, call: gt },
        Function { name: "ge", params: &[Any, Any], variadic: false, call: ge },
        Function { name: "not", params: &[Any], variadic: false, call: not },
        Function { name: "len", params: &[Any], variadic: false, call: len },
        Function { name: "index", params: &[Any, Any], variadic: true, call: index },
        Function { name: "slice", params: &[Any, Any], variadic: true, call: slice },
        Function { name: "print", params: &[Any], variadic: true, call: print },
        Function { name: "println", params: &[Any], variadic: true, call: println },
        Function { name: "printf", params: &[String, Any], variadic: true, call: printf },
        Function { name: "html", params: &[Any], variadic: true, call: html },
        Function { name: "js", params: &[Any], variadic: true, call: js },
        Function { name: "urlquery", params: &[Any], variadic: true, call: urlquery },
    ]
}

/// Go's comparison classes of basic kinds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Bool,
    Int,
    Float,
    String,
    /// nil, slices, maps, objects.
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) | Value::BinaryString(_) => Kind::String,
        _ => Kind::Other,
    }
}

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

fn bad_comparison() -> FuncError {
    FuncError::new("incompatible types for comparison")
}

/// Go 1.25's text of the same error (Helm 4), naming the two types.
fn bad_comparison_of(a: &Value, b: &Value) -> FuncError {
    FuncError::new(format!("incompatible types for comparison: {} and {}", a.type_name(), b.type_name()))
}

/// Helm 4's comparison functions (Go 1.25's `text/template`): the same results, but an
/// `incompatible types` error names the two types.
pub fn helm4_functions() -> Vec<Function> {
    /// Runs a Go 1.23 comparison; its `incompatible types` error gets the types of the pair
    /// that failed (the first argument and the first other one of another kind).
    fn named(args: &[Value], compare: NativeFn) -> Result<Value, FuncError> {
        compare(args).map_err(|e| {
            if e != bad_comparison() {
                return e;
            }
            let first = &args[0];
            let other = args[1..]
                .iter()
                .find(|b| basic_kind(b) != basic_kind(first) && !b.is_nil())
                .unwrap_or(&args[args.len() - 1]);
            bad_comparison_of(first, other)
        })
    }
    use ParamType::*;
    vec![
        Function { name: "eq", params: &[Any, Any], variadic: true, call: |a| named(a, eq) },
        Function { name: "ne", params: &[Any, Any], variadic: false, call: |a| named(a, ne) },
        Function { name: "lt", params: &[Any, Any], variadic: false, call: |a| named(a, lt) },
        Function { name: "le", params: &[Any, Any], variadic: false, call: |a| named(a, le) },
        Function { name: "gt", params: &[Any, Any], variadic: false, call: |a| named(a, gt) },
        Function { name: "ge", params: &[Any, Any], variadic: false, call: |a| named(a, ge) },
    ]
}

fn bad_comparison_type() -> FuncError {
    FuncError::new("invalid type for comparison")
}

/// `a == b` with Go's rules for one pair.
fn equal(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 != k2 {
        if !a.is_nil() && !b.is_nil() {
            return Err(bad_comparison());
        }
        return Ok(false);
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        _ if k1 == Kind::String => a.string_bytes() == b.string_bytes(),
        _ if k1 == Kind::Int => int_of(a) == int_of(b),
        (Value::Nil, Value::Nil) => true,
        (Value::Nil, _) | (_, Value::Nil) => false,
        (Value::Object(x), Value::Object(y)) => {
            if x.type_name() != y.type_name() {
                return Err(FuncError::new(format!(
                    "non-comparable types {}: {}, {}: {}",
                    a.format_v(),
                    x.type_name(),
                    y.type_name(),
                    b.format_v()
                )));
            }
            std::sync::Arc::ptr_eq(x, y)
        }
        _ => {
            if a.type_name() != b.type_name() {
                return Err(FuncError::new(format!(
                    "non-comparable types {}: {}, {}: {}",
                    a.format_v(),
                    a.type_name(),
                    b.type_name(),
                    b.format_v()
                )));
            }
            let shown = gofmt::sprintf("%s", std::slice::from_ref(b));
            return Err(FuncError::new(format!("non-comparable type {shown}: {}", b.type_name())));
        }
    })
}

fn eq(args: &[Value]) -> Result<Value, FuncError> {
    let Some((first, rest)) = args.split_first() else {
        return Err(FuncError::new("missing argument for comparison"));
    };
    if rest.is_empty() {
        return Err(FuncError::new("missing argument for comparison"));
    }
    for other in rest {
        if equal(first, other)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn ne(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(!equal(&args[0], &args[1])?))
}

fn less(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 == Kind::Other || k2 == Kind::Other {
        return Err(bad_comparison_type());
    }
    if k1 != k2 {
        return Err(bad_comparison());
    }
    Ok(match (a, b) {
        (Value::Bool(_), _) => return Err(bad_comparison_type()),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y) == Some(Ordering::Less),
        _ if k1 == Kind::String => a.string_bytes() < b.string_bytes(),
        _ => int_of(a) < int_of(b),
    })
}

fn lt(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(less(&args[0], &args[1])?))
}

fn le(args: &[Value]) -> Result<Value, FuncError> {
    if less(&args[0], &args[1])? {
        return Ok(Value::Bool(true));
    }
    Ok(Value::Bool(equal(&args[0], &args[1])?))
}

fn gt(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(!le(args)?.is_truthy()))
}

fn ge(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(!less(&args[0], &args[1])?))
}

fn not(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(!args[0].is_truthy()))
}

fn len(args: &[Value]) -> Result<Value, FuncError> {
    let n = match &args[0] {
        Value::Nil => return Err(FuncError::new("len of nil pointer")),
        Value::String(s) => s.len(),
        Value::Bytes(b) | Value::BinaryString(b) => b.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        other => return Err(FuncError::new(format!("len of type {}", other.type_name()))),
    };
    Ok(Value::Int(n as i64))
}

/// Go's `indexArg`: an integer index below `cap` (inclusive, as Go checks).
fn index_arg(index: &Value, cap: usize) -> Result<usize, FuncError> {
    let x = match index {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Nil => return Err(FuncError::new("cannot index slice/array with nil")),
        other => return Err(FuncError::new(format!("cannot index slice/array with type {}", other.type_name()))),
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(FuncError::new(format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

fn index(args: &[Value]) -> Result<Value, FuncError> {
    let mut item = args[0].clone();
    if item.is_nil() {
        return Err(FuncError::new("index of untyped nil"));
    }
    for idx in &args[1..] {
        item = match &item {
            Value::Nil => return Err(FuncError::new("index of nil pointer")),
            Value::List(list) => {
                let i = index_arg(idx, list.len())?;
                match list.get(i) {
                    Some(v) => v.clone(),
                    None => return Err(FuncError::new("reflect: slice index out of range")),
                }
            }
            Value::Bytes(bytes) => {
                let i = index_arg(idx, bytes.len())?;
                match bytes.get(i) {
                    Some(b) => Value::Int(*b as i64),
                    None => return Err(FuncError::new("reflect: slice index out of range")),
                }
            }
            Value::String(s) => {
                let i = index_arg(idx, s.len())?;
                match s.as_bytes().get(i) {
                    Some(b) => Value::Int(*b as i64),
                    None => return Err(FuncError::new("reflect: string index out of range")),
                }
            }
            Value::Map(map) => match idx {
                Value::String(key) => map.get(key).unwrap_or_default(),
                Value::Nil => return Err(FuncError::new("value is nil; should be of type string")),
                other => {
                    return Err(FuncError::new(format!("value has type {}; should be string", other.type_name())));
                }
            },
            other => return Err(FuncError::new(format!("can't index item of type {}", other.type_name()))),
        };
    }
    Ok(item)
}

fn slice(args: &[Value]) -> Result<Value, FuncError> {
    let item = &args[0];
    let indexes = &args[1..];
    if item.is_nil() {
        return Err(FuncError::new("slice of untyped nil"));
    }
    if indexes.len() > 3 {
        return Err(FuncError::new(format!("too many slice indexes: {}", indexes.len())));
    }
    let len = match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err(FuncError::new("cannot 3-index slice a string"));
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) | Value::BinaryString(b) => b.len(),
        other => return Err(FuncError::new(format!("can't slice item of type {}", other.type_name()))),
    };
    let mut idx = [0, len, len];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, len)?;
    }
    if idx[0] > idx[1] {
        return Err(FuncError::new(format!("invalid slice index: {} > {}", idx[0], idx[1])));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(FuncError::new(format!("invalid slice index: {} > {}", idx[1], idx[2])));
    }
    Ok(match item {
        Value::String(s) => match s.get(idx[0]..idx[1]) {
            Some(sub) => Value::str(sub),
            // Go slices bytes; a cut inside a character keeps the raw bytes.
            None => Value::go_string(s.as_bytes()[idx[0]..idx[1]].to_vec()),
        },
        Value::BinaryString(b) => Value::go_string(b[idx[0]..idx[1]].to_vec()),
        // Go's slice expression keeps a named slice type (`chartutil.VersionSet`).
        Value::List(l) => Value::List(List::typed(l[idx[0]..idx[1]].to_vec(), l.list_type())),
        Value::Bytes(b) => Value::Bytes(b[idx[0]..idx[1]].into()),
        _ => Value::Nil,
    })
}

/// Go would copy a binary string's bytes into the result; driftgate's strings are UTF-8.
fn refuse_binary(args: &[Value]) -> Result<(), FuncError> {
    match args.iter().any(|a| matches!(a, Value::BinaryString(_))) {
        true => Err(FuncError::new(super::BINARY_TEXT)),
        false => Ok(()),
    }
}

fn print(args: &[Value]) -> Result<Value, FuncError> {
    refuse_binary(args)?;
    Ok(Value::str(gofmt::sprint(args)))
}

fn println(args: &[Value]) -> Result<Value, FuncError> {
    refuse_binary(args)?;
    Ok(Value::str(gofmt::sprintln(args)))
}

fn printf(args: &[Value]) -> Result<Value, FuncError> {
    refuse_binary(args)?;
    let format = args[0].as_str().unwrap_or_default();
    Ok(Value::str(gofmt::sprintf(format, &args[1..])))
}

/// Go's `evalArgs`: one string argument as is, otherwise `fmt.Sprint` with nil as `<no value>`.
fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    let printable: Vec<Value> =
        args.iter().map(|a| if a.is_nil() { Value::str("<no value>") } else { a.clone() }).collect();
    gofmt::sprint(&printable)
}

fn html(args: &[Value]) -> Result<Value, FuncError> {
    let s = eval_args(args);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    Ok(Value::str(out))
}

fn js(args: &[Value]) -> Result<Value, FuncError> {
    let s = eval_args(args);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c if (c as u32) < 0x80 || is_go_printable(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    Ok(Value::str(out))
}

fn urlquery(args: &[Value]) -> Result<Value, FuncError> {
    let s = eval_args(args);
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    Ok(Value::str(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn comparisons_follow_go_kinds() {
        assert_eq!(eq(&[Value::Int(1), Value::Int64(1)]).map(|v| v.is_truthy()), Ok(true));
        assert_eq!(eq(&[Value::Float(1.0), Value::Int(1)]).err(), Some(bad_comparison()));
        assert_eq!(eq(&[Value::Nil, s("a")]).map(|v| v.is_truthy()), Ok(false));
        assert_eq!(eq(&[s("b"), s("a"), s("b")]).map(|v| v.is_truthy()), Ok(true));
        assert_eq!(eq(&[s("b")]).err(), Some(FuncError::new("missing argument for comparison")));
        assert_eq!(lt(&[Value::Bool(true), Value::Bool(false)]).err(), Some(bad_comparison_type()));
        assert_eq!(lt(&[Value::Nil, Value::Int(1)]).err(), Some(bad_comparison_type()));
        assert_eq!(le(&[s("a"), s("a")]).map(|v| v.is_truthy()), Ok(true));
        assert_eq!(gt(&[Value::Float(2.5), Value::Float(1.0)]).map(|v| v.is_truthy()), Ok(true));
        assert_eq!(
            eq(&[Value::list(vec![]), Value::list(vec![])]).err(),
            Some(FuncError::new("non-comparable type []: []interface {}"))
        );
        assert_eq!(
            eq(&[Value::list(vec![Value::Float(1.0), s("x")]), Value::list(vec![Value::Float(1.0), s("x")])]).err(),
            Some(FuncError::new("non-comparable type [%!s(float64=1) x]: []interface {}"))
        );
    }

    #[test]
    fn index_and_slice_errors_match_go() {
        let list = Value::list(vec![Value::Float(1.0), Value::Float(2.5), s("x")]);
        assert_eq!(
            index(&[list.clone(), Value::Int(3)]).err(),
            Some(FuncError::new("reflect: slice index out of range"))
        );
        assert_eq!(index(&[list.clone(), Value::Int(4)]).err(), Some(FuncError::new("index out of range: 4")));
        assert_eq!(index(&[Value::Nil, Value::Int(0)]).err(), Some(FuncError::new("index of untyped nil")));
        assert_eq!(
            index(&[list.clone(), s("a")]).err(),
            Some(FuncError::new("cannot index slice/array with type string"))
        );
        assert_eq!(slice(&[s("hello"), Value::Int(1), Value::Int(3)]).map(|v| v.format_v()), Ok("el".into()));
        assert_eq!(
            slice(&[list, Value::Int(2), Value::Int(1)]).err(),
            Some(FuncError::new("invalid slice index: 2 > 1"))
        );
        assert_eq!(len(&[Value::Nil]).err(), Some(FuncError::new("len of nil pointer")));
        assert_eq!(len(&[Value::Int(3)]).err(), Some(FuncError::new("len of type int")));
    }

    #[test]
    fn escapers_match_go() {
        assert_eq!(
            html(&[s("<a href=\"x\">'&'</a>")]).map(|v| v.format_v()),
            Ok("&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;".into())
        );
        assert_eq!(js(&[s("a'b\"<=>\n")]).map(|v| v.format_v()), Ok("a\\'b\\\"\\u003C\\u003D\\u003E\\u000A".into()));
        assert_eq!(urlquery(&[s("a b&c=d/é")]).map(|v| v.format_v()), Ok("a+b%26c%3Dd%2F%C3%A9".into()));
        assert_eq!(html(&[Value::Nil]).map(|v| v.format_v()), Ok("&lt;no value&gt;".into()));
    }
}
