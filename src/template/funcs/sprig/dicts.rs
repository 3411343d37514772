//! Sprig's dictionary functions.
//!
//! Maps are shared references as in Go: `set`, `unset`, `merge`, `mergeOverwrite`, `mustMerge`
//! and `mustMergeOverwrite` change their first argument in place and return it, so every holder
//! of that map (`$ctx`, `.Values`, a list element) sees the change. `deepCopy` breaks the sharing.

use std::sync::Arc;

use super::support::{arg, fixed, is_empty, map_arg, str_arg, string_list, strval, variadic};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::{List, Map, MapRef, MapType, OpenMaps, Value};

/// Deeper maps than this are not merged or copied (Go would recurse; we refuse rather than risk
/// the stack, and a map that contains itself ends here too).
const MAX_MERGE_DEPTH: usize = 256;

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        variadic("dict", &[P::Any], |a| {
            let mut map = Map::new();
            for pair in a.chunks(2) {
                let key = strval(&pair[0]).into_owned();
                map.insert(key, pair.get(1).cloned().unwrap_or_else(|| Value::str("")));
            }
            Ok(Value::map(map))
        }),
        fixed("get", &[P::Map, P::String], |a| {
            Ok(map_arg(a, 0)?.get(str_arg(a, 1)?).unwrap_or_else(|| Value::str("")))
        }),
        fixed("set", &[P::Map, P::String, P::Any], |a| {
            let map = map_arg(a, 0)?;
            map.insert(str_arg(a, 1)?.to_string(), arg(a, 2).clone());
            Ok(Value::Map(map.clone()))
        }),
        fixed("unset", &[P::Map, P::String], |a| {
            let map = map_arg(a, 0)?;
            map.remove(str_arg(a, 1)?);
            Ok(Value::Map(map.clone()))
        }),
        fixed("hasKey", &[P::Map, P::String], |a| Ok(Value::Bool(map_arg(a, 0)?.contains_key(str_arg(a, 1)?)))),
        variadic("pluck", &[P::String, P::Map], |a| {
            let key = str_arg(a, 0)?;
            let mut out = Vec::new();
            for i in 1..a.len() {
                if let Some(v) = map_arg(a, i)?.get(key) {
                    out.push(v);
                }
            }
            Ok(Value::list(out))
        }),
        variadic("keys", &[P::Map], |a| {
            let mut out: Vec<Arc<str>> = Vec::new();
            for i in 0..a.len() {
                map_arg(a, i)?.with_read(|map| out.extend(map.keys().map(|k| Arc::from(k.as_str()))));
            }
            Ok(string_list(out))
        }),
        variadic("pick", &[P::Map, P::String], |a| {
            let map = map_arg(a, 0)?;
            let mut out = Map::new();
            for i in 1..a.len() {
                let key = str_arg(a, i)?;
                if let Some(v) = map.get(key) {
                    out.insert(key.to_string(), v);
                }
            }
            Ok(Value::map(out))
        }),
        variadic("omit", &[P::Map, P::String], |a| {
            let map = map_arg(a, 0)?;
            let omitted: Vec<&str> = (1..a.len()).map(|i| str_arg(a, i)).collect::<Result<_, _>>()?;
            let out: Map = map.with_read(|map| {
                map.iter()
                    .filter(|(k, _)| !omitted.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            });
            Ok(Value::map(out))
        }),
        fixed("values", &[P::Map], |a| {
            Ok(Value::list(map_arg(a, 0)?.with_read(|map| map.values().cloned().collect())))
        }),
        variadic("merge", &[P::Map, P::Map], |a| merge_all(a, false)),
        variadic("mustMerge", &[P::Map, P::Map], |a| merge_all(a, false)),
        variadic("mergeOverwrite", &[P::Map, P::Map], |a| merge_all(a, true)),
        variadic("mustMergeOverwrite", &[P::Map, P::Map], |a| merge_all(a, true)),
        fixed("deepCopy", &[P::Any], |a| deep_copy(arg(a, 0), 0, &mut OpenMaps::default())),
        fixed("mustDeepCopy", &[P::Any], |a| deep_copy(arg(a, 0), 0, &mut OpenMaps::default())),
        variadic("dig", &[P::Any], dig),
    ]
}

/// Merges every later map into the first one, in place, and returns the first one.
fn merge_all(a: &[Value], overwrite: bool) -> Result<Value, FuncError> {
    let dst = map_arg(a, 0)?;
    for i in 1..a.len() {
        merge_into(dst, map_arg(a, i)?, overwrite, 0)?;
    }
    Ok(Value::Map(dst.clone()))
}

/// mergo's map merge: nested maps merge recursively (in place, into the destination's own nested
/// map); otherwise without `overwrite` a source value fills only a missing or empty destination,
/// with `overwrite` it always replaces it. A value taken from the source is shared, not copied.
fn merge_into(dst: &MapRef, src: &MapRef, overwrite: bool, depth: usize) -> Result<(), FuncError> {
    if depth > MAX_MERGE_DEPTH {
        return Err(FuncError::new("maps are nested too deeply to merge"));
    }
    if dst.ptr_eq(src) {
        return Ok(()); // Every entry is already there.
    }
    // No lock is held while recursing: `src` may be nested inside `dst` or the other way round.
    for (key, src_value) in src.snapshot() {
        match (dst.get(&key), &src_value) {
            (Some(Value::Map(dst_map)), Value::Map(src_map)) => merge_into(&dst_map, src_map, overwrite, depth + 1)?,
            (Some(dst_value), _) => {
                if overwrite || is_empty(&dst_value) {
                    dst.insert(key, src_value);
                }
            }
            (None, _) => {
                dst.insert(key, src_value);
            }
        }
    }
    Ok(())
}

/// A copy that shares no map with `value`: later changes to either side stay on that side.
fn deep_copy(value: &Value, depth: usize, open: &mut OpenMaps) -> Result<Value, FuncError> {
    if depth > MAX_MERGE_DEPTH {
        return Err(FuncError::new("value is nested too deeply to copy"));
    }
    Ok(match value {
        Value::List(items) => Value::List(List::typed(
            items.iter().map(|item| deep_copy(item, depth + 1, open)).collect::<Result<_, _>>()?,
            items.list_type(),
        )),
        Value::Map(map) => {
            let copied = map
                .walk(open, |entries, open| {
                    entries
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), deep_copy(v, depth + 1, open)?)))
                        .collect::<Result<Map, FuncError>>()
                })
                .unwrap_or_else(|| Err(FuncError::new("value contains itself and cannot be copied")))?;
            Value::Map(MapRef::typed(copied, map.map_type()))
        }
        other => other.clone(),
    })
}

/// `dig "a" "b" default $dict`: walks nested maps, returns `default` at the first missing key.
/// Each map must be a plain `map[string]interface {}` (Go's type assertion refuses `.Values`,
/// a `chartutil.Values`).
fn dig(a: &[Value]) -> Result<Value, FuncError> {
    if a.len() < 3 {
        return Err(FuncError::new("dig needs at least three arguments"));
    }
    let conversion = |v: &Value, want: &str| {
        let got = if v.is_nil() { "nil".to_string() } else { v.type_name().to_string() };
        FuncError::new(format!("interface conversion: interface {{}} is {got}, not {want}"))
    };
    let as_plain_map = |v: &Value| match v {
        Value::Map(m) if m.map_type() == MapType::Plain => Ok(m.clone()),
        other => Err(conversion(other, MapType::Plain.go_name())),
    };
    let default = &a[a.len() - 2];
    let mut current = as_plain_map(&a[a.len() - 1])?;
    let keys = &a[..a.len() - 2];
    for (i, key) in keys.iter().enumerate() {
        let key = key.as_str().ok_or_else(|| conversion(key, "string"))?;
        let Some(step) = current.get(key) else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        current = as_plain_map(&step)?;
    }
    Ok(default.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_support::call;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn dict(pairs: Vec<(&str, Value)>) -> Value {
        Value::map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    #[test]
    fn results_observed_in_helm() {
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("dict", vec![s("a"), Value::Int(1), s("b")], "map[a:1 b:]"),
            ("dict", vec![Value::Int(1), Value::Int(2), Value::Float(3.5), Value::Int(4)], "map[1:2 3.5:4]"),
            ("get", vec![dict(vec![("a", Value::Int(1))]), s("b")], ""),
            (
                "pluck",
                vec![
                    s("a"),
                    dict(vec![("a", Value::Int(1))]),
                    dict(vec![("a", Value::Int(2))]),
                    dict(vec![("b", Value::Int(3))]),
                ],
                "[1 2]",
            ),
            ("dig", vec![s("a"), s("b"), s("def"), dict(vec![("a", dict(vec![("b", Value::Int(5))]))])], "5"),
            ("dig", vec![s("a"), s("x"), s("def"), dict(vec![("a", dict(vec![("b", Value::Int(5))]))])], "def"),
            ("set", vec![dict(vec![("a", Value::Int(1))]), s("b"), Value::Int(2)], "map[a:1 b:2]"),
            ("unset", vec![dict(vec![("a", Value::Int(1)), ("b", Value::Int(2))]), s("a")], "map[b:2]"),
            (
                "pick",
                vec![
                    dict(vec![("a", Value::Int(1)), ("b", Value::Int(2)), ("c", Value::Int(3))]),
                    s("a"),
                    s("c"),
                    s("z"),
                ],
                "map[a:1 c:3]",
            ),
            ("omit", vec![dict(vec![("a", Value::Int(1)), ("b", Value::Int(2))]), s("a")], "map[b:2]"),
            ("keys", vec![dict(vec![("z", Value::Int(1)), ("a", Value::Int(2)), ("m", Value::Int(3))])], "[a m z]"),
            ("values", vec![dict(vec![("z", Value::Int(1)), ("a", Value::Int(2)), ("m", Value::Int(3))])], "[2 3 1]"),
            ("hasKey", vec![dict(vec![("a", Value::Nil)]), s("a")], "true"),
            ("dict", vec![Value::Nil, Value::Int(1)], "map[<nil>:1]"),
        ];
        for (name, args, want) in cases {
            let got = call(name, &args).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.format_v(), want, "{name} {args:?}");
        }
    }

    #[test]
    fn merge_semantics_observed_in_helm() {
        let nested = |x: Value| dict(vec![("a", Value::Int(1)), ("n", dict(vec![("x", x)]))]);
        let src = dict(vec![("a", Value::Int(2)), ("b", Value::Int(3)), ("n", dict(vec![("y", Value::Int(2))]))]);
        assert_eq!(
            call("merge", &[nested(Value::Int(1)), src.clone()]).unwrap().format_v(),
            "map[a:1 b:3 n:map[x:1 y:2]]"
        );
        assert_eq!(
            call("mergeOverwrite", &[nested(Value::Int(1)), src]).unwrap().format_v(),
            "map[a:2 b:3 n:map[x:1 y:2]]"
        );

        let dst = dict(vec![
            ("a", Value::Int(0)),
            ("b", Value::Nil),
            ("c", s("")),
            ("d", Value::Bool(false)),
            ("l", Value::list(vec![])),
            ("k", Value::list(vec![Value::Int(1)])),
        ]);
        let src = dict(vec![
            ("a", Value::Int(5)),
            ("b", Value::Int(6)),
            ("c", s("y")),
            ("d", Value::Bool(true)),
            ("l", Value::list(vec![Value::Int(2)])),
            ("k", Value::list(vec![Value::Int(3)])),
        ]);
        assert_eq!(call("merge", &[dst, src]).unwrap().format_v(), "map[a:5 b:6 c:y d:true k:[1] l:[2]]");

        let dst = dict(vec![
            ("a", Value::Int(1)),
            ("b", Value::Int(2)),
            ("c", s("x")),
            ("l", Value::list(vec![Value::Int(1)])),
        ]);
        let src = dict(vec![("a", Value::Int(0)), ("b", Value::Nil), ("c", s("")), ("l", Value::list(vec![]))]);
        assert_eq!(call("mergeOverwrite", &[dst, src]).unwrap().format_v(), "map[a:0 b:<nil> c: l:[]]");

        let dst = dict(vec![("n", dict(vec![("x", Value::Int(1))]))]);
        assert_eq!(call("mergeOverwrite", &[dst, dict(vec![("n", s("str"))])]).unwrap().format_v(), "map[n:str]");
    }

    #[test]
    fn set_unset_and_merge_change_the_map_every_holder_sees() {
        let original = dict(vec![("a", Value::Int(1))]);
        let changed = call("set", &[original.clone(), s("b"), Value::Int(2)]).unwrap();
        assert_eq!(original.format_v(), "map[a:1 b:2]");
        assert!(matches!((&original, &changed), (Value::Map(x), Value::Map(y)) if x.ptr_eq(y)));
        call("unset", &[original.clone(), s("a")]).unwrap();
        assert_eq!(changed.format_v(), "map[b:2]");
        call("merge", &[original.clone(), dict(vec![("c", Value::Int(3))])]).unwrap();
        assert_eq!(changed.format_v(), "map[b:2 c:3]");
        call("mergeOverwrite", &[original.clone(), dict(vec![("b", Value::Int(4))])]).unwrap();
        assert_eq!(changed.format_v(), "map[b:4 c:3]");
    }

    #[test]
    fn deep_copy_shares_no_map() {
        let inner = dict(vec![("x", Value::Int(1))]);
        let outer = dict(vec![("n", inner.clone()), ("l", Value::list(vec![inner.clone()]))]);
        let copy = call("deepCopy", std::slice::from_ref(&outer)).unwrap();
        call("set", &[inner, s("y"), Value::Int(2)]).unwrap();
        assert_eq!(outer.format_v(), "map[l:[map[x:1 y:2]] n:map[x:1 y:2]]");
        assert_eq!(copy.format_v(), "map[l:[map[x:1]] n:map[x:1]]");
    }

    #[test]
    fn maps_that_contain_themselves_end_in_errors() {
        let d = dict(vec![("a", Value::Int(1))]);
        call("set", &[d.clone(), s("self"), d.clone()]).unwrap();
        assert_eq!(
            call("deepCopy", std::slice::from_ref(&d)).unwrap_err().0,
            "value contains itself and cannot be copied"
        );
        // Merging a map into itself changes nothing; merging it into a copy of itself recurses.
        assert_eq!(call("merge", &[d.clone(), d.clone()]).unwrap().format_v(), "map[a:1 self:...]");
        let e = dict(vec![("a", Value::Int(1))]);
        call("set", &[e.clone(), s("self"), e.clone()]).unwrap();
        assert_eq!(call("merge", &[d.clone(), e]).unwrap_err().0, "maps are nested too deeply to merge");
    }

    #[test]
    fn dig_errors_like_go_type_assertions() {
        let err = call("dig", &[s("a"), s("b"), s("d"), dict(vec![("a", s("x"))])]).unwrap_err();
        assert_eq!(err.0, "interface conversion: interface {} is string, not map[string]interface {}");
        assert_eq!(call("dig", &[s("a"), s("d")]).unwrap_err().0, "dig needs at least three arguments");
    }
}
