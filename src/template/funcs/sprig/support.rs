//! Shared pieces of the Sprig library: argument access, Go's conversions (`cast`, `strval`),
//! Sprig's emptiness test and `reflect.DeepEqual`.

use std::borrow::Cow;
use std::sync::Arc;

use crate::template::funcs::{BINARY_TEXT, FuncError, Function, NativeFn, ParamType};
use crate::value::{MapRef, OpenMaps, Value};

/// A function with a fixed number of parameters.
pub const fn fixed(name: &'static str, params: &'static [ParamType], call: NativeFn) -> Function {
    Function { name, params, variadic: false, call }
}

/// A function whose last parameter repeats (`...T`).
pub const fn variadic(name: &'static str, params: &'static [ParamType], call: NativeFn) -> Function {
    Function { name, params, variadic: true, call }
}

static NIL: Value = Value::Nil;

/// The `i`-th argument, or nil when the caller passed fewer.
pub fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&NIL)
}

fn wrong_type(expected: &str, got: &Value) -> FuncError {
    FuncError::new(format!("wrong type for value; expected {expected}; got {}", got.type_name()))
}

/// A `string` parameter.
pub fn str_arg(args: &[Value], i: usize) -> Result<&str, FuncError> {
    match arg(args, i) {
        Value::String(s) => Ok(s),
        Value::BinaryString(_) => Err(FuncError::new(BINARY_TEXT)),
        other => Err(wrong_type("string", other)),
    }
}

/// A `string` parameter as bytes; raw `[]byte` values (binary file content) are accepted too,
/// so hashing and encoding them keeps every byte.
pub fn bytes_arg(args: &[Value], i: usize) -> Result<&[u8], FuncError> {
    match arg(args, i) {
        Value::String(s) => Ok(s.as_bytes()),
        Value::Bytes(b) | Value::BinaryString(b) => Ok(b),
        other => Err(wrong_type("string", other)),
    }
}

/// An `int` (or `int64`) parameter.
pub fn int_arg(args: &[Value], i: usize) -> Result<i64, FuncError> {
    match arg(args, i) {
        Value::Int(n) | Value::Int64(n) => Ok(*n),
        other => Err(wrong_type("int", other)),
    }
}

/// A `bool` parameter.
pub fn bool_arg(args: &[Value], i: usize) -> Result<bool, FuncError> {
    match arg(args, i) {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong_type("bool", other)),
    }
}

/// A `map[string]interface{}` parameter.
pub fn map_arg(args: &[Value], i: usize) -> Result<&MapRef, FuncError> {
    match arg(args, i) {
        Value::Map(m) => Ok(m),
        other => Err(wrong_type("map[string]interface {}", other)),
    }
}

/// A Go `string` result.
pub fn string(s: impl Into<Arc<str>>) -> Result<Value, FuncError> {
    Ok(Value::String(s.into()))
}

/// A Go `[]string` result.
pub fn string_list<I, S>(items: I) -> Value
where
    I: IntoIterator<Item = S>,
    S: Into<Arc<str>>,
{
    Value::list(items.into_iter().map(|s| Value::String(s.into())).collect())
}

/// The error Go raises when a function dereferences a nil interface through reflection.
pub fn nil_deref() -> FuncError {
    FuncError::new("runtime error: invalid memory address or nil pointer dereference")
}

/// Go's `reflect.Kind` name, as it appears in Sprig's error messages and `kindOf`.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Int64(_) => "int64",
        Value::Float(_) => "float64",
        Value::String(_) | Value::BinaryString(_) => "string",
        Value::Bytes(_) | Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(o) => {
            if o.map_entries().is_some() {
                // A named map type (`.Files`).
                "map"
            } else if o.type_name().starts_with('*') {
                "ptr"
            } else {
                "struct"
            }
        }
    }
}

/// The elements of a Go slice value (`[]interface{}` or `[]byte`), `None` for other kinds.
pub fn slice_items(value: &Value) -> Option<Cow<'_, [Value]>> {
    match value {
        Value::List(items) => Some(Cow::Borrowed(items.as_slice())),
        Value::Bytes(bytes) => Some(Cow::Owned(bytes.iter().map(|b| Value::Int(i64::from(*b))).collect())),
        _ => None,
    }
}

/// Like [`slice_items`], but with Sprig's error for other kinds: `Cannot <action> on type <kind>`,
/// and Go's nil-dereference panic for nil.
pub fn slice_or_error<'a>(value: &'a Value, action: &str) -> Result<Cow<'a, [Value]>, FuncError> {
    if value.is_nil() {
        return Err(nil_deref());
    }
    slice_items(value).ok_or_else(|| FuncError::new(format!("Cannot {action} on type {}", kind_of(value))))
}

/// Sprig's `strval`: strings and bytes as they are, `Stringer`s through `String()`, the rest `%v`.
pub fn strval(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(s) => Cow::Borrowed(s),
        Value::Bytes(b) => String::from_utf8_lossy(b),
        other => Cow::Owned(other.format_v()),
    }
}

/// Sprig's emptiness: nil, false, zero numbers, empty strings, slices and maps. Structs never are.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Object(_) => false,
        other => !other.is_truthy(),
    }
}

/// Go's `reflect.DeepEqual` on template values: the dynamic types must match too.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_within(a, b, 0, &mut OpenMaps::default())
}

/// Values nested deeper than this compare unequal rather than risk the stack.
const MAX_COMPARE_DEPTH: usize = 1_000;

fn deep_equal_within(a: &Value, b: &Value, depth: usize, open: &mut OpenMaps) -> bool {
    if depth > MAX_COMPARE_DEPTH {
        return false;
    }
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal_within(p, q, depth + 1, open))
        }
        (Value::Map(x), Value::Map(y)) if x.ptr_eq(y) => true,
        (Value::Map(x), Value::Map(y)) => {
            if x.map_type() != y.map_type() {
                return false;
            }
            // A map met again inside itself counts as equal so far, as Go's DeepEqual treats a
            // comparison it is already making.
            x.walk(open, |xs, open| {
                y.walk(open, |ys, open| {
                    xs.len() == ys.len()
                        && xs
                            .iter()
                            .zip(ys.iter())
                            .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal_within(v1, v2, depth + 1, open))
                })
                .unwrap_or(true)
            })
            .unwrap_or(true)
        }
        (Value::Object(x), Value::Object(y)) => {
            Arc::ptr_eq(x, y) || (x.type_name() == y.type_name() && x.format_v() == y.format_v())
        }
        _ => false,
    }
}

/// `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0o`/`0b`/leading-`0` prefixes, `_` separators.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits, prefixed) = match lower.as_deref() {
        Some("0x") => (16, &body[2..], true),
        Some("0o") => (8, &body[2..], true),
        Some("0b") => (2, &body[2..], true),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..], true),
        _ => (10, body, false),
    };
    if digits.is_empty() {
        return None;
    }
    if digits.contains('_') && !underscores_ok(prefixed, digits) {
        return None;
    }
    let mut magnitude: u64 = 0;
    for c in digits.chars().filter(|c| *c != '_') {
        let d = c.to_digit(radix)?;
        magnitude = magnitude.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    if negative {
        if magnitude == 1u64 << 63 { Some(i64::MIN) } else { i64::try_from(magnitude).ok().map(|m| -m) }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go allows `_` only between digits (or right after a base prefix), and only with base 0.
fn underscores_ok(prefixed: bool, digits: &str) -> bool {
    let mut prev_digit = prefixed;
    for c in digits.chars() {
        if c == '_' {
            if !prev_digit {
                return false;
            }
            prev_digit = false;
        } else {
            prev_digit = true;
        }
    }
    prev_digit
}

/// spf13/cast's trimming of a zero fraction before integer parsing ("12.00" -> "12").
fn trim_zero_decimal(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut found_zero = false;
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b'.' => {
                if found_zero {
                    return &s[..i];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// spf13/cast's `ToInt64`: numbers truncate, bools are 0/1, strings parse as Go literals, else 0.
pub fn to_int64(value: &Value) -> i64 {
    match value {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => go_float_to_int(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// Go's `int64(f)` on amd64: truncation, and the minimum int64 for NaN or out-of-range values.
pub fn go_float_to_int(f: f64) -> i64 {
    // 2^63 as f64; every float below it and at or above -2^63 converts exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&f) { i64::MIN } else { f as i64 }
}

/// spf13/cast's `ToFloat64`: numbers convert, bools are 0/1, strings parse, else 0.
pub fn to_float64(value: &Value) -> f64 {
    match value {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// `strconv.ParseFloat(s, 64)`: Go's float syntax (decimal, hexadecimal with a `p` exponent,
/// `_` between digits) and its special spellings (`inf`/`infinity` with a sign, `nan` without);
/// `None` for a syntax or range error.
pub fn parse_go_float(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "infinity" => Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY }),
        "nan" if body.len() == s.len() => Some(f64::NAN),
        _ => crate::template::parse::parse_float(s).ok(),
    }
}

/// Byte-indexed slicing with Go's bounds-check panic message.
pub fn go_slice(s: &[u8], low: i64, high: i64) -> Result<&[u8], FuncError> {
    let len = s.len() as i64;
    if high < 0 || high > len {
        return Err(FuncError::new(format!("runtime error: slice bounds out of range [:{high}] with length {len}")));
    }
    if low < 0 || low > high {
        return Err(FuncError::new(format!("runtime error: slice bounds out of range [{low}:{high}]")));
    }
    Ok(&s[low as usize..high as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_int_parsing_matches_strconv_base_zero() {
        assert_eq!(parse_go_int("0x1F"), Some(31));
        assert_eq!(parse_go_int("010"), Some(8));
        assert_eq!(parse_go_int("1_000"), Some(1000));
        assert_eq!(parse_go_int("-42"), Some(-42));
        assert_eq!(parse_go_int("12abc"), None);
        assert_eq!(parse_go_int("1e3"), None);
        assert_eq!(parse_go_int("_1"), None);
        assert_eq!(parse_go_int("9223372036854775808"), None);
        assert_eq!(parse_go_int("-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn cast_to_int64_observed_in_helm() {
        let cases = [
            (Value::str("12abc"), 0),
            (Value::str("0x10"), 16),
            (Value::str("010"), 8),
            (Value::str("1.0"), 1),
            (Value::str("1e3"), 0),
            (Value::Float(3.7), 3),
            (Value::Float(-3.99), -3),
            (Value::Bool(true), 1),
            (Value::Nil, 0),
            (Value::Float(9.9e18), i64::MIN),
            (Value::str("  12"), 0),
            (Value::str("9223372036854775807"), i64::MAX),
        ];
        for (input, want) in cases {
            assert_eq!(to_int64(&input), want, "{input:?}");
        }
    }

    #[test]
    fn cast_to_float64_rejects_out_of_range() {
        assert_eq!(to_float64(&Value::str("1e400")), 0.0);
        assert_eq!(to_float64(&Value::str("3.5")), 3.5);
        // strconv.ParseFloat takes `_` between digits (helm v3.17.2: `float64 "1_000.5"` is 1000.5).
        assert_eq!(to_float64(&Value::str("1_000")), 1000.0);
        assert_eq!(to_float64(&Value::str("1__000")), 0.0);
    }

    #[test]
    fn deep_equal_distinguishes_go_types() {
        assert!(deep_equal(&Value::list(vec![Value::Int(1)]), &Value::list(vec![Value::Int(1)])));
        assert!(!deep_equal(&Value::Int(1), &Value::Int64(1)));
        assert!(!deep_equal(&Value::Int(1), &Value::Float(1.0)));
    }

    #[test]
    fn slicing_reports_go_bounds_errors() {
        assert_eq!(go_slice(b"hello", 1, 3).unwrap(), b"el");
        assert_eq!(
            go_slice(b"hello", 0, 9).unwrap_err().0,
            "runtime error: slice bounds out of range [:9] with length 5"
        );
        assert_eq!(go_slice(b"hello", 3, 1).unwrap_err().0, "runtime error: slice bounds out of range [3:1]");
    }
}
