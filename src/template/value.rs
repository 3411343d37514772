//! The value model of the template engine: Go's `interface{}` graph as Helm hands it to templates.
//!
//! Go types matter for fidelity (`typeOf`, `%T`, `eq` between int and float64 is an error), so
//! numbers keep their Go type: values files only ever produce `float64`, template literals `int`,
//! some Sprig functions `int64`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// Go's `map[string]interface{}`; iteration is sorted by key, as Go's `range` and `fmt` do.
pub type Map = BTreeMap<String, Value>;

/// One value a template can see.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Go's untyped nil (a missing key, a YAML `null`).
    #[default]
    Nil,
    Bool(bool),
    /// Go `int`: template literals, `len`, `atoi`, `until`.
    Int(i64),
    /// Go `int64`: Sprig's `int64`, `add`, `sub`, ...
    Int64(i64),
    /// Go `float64`: every number that comes from a values file.
    Float(f64),
    String(Arc<str>),
    /// Go `[]byte` (`.Files.GetBytes`).
    Bytes(Arc<[u8]>),
    /// Go `[]interface{}`.
    List(Arc<Vec<Value>>),
    /// Go `map[string]interface{}`.
    Map(Arc<Map>),
    /// A Go struct or named type with fields and methods (`.Chart`, `.Capabilities`, `.Files`, semver versions).
    Object(Arc<dyn Object>),
}

/// A Go struct-like value: named fields, methods, and how `fmt` prints it.
pub trait Object: Send + Sync + std::fmt::Debug {
    /// The Go type name as `%T` and Sprig's `typeOf` print it, e.g. `*chart.Metadata`.
    fn type_name(&self) -> &str;
    /// A field or a method without arguments; `None` when the type has no such member.
    fn field(&self, name: &str) -> Option<Value>;
    /// A method call with arguments; `None` when the type has no such method.
    fn call_method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    /// The Go parameter types of a method (and whether the last one repeats), so the evaluator
    /// checks arguments with Go's messages before `call_method`; `None` leaves them unchecked.
    fn method_signature(&self, _name: &str) -> Option<(&'static [super::funcs::ParamType], bool)> {
        None
    }
    /// What Go's `fmt` `%v` prints for it (a `String()` method, or the struct dump).
    fn format_v(&self) -> String;
    /// For a named Go map type (Helm's `.Files`): its entries, so `range` can iterate over it.
    fn map_entries(&self) -> Option<Map> {
        None
    }
}

impl Value {
    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    pub fn map(map: Map) -> Value {
        Value::Map(Arc::new(map))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Go's `text/template` truth: false, 0, empty string/slice/map and nil are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(_) => true,
        }
    }

    /// The Go type name, as `%T` and Sprig's `typeOf` print it.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) => "[]uint8",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
            Value::Object(o) => o.type_name(),
        }
    }

    /// Go's `reflect.Kind` name, as Sprig's `kindOf` / `kindIs` use it.
    pub fn kind_name(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(_) => "ptr",
        }
    }

    /// What Go's `fmt.Sprint` / `%v` prints for this value at the top level (nil is `<nil>`).
    pub fn format_v(&self) -> String {
        let mut out = String::new();
        write_v(&mut out, self);
        out
    }
}

/// Appends Go's `%v` rendering of `value` to `out`.
pub fn write_v(out: &mut String, value: &Value) {
    match value {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float_g(*f)),
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) => {
            out.push('[');
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{byte}");
            }
            out.push(']');
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, item);
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push_str("map[");
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, v);
            }
            out.push(']');
        }
        Value::Object(o) => out.push_str(&o.format_v()),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which is also what `%v` prints for a float64:
/// the shortest digits that round-trip, in exponent form when the decimal exponent is < -4
/// or >= 6 (so `1000000` prints `1e+06`, the long-standing Helm surprise).
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".to_string() } else { "-Inf".to_string() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".to_string() } else { "0".to_string() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "1.234567e6".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("LowerExp always has an exponent");
    let exp: i32 = exp.parse().expect("LowerExp exponent is an integer");
    // strconv uses a fixed precision of 6 for this decision in shortest mode.
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go_percent_v() {
        let cases = [
            (3.0, "3"),
            (1.5, "1.5"),
            (123456.0, "123456"),
            (1000000.0, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (356136738.0, "3.56136738e+08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_g(f), want, "formatting {f}");
        }
    }

    #[test]
    fn containers_print_like_go() {
        let mut m = Map::new();
        m.insert("b".into(), Value::list(vec![Value::Float(1.0), Value::Nil]));
        m.insert("a".into(), Value::str("x"));
        assert_eq!(Value::map(m).format_v(), "map[a:x b:[1 <nil>]]");
    }
}
