//! Helm's `toToml`: BurntSushi/toml's encoder (v1.4) applied to a template value.
//!
//! Layout rules, as that encoder has them: in every table the keys holding plain values come
//! first, then the keys holding tables and arrays of tables, each group in byte order; a nested
//! header or key is indented two spaces per level below the top; a blank line precedes each
//! top-level `[table]` and every `[[array]]` entry; nil map entries are left out; floats are
//! printed in full decimal form with at least one fractional digit.

use crate::value::{Map, Value};
use crate::yaml::MAX_ENCODE_DEPTH;

/// What the encoder reports for a nil element in an array.
const NIL_ELEMENT: &str = "toml: cannot encode array with nil element";
/// What the encoder reports for an array of tables without a key (at the top level).
const NO_KEY: &str = "toml: top-level values must be Go maps or structs";

/// Why encoding stopped.
#[derive(Debug, PartialEq)]
pub enum TomlEncodeError {
    /// An error the encoder returns; Helm's `toToml` prints its text as the result.
    Encoder(String),
    /// A nil value at the top: Go's reflection panics, which the template reports.
    NilValue,
}

/// How the encoder classifies a value before writing it.
#[derive(PartialEq)]
enum Kind {
    Nil,
    Table,
    ArrayOfTables,
    Plain,
}

fn kind(value: &Value) -> Result<Kind, TomlEncodeError> {
    Ok(match value {
        Value::Nil => Kind::Nil,
        Value::Map(_) => Kind::Table,
        Value::List(items) if items.is_empty() => Kind::Plain,
        Value::List(items) => {
            if items.iter().any(|item| matches!(item, Value::Nil)) {
                return Err(encoder_error(NIL_ELEMENT));
            }
            if items.iter().all(|item| matches!(item, Value::Map(_))) { Kind::ArrayOfTables } else { Kind::Plain }
        }
        _ => Kind::Plain,
    })
}

fn encoder_error(text: &str) -> TomlEncodeError {
    TomlEncodeError::Encoder(text.to_string())
}

/// Encodes `value` as a TOML document (or, for a non-table value, as a bare TOML value).
pub fn encode(value: &Value) -> Result<String, TomlEncodeError> {
    let mut encoder = Encoder { out: String::new() };
    match value {
        Value::Nil => return Err(TomlEncodeError::NilValue),
        Value::Map(_) => encoder.table_body(&[], value, 0)?,
        _ if kind(value)? == Kind::ArrayOfTables => return Err(encoder_error(NO_KEY)),
        _ => encoder.element(value, 0)?,
    }
    Ok(encoder.out)
}

struct Encoder {
    out: String,
}

/// A key as the encoder writes it: bare when it consists of ASCII letters, digits, `_` and `-`.
fn key_text(key: &str) -> String {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        key.to_string()
    } else {
        quoted(key)
    }
}

/// A basic string: `"` and `\` escaped, control characters as `\b \t \n \f \r` or `\u00XX`.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{0}'..='\u{1f}' | '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `strconv.FormatFloat(f, 'f', -1, 64)` plus `.0` when there is no fraction; `nan`, `+inf`, `-inf`.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+inf".into() } else { "-inf".into() };
    }
    // Rust's Display is the shortest round-trip digits without an exponent, as 'f' with -1.
    let text = f.to_string();
    if text.contains('.') { text } else { text + ".0" }
}

fn dotted(path: &[String]) -> String {
    path.iter().map(|k| key_text(k)).collect::<Vec<_>>().join(".")
}

fn indent(path: &[String]) -> String {
    "  ".repeat(path.len().saturating_sub(1))
}

impl Encoder {
    /// A line break, except at the very start of the output.
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    /// The entries of a table: plain keys first, then tables and arrays of tables.
    fn table_body(&mut self, path: &[String], map: &Value, depth: usize) -> Result<(), TomlEncodeError> {
        let entries = self.entries(map, depth)?;
        let (direct, sub) = partition(&entries)?;
        for (key, value) in direct.into_iter().chain(sub) {
            let mut child = path.to_vec();
            child.push(key.clone());
            self.encode_entry(&child, value, depth + 1)?;
        }
        Ok(())
    }

    fn entries(&mut self, map: &Value, depth: usize) -> Result<Map, TomlEncodeError> {
        if depth > MAX_ENCODE_DEPTH {
            return Err(TomlEncodeError::Encoder(format!(
                "value nesting exceeds the maximum depth of {MAX_ENCODE_DEPTH}"
            )));
        }
        match map {
            // A map that contains itself ends at the depth limit.
            Value::Map(map) => Ok(map.snapshot()),
            _ => Ok(Map::new()),
        }
    }

    fn encode_entry(&mut self, path: &[String], value: &Value, depth: usize) -> Result<(), TomlEncodeError> {
        match kind(value)? {
            Kind::Nil => {}
            Kind::Table => {
                if path.len() == 1 {
                    self.newline();
                }
                self.out.push_str(&format!("{}[{}]", indent(path), dotted(path)));
                self.newline();
                self.table_body(path, value, depth)?;
            }
            Kind::ArrayOfTables => {
                let Value::List(items) = value else { return Ok(()) };
                for item in items.iter() {
                    self.newline();
                    self.out.push_str(&format!("{}[[{}]]", indent(path), dotted(path)));
                    self.newline();
                    self.table_body(path, item, depth + 1)?;
                }
            }
            Kind::Plain => {
                let key = path.last().map(|k| key_text(k)).unwrap_or_default();
                self.out.push_str(&format!("{}{} = ", indent(path), key));
                self.element(value, depth)?;
                self.newline();
            }
        }
        Ok(())
    }

    /// A value on the right of `=` or inside an array.
    fn element(&mut self, value: &Value, depth: usize) -> Result<(), TomlEncodeError> {
        if depth > MAX_ENCODE_DEPTH {
            return Err(TomlEncodeError::Encoder(format!(
                "value nesting exceeds the maximum depth of {MAX_ENCODE_DEPTH}"
            )));
        }
        match value {
            Value::Nil => return Err(encoder_error(NIL_ELEMENT)),
            Value::Bool(b) => self.out.push_str(&b.to_string()),
            Value::Int(i) | Value::Int64(i) => self.out.push_str(&i.to_string()),
            Value::Float(f) => self.out.push_str(&float_text(*f)),
            Value::String(s) => self.out.push_str(&quoted(s)),
            Value::BinaryString(_) => {
                return Err(TomlEncodeError::Encoder(
                    "driftgate cannot encode the binary contents of a file (not UTF-8) as TOML".into(),
                ));
            }
            // A Go []byte is written as the string it holds.
            Value::Bytes(bytes) => self.out.push_str(&quoted(&String::from_utf8_lossy(bytes))),
            Value::Object(object) if object.type_name() == "time.Time" => {
                // The decoder's local date-times keep their TOML form; others are RFC 3339.
                let zone = match object.call_method("Format", &[Value::str("MST")]) {
                    Some(Ok(Value::String(zone))) => zone.to_string(),
                    _ => String::new(),
                };
                let layout = match zone.as_str() {
                    "datetime-local" => "2006-01-02T15:04:05.999999999",
                    "date-local" => "2006-01-02",
                    "time-local" => "15:04:05.999999999",
                    _ => "2006-01-02T15:04:05.999999999Z07:00",
                };
                match object.call_method("Format", &[Value::str(layout)]) {
                    Some(Ok(Value::String(text))) => self.out.push_str(&text),
                    _ => self.out.push_str(&quoted(&object.format_v())),
                }
            }
            Value::Object(object) => self.out.push_str(&quoted(&object.format_v())),
            Value::List(items) => {
                if items.iter().any(|item| matches!(item, Value::Nil)) {
                    return Err(encoder_error(NIL_ELEMENT));
                }
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.element(item, depth + 1)?;
                }
                self.out.push(']');
            }
            Value::Map(_) => {
                let entries = self.entries(value, depth)?;
                let (direct, sub) = partition(&entries)?;
                self.out.push('{');
                let trailing_comma = !sub.is_empty();
                self.inline_entries(&direct, trailing_comma, depth)?;
                self.inline_entries(&sub, false, depth)?;
                self.out.push('}');
            }
        }
        Ok(())
    }

    /// Entries of an inline table; the separator follows the entry's position in the group
    /// (as the encoder does), so a nil last entry can leave a trailing `, `.
    fn inline_entries(
        &mut self,
        entries: &[(&String, &Value)],
        trailing_comma: bool,
        depth: usize,
    ) -> Result<(), TomlEncodeError> {
        for (i, (key, value)) in entries.iter().enumerate() {
            if matches!(value, Value::Nil) {
                continue;
            }
            self.out.push_str(&format!("{} = ", key_text(key)));
            self.element(value, depth + 1)?;
            if trailing_comma || i + 1 != entries.len() {
                self.out.push_str(", ");
            }
        }
        Ok(())
    }
}

type Entries<'a> = Vec<(&'a String, &'a Value)>;

/// Splits a table's entries into plain values and (arrays of) tables, each in byte order.
fn partition(map: &Map) -> Result<(Entries<'_>, Entries<'_>), TomlEncodeError> {
    let (mut direct, mut sub) = (Vec::new(), Vec::new());
    for (key, value) in map {
        match kind(value)? {
            Kind::Table | Kind::ArrayOfTables => sub.push((key, value)),
            Kind::Nil | Kind::Plain => direct.push((key, value)),
        }
    }
    Ok((direct, sub))
}
