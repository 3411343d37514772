//! Go's `encoding/json` as templates see it: `json.Marshal`/`MarshalIndent` output and
//! `json.Unmarshal` into `interface{}` values, with Go's exact error texts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;

use super::resolve::format_float_e;
use crate::value::{Map, OpenMaps, Value};

/// How to print JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonStyle {
    /// Escape `<`, `>`, `&` as `\u003c`... (`json.Marshal`'s default; off for Sprig's `toRawJson`).
    pub escape_html: bool,
    /// Two-space indentation as `json.MarshalIndent(v, "", "  ")` prints it.
    pub pretty: bool,
}

/// Go's `json.Marshal` (or `MarshalIndent`) of a template value.
pub fn marshal(value: &Value, style: JsonStyle) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, value, style, 0, &mut OpenMaps::default())?;
    Ok(out)
}

/// Go's error for a map that contains itself.
pub(crate) const CYCLE_ERROR: &str = "json: unsupported value: encountered a cycle via map[string]interface {}";

/// Go's error for a float JSON cannot represent.
pub(crate) fn unsupported_float(f: f64) -> String {
    let shown = if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    };
    format!("json: unsupported value: {shown}")
}

/// How `json.Marshal` prints a finite float64: `'f'` format between 1e-6 and 1e21, else `'e'`
/// with a two-digit negative exponent shortened (`1e-07` -> `1e-7`).
pub(crate) fn format_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format_float_e(f);
        match text.split_once("e-0") {
            Some((mantissa, digit)) if digit.len() == 1 => format!("{mantissa}e-{digit}"),
            _ => text,
        }
    } else if f == 0.0 && f.is_sign_negative() {
        "-0".to_string()
    } else {
        // Rust's Display prints the shortest round-trip digits without an exponent.
        format!("{f}")
    }
}

/// `[]byte` marshals as standard base64.
pub(crate) fn base64_text(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn write_value(
    out: &mut String,
    value: &Value,
    style: JsonStyle,
    depth: usize,
    open: &mut OpenMaps,
) -> Result<(), String> {
    if depth > super::emit::MAX_ENCODE_DEPTH {
        return Err(format!("value nesting exceeds the maximum depth of {}", super::emit::MAX_ENCODE_DEPTH));
    }
    match value {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) if !f.is_finite() => return Err(unsupported_float(*f)),
        Value::Float(f) => out.push_str(&format_float(*f)),
        Value::String(s) => write_string(out, s, style.escape_html),
        // encoding/json replaces each invalid byte with U+FFFD.
        Value::BinaryString(b) => write_json_bytes(out, b, |out, text| write_string_body(out, text, style.escape_html)),
        Value::Bytes(bytes) => write_string(out, &base64_text(bytes), style.escape_html),
        Value::Object(object) => match object.json_fields() {
            Some(fields) => write_map(out, fields.iter().map(|(k, v)| (k, v)), fields.is_empty(), style, depth, open)?,
            None => write_string(out, &object.format_v(), style.escape_html),
        },
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                write_value(out, item, style, depth + 1, open)?;
            }
            newline(out, style, depth);
            out.push(']');
        }
        Value::Map(map) => {
            map.walk(open, |entries, open| write_map(out, entries.iter(), entries.is_empty(), style, depth, open))
                .unwrap_or_else(|| Err(CYCLE_ERROR.to_string()))?;
        }
    }
    Ok(())
}

fn write_map<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a String, &'a Value)>,
    empty: bool,
    style: JsonStyle,
    depth: usize,
    open: &mut OpenMaps,
) -> Result<(), String> {
    if empty {
        out.push_str("{}");
        return Ok(());
    }
    out.push('{');
    // BTreeMap order is byte order, which is what encoding/json sorts by; a struct keeps the
    // order of its fields.
    for (i, (key, item)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, style, depth + 1);
        write_string(out, key, style.escape_html);
        out.push(':');
        if style.pretty {
            out.push(' ');
        }
        write_value(out, item, style, depth + 1, open)?;
    }
    newline(out, style, depth);
    out.push('}');
    Ok(())
}

fn newline(out: &mut String, style: JsonStyle, depth: usize) {
    if style.pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    write_string_body(out, s, escape_html);
    out.push('"');
}

/// A Go string that is not UTF-8, as `encoding/json` writes it: each invalid byte is `\ufffd`.
pub fn write_json_bytes(out: &mut String, bytes: &[u8], body: impl Fn(&mut String, &str)) {
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        body(out, chunk.valid());
        for _ in chunk.invalid() {
            out.push_str("\\ufffd");
        }
    }
    out.push('"');
}

fn write_string_body(out: &mut String, s: &str, escape_html: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => {
                let b = c as u8;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
            c if (c as u32) < 0x20 => {
                let b = c as u8;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
}

/// The Go type a JSON document is decoded into, for type-mismatch messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonTarget {
    /// `interface{}`: anything.
    Any,
    /// `map[string]interface{}`
    Map,
    /// `[]interface{}`
    List,
}

/// Go's `json.Unmarshal` into `target`. On a type error Go still returns what it decoded, so
/// the partial value comes with the error. Numbers become float64.
pub fn unmarshal(text: &str, target: JsonTarget) -> (Value, Option<String>) {
    if let Err(syntax) = check_syntax(text.as_bytes()) {
        return (empty_target(target), Some(syntax));
    }
    let top_kind = match text.trim_start_matches([' ', '\t', '\n', '\r']).as_bytes().first() {
        Some(b'{') => "object",
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        Some(b'n') => "null",
        _ => "number",
    };
    // A top-level kind mismatch skips the value in Go, so its own errors are never seen.
    let go_type = match (target, top_kind) {
        (_, "null") | (JsonTarget::Any, _) | (JsonTarget::Map, "object") | (JsonTarget::List, "array") => None,
        (JsonTarget::Map, _) => Some("map[string]interface {}"),
        (JsonTarget::List, _) => Some("[]interface {}"),
    };
    if let Some(go_type) = go_type {
        return (
            empty_target(target),
            Some(format!("json: cannot unmarshal {top_kind} into Go value of type {go_type}")),
        );
    }
    let mut decoder = Decoder { bytes: text.as_bytes(), at: 0, first_error: None };
    let value = match decoder.value() {
        Value::Nil => empty_target(target),
        value => value,
    };
    (value, decoder.first_error)
}

fn empty_target(target: JsonTarget) -> Value {
    match target {
        JsonTarget::Any => Value::Nil,
        JsonTarget::Map => Value::map(Map::new()),
        JsonTarget::List => Value::list(Vec::new()),
    }
}

/// Go's `quoteChar`: how a byte is shown in a syntax error.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let ch = char::from(c);
            let shown = match ch {
                '\u{7}' => "\\a".to_string(),
                '\u{8}' => "\\b".to_string(),
                '\u{c}' => "\\f".to_string(),
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                '\u{b}' => "\\v".to_string(),
                '\\' => "\\\\".to_string(),
                c if (c as u32) < 0x20 || c == '\u{7f}' => format!("\\x{:02x}", c as u32),
                c if (0x80..0xa1).contains(&(c as u32)) || c == '\u{ad}' => format!("\\u{:04x}", c as u32),
                c => c.to_string(),
            };
            format!("'{shown}'")
        }
    }
}

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

/// Go's `encoding/json` nesting limit.
const MAX_JSON_DEPTH: usize = 10_000;

const END_OF_INPUT: &str = "unexpected end of JSON input";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// Go's `checkValid`: the scanner's state machine over the whole input, iteratively.
fn check_syntax(b: &[u8]) -> Result<(), String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Ctx {
        ObjectKey,
        ObjectValue,
        Array,
    }
    let mut stack: Vec<Ctx> = Vec::new();
    let mut i = 0;
    let skip_space = |i: &mut usize| {
        while *i < b.len() && is_space(b[*i]) {
            *i += 1;
        }
    };
    // Each iteration reads one value then what follows it.
    'value: loop {
        skip_space(&mut i);
        let Some(&c) = b.get(i) else { return Err(END_OF_INPUT.into()) };
        match c {
            b'{' | b'[' if stack.len() >= MAX_JSON_DEPTH => return Err(invalid(c, "exceeded max depth")),
            b'{' => {
                i += 1;
                skip_space(&mut i);
                match b.get(i) {
                    None => return Err(END_OF_INPUT.into()),
                    Some(b'}') => i += 1,
                    Some(b'"') => {
                        stack.push(Ctx::ObjectKey);
                        continue 'value;
                    }
                    Some(&other) => return Err(invalid(other, "looking for beginning of object key string")),
                }
            }
            b'[' => {
                i += 1;
                skip_space(&mut i);
                match b.get(i) {
                    None => return Err(END_OF_INPUT.into()),
                    Some(b']') => i += 1,
                    Some(_) => {
                        stack.push(Ctx::Array);
                        continue 'value;
                    }
                }
            }
            b'"' => {
                i += 1;
                loop {
                    let Some(&s) = b.get(i) else { return Err(END_OF_INPUT.into()) };
                    i += 1;
                    match s {
                        b'"' => break,
                        b'\\' => {
                            let Some(&e) = b.get(i) else { return Err(invalid(b' ', "in string escape code")) };
                            i += 1;
                            match e {
                                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {}
                                b'u' => {
                                    for _ in 0..4 {
                                        let Some(&h) = b.get(i) else {
                                            return Err(invalid(b' ', "in \\u hexadecimal character escape"));
                                        };
                                        if !h.is_ascii_hexdigit() {
                                            return Err(invalid(h, "in \\u hexadecimal character escape"));
                                        }
                                        i += 1;
                                    }
                                }
                                other => return Err(invalid(other, "in string escape code")),
                            }
                        }
                        s if s < 0x20 => return Err(invalid(s, "in string literal")),
                        _ => {}
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                if c == b'-' {
                    i += 1;
                    match b.get(i) {
                        None => return Err(invalid(b' ', "in numeric literal")),
                        Some(b'0'..=b'9') => {}
                        Some(&other) => return Err(invalid(other, "in numeric literal")),
                    }
                }
                if b[i] == b'0' {
                    i += 1;
                } else {
                    while b.get(i).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                    }
                }
                if b.get(i) == Some(&b'.') {
                    i += 1;
                    match b.get(i) {
                        None => return Err(invalid(b' ', "after decimal point in numeric literal")),
                        Some(b'0'..=b'9') => {}
                        Some(&other) => return Err(invalid(other, "after decimal point in numeric literal")),
                    }
                    while b.get(i).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                    }
                }
                if matches!(b.get(i), Some(b'e' | b'E')) {
                    i += 1;
                    if matches!(b.get(i), Some(b'+' | b'-')) {
                        i += 1;
                    }
                    match b.get(i) {
                        None => return Err(invalid(b' ', "in exponent of numeric literal")),
                        Some(b'0'..=b'9') => {}
                        Some(&other) => return Err(invalid(other, "in exponent of numeric literal")),
                    }
                    while b.get(i).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                    }
                }
                // A number only ends when something follows it; at the very end Go's
                // scanner completes it successfully.
            }
            b't' | b'f' | b'n' => {
                let word: &[u8] = match c {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                let name = std::str::from_utf8(word).unwrap_or("");
                for (k, &expected) in word.iter().enumerate().skip(1) {
                    // At the end of input Go's scanner feeds a space, so the error names ' '.
                    let got = b.get(i + k).copied().unwrap_or(b' ');
                    if got != expected {
                        return Err(invalid(got, &format!("in literal {name} (expecting {})", quote_char(expected))));
                    }
                }
                i += word.len();
            }
            other => return Err(invalid(other, "looking for beginning of value")),
        }
        // After a complete value.
        loop {
            skip_space(&mut i);
            let Some(ctx) = stack.last().copied() else {
                return match b.get(i) {
                    None => Ok(()),
                    Some(&other) => Err(invalid(other, "after top-level value")),
                };
            };
            let Some(&c) = b.get(i) else { return Err(END_OF_INPUT.into()) };
            i += 1;
            match (ctx, c) {
                (Ctx::ObjectKey, b':') => {
                    if let Some(top) = stack.last_mut() {
                        *top = Ctx::ObjectValue;
                    }
                    continue 'value;
                }
                (Ctx::ObjectKey, _) => return Err(invalid(c, "after object key")),
                (Ctx::ObjectValue, b',') => {
                    if let Some(top) = stack.last_mut() {
                        *top = Ctx::ObjectKey;
                    }
                    skip_space(&mut i);
                    match b.get(i) {
                        None => return Err(END_OF_INPUT.into()),
                        Some(b'"') => continue 'value,
                        Some(&other) => return Err(invalid(other, "looking for beginning of object key string")),
                    }
                }
                (Ctx::ObjectValue, b'}') | (Ctx::Array, b']') => {
                    stack.pop();
                }
                (Ctx::ObjectValue, _) => return Err(invalid(c, "after object key:value pair")),
                (Ctx::Array, b',') => continue 'value,
                (Ctx::Array, _) => return Err(invalid(c, "after array element")),
            }
        }
    }
}

/// Decodes syntactically valid JSON (checked first) into a value, iteratively.
struct Decoder<'a> {
    bytes: &'a [u8],
    at: usize,
    first_error: Option<String>,
}

enum Open {
    List(Vec<Value>),
    Map(BTreeMap<String, Value>, Option<String>),
}

impl Decoder<'_> {
    fn skip_space(&mut self) {
        while self.at < self.bytes.len() && is_space(self.bytes[self.at]) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> u8 {
        self.skip_space();
        self.bytes.get(self.at).copied().unwrap_or(0)
    }

    fn value(&mut self) -> Value {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            // Read the next key (inside objects) or value start.
            if let Some(Open::Map(_, key @ None)) = stack.last_mut() {
                match self.peek() {
                    b'}' => {}
                    b',' => {
                        self.at += 1;
                        continue;
                    }
                    _ => {
                        let name = self.string();
                        self.peek();
                        self.at += 1; // ':'
                        *key = Some(name);
                    }
                }
            }
            let c = self.peek();
            let mut done = match c {
                b'{' => {
                    self.at += 1;
                    stack.push(Open::Map(BTreeMap::new(), None));
                    None
                }
                b'[' => {
                    self.at += 1;
                    stack.push(Open::List(Vec::new()));
                    None
                }
                b'}' | b']' => {
                    self.at += 1;
                    match stack.pop() {
                        Some(Open::List(items)) => Some(Value::list(items)),
                        Some(Open::Map(map, _)) => Some(Value::map(map)),
                        None => Some(Value::Nil),
                    }
                }
                b',' => {
                    self.at += 1;
                    None
                }
                b'"' => Some(Value::str(self.string())),
                b't' => {
                    self.at += 4;
                    Some(Value::Bool(true))
                }
                b'f' => {
                    self.at += 5;
                    Some(Value::Bool(false))
                }
                b'n' => {
                    self.at += 4;
                    Some(Value::Nil)
                }
                _ => Some(self.number()),
            };
            // Attach completed values to their parents.
            while let Some(value) = done.take() {
                match stack.last_mut() {
                    None => return value,
                    Some(Open::List(items)) => items.push(value),
                    Some(Open::Map(map, key)) => {
                        if let Some(name) = key.take() {
                            map.insert(name, value);
                        }
                    }
                }
            }
        }
    }

    fn number(&mut self) -> Value {
        let start = self.at;
        while self.at < self.bytes.len()
            && matches!(self.bytes[self.at], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        {
            self.at += 1;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Value::Float(f),
            _ => {
                if self.first_error.is_none() {
                    self.first_error =
                        Some(format!("json: cannot unmarshal number {text} into Go value of type float64"));
                }
                Value::Nil
            }
        }
    }

    /// A string literal at `self.at` (syntax already checked); bad surrogates become U+FFFD.
    fn string(&mut self) -> String {
        self.at += 1;
        let mut out = String::new();
        let mut raw_start = self.at;
        while self.at < self.bytes.len() {
            match self.bytes[self.at] {
                b'"' => break,
                b'\\' => {
                    out.push_str(&String::from_utf8_lossy(&self.bytes[raw_start..self.at]));
                    self.at += 1;
                    let escape = self.bytes.get(self.at).copied().unwrap_or(b'"');
                    self.at += 1;
                    match escape {
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4();
                            if (0xD800..0xDC00).contains(&first)
                                && self.bytes.get(self.at) == Some(&b'\\')
                                && self.bytes.get(self.at + 1) == Some(&b'u')
                            {
                                let save = self.at;
                                self.at += 2;
                                let second = self.hex4();
                                if (0xDC00..0xE000).contains(&second) {
                                    let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                                    out.push(char::from_u32(combined).unwrap_or('\u{fffd}'));
                                } else {
                                    out.push('\u{fffd}');
                                    self.at = save;
                                }
                            } else {
                                out.push(char::from_u32(first).unwrap_or('\u{fffd}'));
                            }
                        }
                        other => out.push(char::from(other)),
                    }
                    raw_start = self.at;
                }
                _ => self.at += 1,
            }
        }
        out.push_str(&String::from_utf8_lossy(&self.bytes[raw_start..self.at.min(self.bytes.len())]));
        self.at += 1;
        out
    }

    fn hex4(&mut self) -> u32 {
        let end = (self.at + 4).min(self.bytes.len());
        let digits = std::str::from_utf8(&self.bytes[self.at..end]).unwrap_or("");
        self.at = end;
        u32::from_str_radix(digits, 16).unwrap_or(0xfffd)
    }
}
