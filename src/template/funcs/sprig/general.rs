//! Sprig's defaults and reflection functions: default, empty, coalesce, ternary, typeOf, kindIs...

use super::support::{arg, bool_arg, deep_equal, fixed, is_empty, kind_of, str_arg, string, variadic};
use crate::template::funcs::{Function, ParamType as P};
use crate::value::Value;

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        variadic("default", &[P::Any, P::Any], |a| {
            let given = a.get(1).filter(|v| !is_empty(v));
            Ok(given.unwrap_or_else(|| arg(a, 0)).clone())
        }),
        fixed("empty", &[P::Any], |a| Ok(Value::Bool(is_empty(arg(a, 0))))),
        variadic("coalesce", &[P::Any], |a| Ok(a.iter().find(|v| !is_empty(v)).cloned().unwrap_or(Value::Nil))),
        variadic("all", &[P::Any], |a| Ok(Value::Bool(a.iter().all(|v| !is_empty(v))))),
        variadic("any", &[P::Any], |a| Ok(Value::Bool(a.iter().any(|v| !is_empty(v))))),
        fixed("ternary", &[P::Any, P::Any, P::Bool], |a| {
            Ok(if bool_arg(a, 2)? { arg(a, 0) } else { arg(a, 1) }.clone())
        }),
        fixed("typeOf", &[P::Any], |a| string(arg(a, 0).type_name())),
        fixed("typeIs", &[P::String, P::Any], |a| Ok(Value::Bool(str_arg(a, 0)? == arg(a, 1).type_name()))),
        fixed("typeIsLike", &[P::String, P::Any], |a| {
            let (target, actual) = (str_arg(a, 0)?, arg(a, 1).type_name());
            Ok(Value::Bool(actual == target || actual.strip_prefix('*') == Some(target)))
        }),
        fixed("kindOf", &[P::Any], |a| string(kind_of(arg(a, 0)))),
        fixed("kindIs", &[P::String, P::Any], |a| Ok(Value::Bool(str_arg(a, 0)? == kind_of(arg(a, 1))))),
        fixed("deepEqual", &[P::Any, P::Any], |a| Ok(Value::Bool(deep_equal(arg(a, 0), arg(a, 1))))),
    ]
}

#[cfg(test)]
mod tests {
    use crate::template::funcs::sprig::test_support::call;
    use crate::value::Value;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn results_observed_in_helm() {
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("default", vec![s("d"), Value::Bool(false)], "d"),
            ("default", vec![s("d"), Value::Int(0)], "d"),
            ("default", vec![s("d"), Value::Float(0.0)], "d"),
            ("default", vec![s("d"), Value::list(vec![])], "d"),
            ("default", vec![s("d"), s("x")], "x"),
            ("default", vec![s("d")], "d"),
            ("coalesce", vec![Value::Int(0), s(""), s("x")], "x"),
            ("coalesce", vec![Value::Int(0), s("")], "<nil>"),
            ("all", vec![Value::Int(1), s("a")], "true"),
            ("all", vec![], "true"),
            ("any", vec![Value::Int(0), s("")], "false"),
            ("ternary", vec![s("y"), s("n"), Value::Bool(true)], "y"),
            ("ternary", vec![s("y"), s("n"), Value::Bool(false)], "n"),
            ("empty", vec![Value::map(Default::default())], "true"),
            ("empty", vec![Value::Float(0.0)], "true"),
            ("kindOf", vec![Value::Int(1)], "int"),
            ("kindOf", vec![Value::Float(1.0)], "float64"),
            ("kindOf", vec![Value::list(vec![])], "slice"),
            ("kindOf", vec![Value::map(Default::default())], "map"),
            ("kindOf", vec![Value::Nil], "invalid"),
            ("kindIs", vec![s("string"), s("x")], "true"),
            ("typeOf", vec![Value::Nil], "<nil>"),
            ("typeOf", vec![Value::Int64(3)], "int64"),
            ("typeOf", vec![Value::map(Default::default())], "map[string]interface {}"),
            ("typeIs", vec![s("float64"), Value::Float(1.0)], "true"),
            ("typeIsLike", vec![s("int"), Value::Int(1)], "true"),
            ("deepEqual", vec![Value::list(vec![Value::Int(1)]), Value::list(vec![Value::Int(1)])], "true"),
            ("deepEqual", vec![Value::Int(1), Value::Float(1.0)], "false"),
            ("default", vec![Value::Int(5), Value::Nil], "5"),
            ("default", vec![s("x"), Value::map(Default::default())], "x"),
            ("coalesce", vec![Value::Nil, Value::Nil], "<nil>"),
            ("ternary", vec![Value::Int(1), Value::Int(2), Value::Bool(false)], "2"),
        ];
        for (name, args, want) in cases {
            let got = call(name, &args).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.format_v(), want, "{name} {args:?}");
        }
    }

    #[test]
    fn objects_reflect_like_go_structs_and_pointers() {
        let ca = call("genCA", &[s("x"), Value::Int(3)]).unwrap();
        let now = call("now", &[]).unwrap();
        let version = call("semver", &[s("1.0.0")]).unwrap();
        assert_eq!(call("typeOf", std::slice::from_ref(&ca)).unwrap().as_str(), Some("sprig.certificate"));
        assert_eq!(call("kindOf", &[ca]).unwrap().as_str(), Some("struct"));
        assert_eq!(call("kindOf", std::slice::from_ref(&now)).unwrap().as_str(), Some("struct"));
        assert_eq!(call("empty", &[now]).unwrap().format_v(), "false");
        assert_eq!(call("typeOf", std::slice::from_ref(&version)).unwrap().as_str(), Some("*semver.Version"));
        assert_eq!(call("kindOf", &[version]).unwrap().as_str(), Some("ptr"));
    }
}
