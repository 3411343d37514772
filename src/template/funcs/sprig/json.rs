//! Sprig's `mustToJson`, `mustToPrettyJson`, `mustToRawJson` and `mustFromJson`, with Go's
//! `encoding/json` output (sorted keys, HTML escaping, Go float formatting) and error texts.
//! Helm's own `toJson`/`fromJson` family is registered with the YAML functions.

use std::fmt::Write as _;

use super::support::{arg, fixed, str_arg, string};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::{Map, OpenMaps, Value};

/// Nesting limit for encoding and decoding (Go allows 10000; we stay well inside a thread's stack).
const MAX_DEPTH: usize = 1_000;

/// Go's error for a map that contains itself.
const CYCLE_ERROR: &str = "json: unsupported value: encountered a cycle via map[string]interface {}";

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("mustToJson", &[P::Any], |a| string(to_json(arg(a, 0), JsonStyle::Compact)?)),
        fixed("mustToPrettyJson", &[P::Any], |a| string(to_json(arg(a, 0), JsonStyle::Pretty)?)),
        fixed("mustToRawJson", &[P::Any], |a| string(to_json(arg(a, 0), JsonStyle::Raw)?)),
        fixed("mustFromJson", &[P::String], |a| from_json(str_arg(a, 0)?).map_err(FuncError::new)),
    ]
}

/// How `to_json` lays out its output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum JsonStyle {
    /// `json.Marshal`.
    Compact,
    /// `json.MarshalIndent(v, "", "  ")`.
    Pretty,
    /// An encoder with HTML escaping off, trailing newline trimmed.
    Raw,
}

/// Encodes `value` as Go's `encoding/json` would.
pub fn to_json(value: &Value, style: JsonStyle) -> Result<String, FuncError> {
    let mut out = String::new();
    write_json(&mut out, value, style, 0, &mut OpenMaps::default())?;
    Ok(out)
}

fn newline(out: &mut String, style: JsonStyle, depth: usize) {
    if style == JsonStyle::Pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

fn write_json(
    out: &mut String,
    value: &Value,
    style: JsonStyle,
    depth: usize,
    open: &mut OpenMaps,
) -> Result<(), FuncError> {
    if depth > MAX_DEPTH {
        return Err(FuncError::new("json: unsupported value: encountered a cycle or excessive nesting"));
    }
    match value {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&go_json_float(*f)?),
        Value::String(s) => write_json_string(out, s, style != JsonStyle::Raw),
        // encoding/json replaces each invalid byte with U+FFFD.
        Value::BinaryString(b) => crate::yaml::write_json_bytes(out, b, |out, text| {
            write_json_string_body(out, text, style != JsonStyle::Raw)
        }),
        Value::Bytes(b) => {
            use base64::Engine as _;
            write_json_string(out, &base64::engine::general_purpose::STANDARD.encode(b), false);
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                write_json(out, item, style, depth + 1, open)?;
            }
            if !items.is_empty() {
                newline(out, style, depth);
            }
            out.push(']');
        }
        Value::Map(map) => map
            .walk(open, |entries, open| write_json_map(out, entries.iter(), entries.is_empty(), style, depth, open))
            .unwrap_or_else(|| Err(FuncError::new(CYCLE_ERROR)))?,
        Value::Object(o) => match o.type_name() {
            "time.Time" => {
                let text = o
                    .call_method("Format", &[Value::str("2006-01-02T15:04:05.999999999Z07:00")])
                    .and_then(Result::ok)
                    .map_or_else(|| o.format_v(), |v| v.as_str().unwrap_or_default().to_string());
                write_json_string(out, &text, style != JsonStyle::Raw);
            }
            "sprig.certificate" => {
                let fields: Vec<(String, Value)> =
                    ["Cert", "Key"].iter().map(|name| (name.to_string(), o.field(name).unwrap_or_default())).collect();
                write_json_map(out, fields.iter().map(|(k, v)| (k, v)), false, style, depth, open)?;
            }
            _ => match o.json_fields() {
                Some(fields) => {
                    write_json_map(out, fields.iter().map(|(k, v)| (k, v)), fields.is_empty(), style, depth, open)?
                }
                None => write_json_string(out, &o.format_v(), style != JsonStyle::Raw),
            },
        },
    }
    Ok(())
}

fn write_json_map<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a String, &'a Value)>,
    empty: bool,
    style: JsonStyle,
    depth: usize,
    open: &mut OpenMaps,
) -> Result<(), FuncError> {
    out.push('{');
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, style, depth + 1);
        write_json_string(out, key, style != JsonStyle::Raw);
        out.push(':');
        if style == JsonStyle::Pretty {
            out.push(' ');
        }
        write_json(out, value, style, depth + 1, open)?;
    }
    if !empty {
        newline(out, style, depth);
    }
    out.push('}');
    Ok(())
}

/// Go's float encoding: shortest digits, exponent form below 1e-6 or from 1e21 on.
fn go_json_float(f: f64) -> Result<String, FuncError> {
    if !f.is_finite() {
        return Err(FuncError::new(format!("json: unsupported value: {}", crate::value::format_float_g(f))));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let sci = format!("{f:e}");
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        // Go writes at least two exponent digits, then trims "e-07" to "e-7" (only negatives).
        let digits = if exp < 0 { format!("{}", exp.abs()) } else { format!("{:02}", exp) };
        return Ok(format!("{mantissa}e{sign}{digits}"));
    }
    Ok(format!("{f}"))
}

fn write_json_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    write_json_string_body(out, s, escape_html);
    out.push('"');
}

fn write_json_string_body(out: &mut String, s: &str, escape_html: bool) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// Decodes JSON into template values as `json.Unmarshal` into `interface{}` does: numbers
/// become float64, later duplicate keys win.
pub fn from_json(text: &str) -> Result<Value, String> {
    let mut parser = JsonParser { bytes: text.as_bytes(), pos: 0 };
    parser.skip_space();
    let value = parser.value(0)?;
    parser.skip_space();
    if let Some(c) = parser.peek() {
        return Err(format!("invalid character {} after top-level value", quote_char(c)));
    }
    Ok(value)
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Go's `quoteChar` for error messages.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        c if c.is_ascii_graphic() || c == b' ' => format!("'{}'", c as char),
        c => {
            let mut quoted = String::new();
            super::strings::go_quote_into(&mut quoted, &char::from(c).to_string());
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
    }
}

const EOF: &str = "unexpected end of JSON input";

impl JsonParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn invalid(&self, c: u8, context: &str) -> String {
        format!("invalid character {} {context}", quote_char(c))
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("exceeded max depth".to_string());
        }
        let c = self.peek().ok_or(EOF)?;
        match c {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => Ok(Value::str(self.string()?)),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            c => Err(self.invalid(c, "looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, String> {
        for (i, expected) in word.bytes().enumerate() {
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(c) if c == expected => self.pos += 1,
                Some(c) => {
                    return Err(
                        self.invalid(c, &format!("in literal {word} (expecting {})", quote_char(word.as_bytes()[i])))
                    );
                }
            }
        }
        Ok(value)
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos - s
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(c) if !c.is_ascii_digit() => return Err(self.invalid(c, "in numeric literal")),
                _ => {}
            }
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else {
            digits(self);
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(c) if !c.is_ascii_digit() => return Err(self.invalid(c, "after decimal point in numeric literal")),
                _ => {}
            }
            digits(self);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(c) if !c.is_ascii_digit() => return Err(self.invalid(c, "in exponent of numeric literal")),
                _ => {}
            }
            digits(self);
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(format!("json: cannot unmarshal number {text} into Go value of type float64")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek().ok_or(EOF)?;
            self.pos += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.peek().ok_or(EOF)?;
                    self.pos += 1;
                    let simple = match e {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(8),
                        b'f' => Some(12),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        other => return Err(self.invalid(other, "in string escape code")),
                    };
                    if let Some(b) = simple {
                        out.push(b);
                        continue;
                    }
                    let mut code = self.hex4()?;
                    if (0xD800..0xDC00).contains(&code) && self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                        let save = self.pos;
                        self.pos += 2;
                        let low = self.hex4()?;
                        if (0xDC00..0xE000).contains(&low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        } else {
                            self.pos = save;
                        }
                    }
                    let ch = char::from_u32(code).unwrap_or('\u{FFFD}');
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return Err(self.invalid(c, "in string literal")),
                c => out.push(c),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut code = 0u32;
        for _ in 0..4 {
            let c = self.peek().ok_or(EOF)?;
            let digit =
                (c as char).to_digit(16).ok_or_else(|| self.invalid(c, "in \\u hexadecimal character escape"))?;
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::list(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::list(items));
                }
                Some(c) => return Err(self.invalid(c, "after array element")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.pos += 1;
        let mut map = Map::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::map(map));
        }
        loop {
            self.skip_space();
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(b'"') => {}
                Some(c) => return Err(self.invalid(c, "looking for beginning of object key string")),
            }
            let key = self.string()?;
            self.skip_space();
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(b':') => self.pos += 1,
                Some(c) => return Err(self.invalid(c, "after object key")),
            }
            self.skip_space();
            let value = self.value(depth + 1)?;
            map.insert(key, value);
            self.skip_space();
            match self.peek() {
                None => return Err(EOF.to_string()),
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::map(map));
                }
                Some(c) => return Err(self.invalid(c, "after object key:value pair")),
            }
        }
    }
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
    fn encoding_observed_in_helm() {
        let value = dict(vec![
            ("b", Value::Float(1.5)),
            ("a", Value::list(vec![Value::Int(1), s("x<&>"), Value::Nil, Value::Bool(true)])),
            ("c", Value::Float(1e21)),
            ("d", Value::Float(1e-7)),
            ("e", Value::Float(0.000001)),
            ("f", Value::Float(100000000000000000000.0)),
            ("g", s("\u{2028}\t\u{1}")),
        ]);
        assert_eq!(
            call("mustToJson", &[value]).unwrap().as_str(),
            Some(
                r#"{"a":[1,"x\u003c\u0026\u003e",null,true],"b":1.5,"c":1e+21,"d":1e-7,"e":0.000001,"f":100000000000000000000,"g":"\u2028\t\u0001"}"#
            )
        );
        let t = call("toDate", &[s("2006-01-02"), s("2017-12-31")]).unwrap();
        let v = call("semver", &[s("v1.2")]).unwrap();
        let raw = call("mustToRawJson", &[dict(vec![("a", s("<&>")), ("t", t), ("v", v)])]).unwrap();
        assert_eq!(raw.as_str(), Some(r#"{"a":"<&>","t":"2017-12-31T00:00:00Z","v":"1.2.0"}"#));
        let pretty = dict(vec![
            ("a", Value::list(vec![])),
            ("b", dict(vec![])),
            ("c", Value::list(vec![Value::Int(1), dict(vec![("x", Value::Int(1))])])),
        ]);
        assert_eq!(
            call("mustToPrettyJson", &[pretty]).unwrap().as_str(),
            Some("{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    {\n      \"x\": 1\n    }\n  ]\n}")
        );
        assert_eq!(call("mustToJson", &[Value::Nil]).unwrap().as_str(), Some("null"));
        assert_eq!(call("mustToJson", &[Value::list(vec![])]).unwrap().as_str(), Some("[]"));
        assert_eq!(call("mustToJson", &[Value::Float(f64::NAN)]).unwrap_err().0, "json: unsupported value: NaN");
    }

    #[test]
    fn decoding_observed_in_helm() {
        let got =
            call("mustFromJson", &[s(r#"{"a": [1, 2.5, 1e3, 12345678901234567890], "b": null, "a": "dup"}"#)]).unwrap();
        assert_eq!(got.format_v(), "map[a:dup b:<nil>]");
        let got = call("mustFromJson", &[s("[1, 2.5, 1e3]")]).unwrap();
        assert_eq!(got.format_v(), "[1 2.5 1000]");
        assert!(matches!(got.as_list(), Some([Value::Float(_), ..])));
        let errors = [
            ("{bad", "invalid character 'b' looking for beginning of object key string"),
            ("", "unexpected end of JSON input"),
            ("[1,]", "invalid character ']' looking for beginning of value"),
            ("1 2", "invalid character '2' after top-level value"),
        ];
        for (input, want) in errors {
            assert_eq!(call("mustFromJson", &[s(input)]).unwrap_err().0, want, "{input:?}");
        }
    }
}
