//! Helm's `fromToml`: BurntSushi/toml's decoder (v1.4, TOML 1.0) into `map[string]interface{}`.
//!
//! Integers become `int64`, floats `float64`, date-times Go `time.Time` values (local ones in
//! the zones `datetime-local`, `date-local` and `time-local`, as that decoder names them),
//! arrays lists and tables maps. Error texts follow the decoder's
//! (`toml: line 2 (last key "a"): Key 'a' has already been defined.`); an error found at the
//! end of the input reports line 0, as it does.

use std::collections::BTreeMap;

use crate::template::funcs::sprig::date::GoTime;
use crate::value::{Map, Value};

/// Deepest nesting of arrays and inline tables accepted, so hostile input cannot exhaust the stack.
const MAX_NESTING: usize = 500;

/// Parses `text` as a TOML document.
pub fn decode(text: &str) -> Result<Map, String> {
    // A byte order mark at the start is skipped.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser { chars: text.chars().collect(), pos: 0, line: 1, last_key: String::new() };
    let mut root = Table::new(Origin::Explicit);
    parser.document(&mut root)?;
    Ok(root.into_map())
}

/// How a table came to exist, which decides whether it may be defined or extended later.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Created by a `[header]` (or the root): no second header for it.
    Explicit,
    /// Created on the way to a deeper `[a.b]` header: a later `[a]` may still define it.
    Implicit,
    /// Created by a dotted key (`a.b = 1`): extended by more dotted keys only.
    Dotted,
    /// An inline `{...}` table: closed.
    Inline,
}

enum Node {
    Plain(Value),
    Table(Table),
    /// `[[name]]` entries; `closed` for an array written inline (`a = [{...}]`).
    Tables {
        tables: Vec<Table>,
        closed: bool,
    },
}

struct Table {
    entries: BTreeMap<String, Node>,
    origin: Origin,
}

impl Table {
    fn new(origin: Origin) -> Table {
        Table { entries: BTreeMap::new(), origin }
    }

    fn into_map(self) -> Map {
        self.entries.into_iter().map(|(key, node)| (key, node.into_value())).collect()
    }
}

impl Node {
    fn into_value(self) -> Value {
        match self {
            Node::Plain(value) => value,
            Node::Table(table) => Value::map(table.into_map()),
            Node::Tables { tables, .. } => Value::list(tables.into_iter().map(|t| Value::map(t.into_map())).collect()),
        }
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    /// The full key being worked on, for error texts.
    last_key: String,
}

/// An array or inline-table value under construction: nested tables stay typed so inline
/// tables in arrays can be recognised.
enum Parsed {
    Value(Value),
    Inline(Table),
    Array(Vec<Parsed>),
}

impl Parsed {
    fn into_node(self) -> Node {
        match self {
            Parsed::Value(value) => Node::Plain(value),
            Parsed::Inline(table) => Node::Table(table),
            Parsed::Array(items) => {
                Node::Plain(Value::list(items.into_iter().map(|p| p.into_node().into_value()).collect()))
            }
        }
    }
}

fn is_bare_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn quote_go(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%q` of a single character, as the decoder's messages print found characters.
fn quote_char(c: Option<char>) -> String {
    match c {
        None => "'\\x00'".into(),
        Some('\'') => "'\\''".into(),
        Some('\n') => "'\\n'".into(),
        Some('\t') => "'\\t'".into(),
        Some('\r') => "'\\r'".into(),
        Some(c) if (c as u32) < 0x20 || c as u32 == 0x7f => format!("'\\x{:02x}'", c as u32),
        Some(c) => format!("'{c}'"),
    }
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn starts_with(&self, text: &str) -> bool {
        text.chars().enumerate().all(|(i, c)| self.peek_at(i) == Some(c))
    }

    /// An error at the current position, in the decoder's format; errors met at the end of
    /// the input say line 0, as the decoder's do.
    fn error(&self, message: impl AsRef<str>) -> String {
        let line = if self.pos >= self.chars.len() { 0 } else { self.line };
        self.error_at(line, message)
    }

    /// An error on `line`, with the last key when there is one.
    fn error_at(&self, line: usize, message: impl AsRef<str>) -> String {
        if self.last_key.is_empty() {
            format!("toml: line {line}: {}", message.as_ref())
        } else {
            format!("toml: line {line} (last key {}): {}", quote_go(&self.last_key), message.as_ref())
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }

    fn skip_comment(&mut self) -> Result<(), String> {
        if self.peek() == Some('#') {
            while let Some(c) = self.peek() {
                if c == '\n' || (c == '\r' && self.peek_at(1) == Some('\n')) {
                    break;
                }
                if (c as u32) < 0x20 && c != '\t' || c as u32 == 0x7f {
                    return Err(
                        self.error(format!("control characters are not allowed in comments: {}", quote_char(Some(c))))
                    );
                }
                self.pos += 1;
            }
        }
        Ok(())
    }

    /// Blanks, comments and line breaks between items.
    fn skip_space_lines(&mut self) -> Result<(), String> {
        loop {
            self.skip_blanks();
            self.skip_comment()?;
            match self.peek() {
                Some('\n') => {
                    self.bump();
                }
                Some('\r') if self.peek_at(1) == Some('\n') => {
                    self.bump();
                    self.bump();
                }
                _ => return Ok(()),
            }
        }
    }

    /// The end of an item: blanks, an optional comment, then a line break or the end.
    fn end_of_item(&mut self) -> Result<(), String> {
        self.skip_blanks();
        self.skip_comment()?;
        match self.peek() {
            None => Ok(()),
            Some('\n') => {
                self.bump();
                Ok(())
            }
            Some('\r') if self.peek_at(1) == Some('\n') => {
                self.bump();
                self.bump();
                Ok(())
            }
            Some(c) => {
                self.last_key.clear();
                Err(self.error(format!(
                    "expected a top-level item to end with a newline, comment, or EOF, but got {} instead",
                    quote_char(Some(c))
                )))
            }
        }
    }

    fn document(&mut self, root: &mut Table) -> Result<(), String> {
        // The table key/value lines currently go into, as a path from the root.
        let mut current: Vec<String> = Vec::new();
        loop {
            self.skip_space_lines()?;
            match self.peek() {
                None => return Ok(()),
                Some('[') => {
                    current = self.header(root)?;
                }
                Some(_) => {
                    let table = walk_mut(root, &current).ok_or_else(|| self.error("internal: lost table"))?;
                    let prefix = current.clone();
                    self.key_value(table, &prefix, 0)?;
                }
            }
            self.end_of_item()?;
        }
    }

    /// `[a.b]` or `[[a.b]]`; returns the path key/value lines then go into.
    fn header(&mut self, root: &mut Table) -> Result<Vec<String>, String> {
        self.last_key.clear();
        self.bump();
        let array = self.peek() == Some('[');
        if array {
            self.bump();
        }
        self.skip_blanks();
        let key = self.key()?;
        if key.len() > MAX_NESTING {
            return Err(self.error(format!("nesting deeper than {MAX_NESTING} levels")));
        }
        self.skip_blanks();
        let close = if array { "]]" } else { "]" };
        if !self.starts_with(close) {
            let found = self.peek();
            return Err(self.error(format!(
                "expected '.' or '{close}' to end {} name, but got {} instead",
                if array { "array of tables" } else { "table" },
                quote_char(found)
            )));
        }
        for _ in 0..close.len() {
            self.bump();
        }
        let already = || format!("Key '{}' has already been defined.", key.join("."));
        let Some((last, parents)) = key.split_last() else { return Err(self.error("key name appears blank")) };
        let mut table = &mut *root;
        let mut path = Vec::new();
        for part in parents {
            table = match descend(table, part) {
                Some(next) => next,
                None => return Err(self.error_at(self.line, already())),
            };
            path.push(part.clone());
        }
        if array {
            match table.entries.entry(last.clone()).or_insert(Node::Tables { tables: Vec::new(), closed: false }) {
                Node::Tables { tables, closed: false } => tables.push(Table::new(Origin::Explicit)),
                _ => {
                    return Err(self.error_at(
                        self.line,
                        format!("Key '{}' was already created and cannot be used as an array.", key.join(".")),
                    ));
                }
            }
        } else {
            match table.entries.get_mut(last) {
                None => {
                    table.entries.insert(last.clone(), Node::Table(Table::new(Origin::Explicit)));
                }
                // The decoder lets a header define a table made on the way to another header
                // or by dotted keys.
                Some(Node::Table(existing)) if matches!(existing.origin, Origin::Implicit | Origin::Dotted) => {
                    existing.origin = Origin::Explicit;
                }
                Some(_) => return Err(self.error_at(self.line, already())),
            }
        }
        path.push(last.clone());
        self.last_key = key.join(".");
        Ok(path)
    }

    /// A possibly dotted key.
    fn key(&mut self) -> Result<Vec<String>, String> {
        let mut parts = vec![self.simple_key()?];
        loop {
            self.skip_blanks();
            if self.peek() != Some('.') {
                return Ok(parts);
            }
            self.bump();
            self.skip_blanks();
            parts.push(self.simple_key()?);
        }
    }

    fn simple_key(&mut self) -> Result<String, String> {
        match self.peek() {
            Some('"') => {
                self.bump();
                self.basic_string()
            }
            Some('\'') => {
                self.bump();
                self.literal_string()
            }
            Some(c) if is_bare_key_char(c) => {
                let start = self.pos;
                while self.peek().is_some_and(is_bare_key_char) {
                    self.pos += 1;
                }
                Ok(self.chars[start..self.pos].iter().collect())
            }
            Some('=') => Err(self.error("unexpected '=': key name appears blank")),
            found => Err(self.error(format!("expected '.' or '=', but got {} instead", quote_char(found)))),
        }
    }

    /// `key = value` into `table`, whose full path is `prefix` (for messages).
    fn key_value(&mut self, table: &mut Table, prefix: &[String], depth: usize) -> Result<(), String> {
        let key = self.key()?;
        let mut full: Vec<String> = prefix.to_vec();
        full.extend(key.iter().cloned());
        if full.len() + depth > MAX_NESTING {
            return Err(self.error(format!("nesting deeper than {MAX_NESTING} levels")));
        }
        self.last_key = full.join(".");
        self.skip_blanks();
        if self.peek() != Some('=') {
            self.last_key.clear();
            // The decoder counts this one from the line before.
            let line = self.line.saturating_sub(usize::from(self.peek().is_none()));
            return Err(match self.peek() {
                None => self.error_at(line, "unexpected EOF; expected key separator '='"),
                found => self.error(format!("expected '.' or '=', but got {} instead", quote_char(found))),
            });
        }
        self.bump();
        self.skip_blanks();
        let already = format!("Key '{}' has already been defined.", full.join("."));
        let line = self.line;
        let value = self.value(&full, depth)?;
        let Some((last, parents)) = key.split_last() else { return Err(self.error("key name appears blank")) };
        let mut target = &mut *table;
        for part in parents {
            let next = target.entries.entry(part.clone()).or_insert_with(|| Node::Table(Table::new(Origin::Dotted)));
            target = match next {
                Node::Table(t) if t.origin == Origin::Dotted || t.origin == Origin::Implicit => t,
                _ => return Err(format!("toml: line {line} (last key {}): {already}", quote_go(&full.join(".")))),
            };
        }
        // The decoder keeps a table made by dotted keys when the same key is then given a value.
        if let Some(Node::Table(existing)) = target.entries.get(last) {
            if matches!(existing.origin, Origin::Dotted | Origin::Implicit) {
                return Ok(());
            }
        }
        if target.entries.contains_key(last) {
            return Err(format!("toml: line {line} (last key {}): {already}", quote_go(&full.join("."))));
        }
        target.entries.insert(last.clone(), value.into_node());
        Ok(())
    }

    fn value(&mut self, key: &[String], depth: usize) -> Result<Parsed, String> {
        if depth > MAX_NESTING {
            return Err(self.error(format!("nesting deeper than {MAX_NESTING} levels")));
        }
        match self.peek() {
            None => Err(self.error("unexpected EOF; expected value")),
            Some('"') => {
                if self.starts_with("\"\"\"") {
                    self.pos += 3;
                    self.multiline_basic_string().map(|s| Parsed::Value(Value::str(s)))
                } else {
                    self.bump();
                    self.basic_string().map(|s| Parsed::Value(Value::str(s)))
                }
            }
            Some('\'') => {
                if self.starts_with("'''") {
                    self.pos += 3;
                    self.multiline_literal_string().map(|s| Parsed::Value(Value::str(s)))
                } else {
                    self.bump();
                    self.literal_string().map(|s| Parsed::Value(Value::str(s)))
                }
            }
            Some('[') => {
                self.bump();
                self.array(key, depth)
            }
            Some('{') => {
                self.bump();
                self.inline_table(key, depth)
            }
            Some(_) => self.atom(),
        }
    }

    fn array(&mut self, key: &[String], depth: usize) -> Result<Parsed, String> {
        let mut items = Vec::new();
        loop {
            self.skip_space_lines()?;
            match self.peek() {
                Some(']') => {
                    self.bump();
                    return Ok(Parsed::Array(items));
                }
                Some(',') => return Err(self.error("unexpected comma")),
                _ => {}
            }
            items.push(self.value(key, depth + 1)?);
            self.skip_space_lines()?;
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {}
                None => {
                    return Err(self.error("expected a comma (',') or array terminator (']'), but got end of file"));
                }
                Some(c) => {
                    return Err(self.error(format!(
                        "expected a comma (',') or array terminator (']'), but got {}",
                        quote_char(Some(c))
                    )));
                }
            }
        }
    }

    fn inline_table(&mut self, key: &[String], depth: usize) -> Result<Parsed, String> {
        let mut table = Table::new(Origin::Inline);
        self.skip_blanks();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Parsed::Inline(table));
        }
        loop {
            self.skip_blanks();
            self.key_value(&mut table, key, depth + 1)?;
            self.skip_blanks();
            match self.peek() {
                Some(',') => {
                    self.bump();
                    self.skip_blanks();
                    if self.peek() == Some('}') {
                        return Err(self.error("trailing comma not allowed in inline tables"));
                    }
                }
                Some('}') => {
                    self.bump();
                    self.last_key = key.join(".");
                    close_dotted(&mut table);
                    return Ok(Parsed::Inline(table));
                }
                None => {
                    return Err(
                        self.error("expected a comma or an inline table terminator '}', but got end of file instead")
                    );
                }
                Some(c) => {
                    return Err(self.error(format!(
                        "expected a comma or an inline table terminator '}}', but got {} instead",
                        quote_char(Some(c))
                    )));
                }
            }
        }
    }

    fn basic_string(&mut self) -> Result<String, String> {
        let mut out = String::new();
        loop {
            match self.peek() {
                None | Some('\n') => return Err(self.error("unexpected EOF; expected '\"'")),
                Some('"') => {
                    self.bump();
                    return Ok(out);
                }
                Some('\\') => {
                    self.bump();
                    out.push(self.escape()?);
                }
                Some(c) if ((c as u32) < 0x20 && c != '\t') || c as u32 == 0x7f => {
                    return Err(
                        self.error(format!("control characters are not allowed in strings: {}", quote_char(Some(c))))
                    );
                }
                Some(c) => {
                    self.bump();
                    out.push(c);
                }
            }
        }
    }

    fn escape(&mut self) -> Result<char, String> {
        let c = self.bump();
        Ok(match c {
            Some('b') => '\u{8}',
            Some('t') => '\t',
            Some('n') => '\n',
            Some('f') => '\u{c}',
            Some('r') => '\r',
            Some('"') => '"',
            Some('\\') => '\\',
            Some(u @ ('u' | 'U')) => {
                let len = if u == 'u' { 4 } else { 8 };
                let digits: String = (0..len).filter_map(|_| self.bump()).collect();
                let code = u32::from_str_radix(&digits, 16)
                    .ok()
                    .filter(|_| digits.len() == len && digits.chars().all(|d| d.is_ascii_hexdigit()));
                match (code, code.and_then(char::from_u32)) {
                    (_, Some(decoded)) => decoded,
                    (Some(_), None) => {
                        return Err(self.error(format!("Escaped character '\\{u}{digits}' is not valid UTF-8.")));
                    }
                    (None, None) => return Err(self.error(format!("invalid escape sequence: \\{u}{digits}"))),
                }
            }
            Some(other) => return Err(self.error(format!("invalid escape in string '\\{other}'"))),
            None => return Err(self.error("unexpected EOF; expected '\"'")),
        })
    }

    fn multiline_basic_string(&mut self) -> Result<String, String> {
        self.skip_first_newline();
        let mut out = String::new();
        loop {
            if self.close_multiline('"', &mut out) {
                return Ok(out);
            }
            match self.peek() {
                None => return Err(self.error("unexpected EOF; expected '\"\"\"'")),
                Some('\\') => {
                    self.bump();
                    // A backslash at the end of a line trims the break and following blanks.
                    let mut look = self.pos;
                    while matches!(self.chars.get(look), Some(' ' | '\t')) {
                        look += 1;
                    }
                    if matches!(self.chars.get(look), Some('\n' | '\r')) {
                        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
                            self.bump();
                        }
                    } else {
                        out.push(self.escape()?);
                    }
                }
                Some(c) if ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || c as u32 == 0x7f => {
                    return Err(
                        self.error(format!("control characters are not allowed in strings: {}", quote_char(Some(c))))
                    );
                }
                Some(c) => {
                    self.bump();
                    out.push(c);
                }
            }
        }
    }

    fn literal_string(&mut self) -> Result<String, String> {
        let mut out = String::new();
        loop {
            match self.peek() {
                None | Some('\n') => return Err(self.error("unexpected EOF; expected \"'\"")),
                Some('\'') => {
                    self.bump();
                    return Ok(out);
                }
                Some(c) if ((c as u32) < 0x20 && c != '\t') || c as u32 == 0x7f => {
                    return Err(
                        self.error(format!("control characters are not allowed in strings: {}", quote_char(Some(c))))
                    );
                }
                Some(c) => {
                    self.bump();
                    out.push(c);
                }
            }
        }
    }

    /// At a closing `"""` (or `'''`), consumes it and returns true. Up to two quotes right before
    /// the closing delimiter belong to the string.
    fn close_multiline(&mut self, quote: char, out: &mut String) -> bool {
        if self.peek_at(0) != Some(quote) || self.peek_at(1) != Some(quote) || self.peek_at(2) != Some(quote) {
            return false;
        }
        let mut quotes = 3;
        while quotes < 5 && self.peek_at(quotes) == Some(quote) {
            quotes += 1;
        }
        out.extend(std::iter::repeat_n(quote, quotes - 3));
        self.pos += quotes;
        true
    }

    fn multiline_literal_string(&mut self) -> Result<String, String> {
        self.skip_first_newline();
        let mut out = String::new();
        loop {
            if self.close_multiline('\'', &mut out) {
                return Ok(out);
            }
            match self.bump() {
                None => return Err(self.error("unexpected EOF; expected \"'''\"")),
                Some(c) => out.push(c),
            }
        }
    }

    fn skip_first_newline(&mut self) {
        if self.peek() == Some('\n') {
            self.bump();
        } else if self.starts_with("\r\n") {
            self.bump();
            self.bump();
        }
    }

    /// A bare value: boolean, number or date-time.
    fn atom(&mut self) -> Result<Parsed, String> {
        let start = self.pos;
        // A date and a time may be separated by one space.
        while let Some(c) = self.peek() {
            let date_time_space = c == ' '
                && self.pos - start == 10
                && self.chars[start..self.pos].iter().filter(|c| **c == '-').count() == 2
                && self.peek_at(1).is_some_and(|d| d.is_ascii_digit());
            if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_' | ':') || date_time_space {
                self.pos += 1;
            } else {
                break;
            }
        }
        let mut text: String = self.chars[start..self.pos].iter().collect();
        // `inf` and `nan` end where their letters end (`infinity` leaves `inity` behind).
        for special in ["+inf", "-inf", "inf", "+nan", "-nan", "nan"] {
            if text.len() > special.len() && text.starts_with(special) {
                self.pos = start + special.chars().count();
                text.truncate(special.len());
                break;
            }
        }
        match text.as_str() {
            "true" => return Ok(Parsed::Value(Value::Bool(true))),
            "false" => return Ok(Parsed::Value(Value::Bool(false))),
            "inf" | "+inf" => return Ok(Parsed::Value(Value::Float(f64::INFINITY))),
            "-inf" => return Ok(Parsed::Value(Value::Float(f64::NEG_INFINITY))),
            "nan" | "+nan" | "-nan" => return Ok(Parsed::Value(Value::Float(f64::NAN))),
            "" => {
                return Err(self.error(format!("expected value but found {} instead", quote_char(self.peek()))));
            }
            _ => {}
        }
        let bytes = text.as_bytes();
        let looks_like_time = bytes.len() >= 5 && bytes[2] == b':';
        let looks_like_date = bytes.len() >= 10 && bytes[4] == b'-' && bytes[7] == b'-';
        if looks_like_date || looks_like_time {
            return match parse_datetime(&text) {
                Some(time) => Ok(Parsed::Value(time.to_value())),
                None => Err(self.error_at(self.line, format!("invalid datetime: {}", quote_go(&text)))),
            };
        }
        if !text.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-') {
            return Err(self.error_at(self.line, format!("expected value but found {} instead", quote_go(&text))));
        }
        self.number(&text).map(Parsed::Value)
    }

    fn number(&self, text: &str) -> Result<Value, String> {
        let (sign, body) = match text.as_bytes().first() {
            Some(b'+') => ("", &text[1..]),
            Some(b'-') => ("-", &text[1..]),
            _ => ("", text),
        };
        for (prefix, radix, name) in [("0x", 16, "hexidecimal"), ("0o", 8, "octal"), ("0b", 2, "binary")] {
            if let Some(digits) = body.strip_prefix(prefix) {
                if text.starts_with(['+', '-']) {
                    return Err(
                        self.error_at(self.line, format!("cannot use sign with non-decimal numbers: '{}'", &text[..3]))
                    );
                }
                if !underscores_ok(digits) || digits.is_empty() {
                    return Err(self.error_at(self.line, format!("not a {name} number: '{text}\0'")));
                }
                let clean = digits.replace('_', "");
                return match i64::from_str_radix(&clean, radix) {
                    Ok(n) => Ok(Value::Int64(n)),
                    Err(_) if clean.chars().all(|c| c.is_digit(radix)) => {
                        Err(self.error_at(self.line, format!("{text} is out of range for int64")))
                    }
                    Err(_) => {
                        Err(self.error_at(self.line, format!("expected value but found {} instead", quote_go(text))))
                    }
                };
            }
        }
        let is_float = body.contains(['.', 'e', 'E']);
        if !is_float {
            if !body.bytes().all(|b| b.is_ascii_digit() || b == b'_') || body.is_empty() {
                return Err(self.error_at(self.line, format!("expected value but found {} instead", quote_go(text))));
            }
            if !underscores_ok(body) {
                return Err(self.error_at(
                    self.line,
                    format!("Invalid integer {}: underscores must be surrounded by digits", quote_go(text)),
                ));
            }
            if body.len() > 1 && body.starts_with('0') {
                return Err(
                    self.error_at(self.line, format!("Invalid integer {}: cannot have leading zeroes", quote_go(text)))
                );
            }
            let clean = format!("{sign}{}", body.replace('_', ""));
            return clean
                .parse::<i64>()
                .map(Value::Int64)
                .map_err(|_| self.error_at(self.line, format!("{text} is out of range for int64")));
        }
        let valid_chars =
            body.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'e' | b'E' | b'+' | b'-'));
        if !valid_chars {
            return Err(self.error_at(self.line, format!("expected value but found {} instead", quote_go(text))));
        }
        if !underscores_ok(body) {
            return Err(self.error_at(
                self.line,
                format!("Invalid float {}: underscores must be surrounded by digits", quote_go(text)),
            ));
        }
        let clean = body.replace('_', "");
        let (mantissa, exponent) = match clean.find(['e', 'E']) {
            Some(i) => (&clean[..i], Some(&clean[i + 1..])),
            None => (clean.as_str(), None),
        };
        if let Some((int_part, frac)) = mantissa.split_once('.') {
            if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(self.error_at(
                    self.line,
                    format!("Invalid float {}: '.' must be followed by one or more digits", quote_go(text)),
                ));
            }
            if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(self.error_at(self.line, format!("Invalid float value: {}", quote_go(text))));
            }
        }
        let int_part = mantissa.split('.').next().unwrap_or("");
        if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error_at(self.line, format!("Invalid float value: {}", quote_go(text))));
        }
        if int_part.len() > 1 && int_part.starts_with('0') {
            return Err(
                self.error_at(self.line, format!("Invalid float {}: cannot have leading zeroes", quote_go(text)))
            );
        }
        if let Some(exp) = exponent {
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(self.error_at(self.line, format!("Invalid float value: {}", quote_go(text))));
            }
        }
        match format!("{sign}{clean}").parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(self.error_at(self.line, format!("{text} is out of range for float64"))),
        }
    }
}

/// Underscores only between two digits.
fn underscores_ok(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, b)| {
        *b != b'_'
            || (i > 0 && i + 1 < bytes.len() && bytes[i - 1].is_ascii_hexdigit() && bytes[i + 1].is_ascii_hexdigit())
    })
}

/// Tables made by dotted keys inside an inline table are closed along with it.
fn close_dotted(table: &mut Table) {
    for node in table.entries.values_mut() {
        if let Node::Table(inner) = node {
            inner.origin = Origin::Inline;
            close_dotted(inner);
        }
    }
}

/// The table at `path` below `root`, following the last entry of arrays of tables.
fn walk_mut<'a>(root: &'a mut Table, path: &[String]) -> Option<&'a mut Table> {
    let mut table = root;
    for part in path {
        table = match table.entries.get_mut(part)? {
            Node::Table(t) => t,
            Node::Tables { tables, .. } => tables.last_mut()?,
            Node::Plain(_) => return None,
        };
    }
    Some(table)
}

/// One step of a `[header]` path: an existing table or the last `[[array]]` entry, or a new
/// implicit table; `None` when the name holds a value or an inline array of tables.
fn descend<'a>(table: &'a mut Table, part: &str) -> Option<&'a mut Table> {
    let node = table.entries.entry(part.to_string()).or_insert_with(|| Node::Table(Table::new(Origin::Implicit)));
    match node {
        // The decoder lets headers reach into inline tables too.
        Node::Table(t) => Some(t),
        Node::Tables { tables, closed: false } => tables.last_mut(),
        _ => None,
    }
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn fixed_digits(text: &str, len: usize) -> Option<u32> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// `YYYY-MM-DD`.
fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
    let year = fixed_digits(text.get(0..4)?, 4)?;
    let month = fixed_digits(text.get(5..7)?, 2)?;
    let day = fixed_digits(text.get(8..10)?, 2)?;
    if text.len() != 10 || &text[4..5] != "-" || &text[7..8] != "-" || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (day <= days_in_month).then_some((i64::from(year), month, day))
}

/// `HH:MM:SS[.fraction]`: seconds of the day and nanoseconds (extra digits are dropped).
fn parse_time(text: &str) -> Option<(i64, u32)> {
    let hour = fixed_digits(text.get(0..2)?, 2)?;
    let minute = fixed_digits(text.get(3..5)?, 2)?;
    let second = fixed_digits(text.get(6..8)?, 2)?;
    if &text[2..3] != ":" || &text[5..6] != ":" || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut nanos = 0u32;
    let rest = &text[8..];
    if !rest.is_empty() {
        let fraction = rest.strip_prefix('.')?;
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let nine: String = fraction.chars().chain(std::iter::repeat('0')).take(9).collect();
        nanos = nine.parse().ok()?;
    }
    Some((i64::from(hour * 3600 + minute * 60 + second), nanos))
}

/// A TOML offset date-time, local date-time, local date or local time.
fn parse_datetime(text: &str) -> Option<GoTime> {
    if text.len() >= 3 && text.as_bytes()[2] == b':' {
        let (seconds, nanos) = parse_time(text)?;
        return Some(GoTime::with_zone(days_from_civil(0, 1, 1) * 86_400 + seconds, nanos, 0, "time-local"));
    }
    let (year, month, day) = parse_date(text.get(0..10)?)?;
    let days = days_from_civil(year, month, day);
    if text.len() == 10 {
        return Some(GoTime::with_zone(days * 86_400, 0, 0, "date-local"));
    }
    let separator = text.as_bytes()[10];
    if !matches!(separator, b'T' | b't' | b' ') {
        return None;
    }
    let rest = &text[11..];
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, Some(0))
    } else if rest.len() > 6 && matches!(rest.as_bytes()[rest.len() - 6], b'+' | b'-') {
        let (clock, zone) = rest.split_at(rest.len() - 6);
        let hours = fixed_digits(&zone[1..3], 2)?;
        let minutes = fixed_digits(&zone[4..6], 2)?;
        if &zone[3..4] != ":" || hours > 23 || minutes > 59 {
            return None;
        }
        let seconds = (hours * 3600 + minutes * 60) as i32;
        (clock, Some(if zone.starts_with('-') { -seconds } else { seconds }))
    } else {
        (rest, None)
    };
    let (seconds, nanos) = parse_time(clock)?;
    let local = days * 86_400 + seconds;
    Some(match offset {
        None => GoTime::with_zone(local, nanos, 0, "datetime-local"),
        Some(0) if rest.ends_with(['Z', 'z']) => GoTime::with_zone(local, nanos, 0, "UTC"),
        Some(offset) => GoTime::with_zone(local - i64::from(offset), nanos, offset, ""),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_input_is_refused_without_exhausting_the_stack() {
        let deep_array = format!("a = {}", "[".repeat(100_000));
        assert_eq!(decode(&deep_array).unwrap_err(), "toml: line 1 (last key \"a\"): nesting deeper than 500 levels");
        let deep_inline = format!("a = {}", "{b = ".repeat(100_000));
        assert!(decode(&deep_inline).unwrap_err().ends_with("nesting deeper than 500 levels"));
        let long_key = format!("{} = 1", vec!["k"; 100_000].join("."));
        assert!(decode(&long_key).unwrap_err().ends_with("nesting deeper than 500 levels"));
        let long_header = format!("[{}]", vec!["k"; 100_000].join("."));
        assert!(decode(&long_header).unwrap_err().ends_with("nesting deeper than 500 levels"));
    }

    #[test]
    fn truncated_and_odd_input_never_panics() {
        let document = "a = 1979-05-27T07:32:00.5+05:30\nb = [1, {c = 'x'}]\n[t.\"u\"]\nd = \"\"\"\\\n  e\"\"\"\n[[f]]\ng = 0x1F_0\nh = -inf\n";
        for end in 0..=document.len() {
            if let Some(prefix) = document.get(..end) {
                let _ = decode(prefix);
            }
        }
        for odd in [
            "1979-05-27T",
            "a = 1979-05-27Tx",
            "a = 12:3",
            "a = +",
            "a = 0x_",
            "a = 1e",
            "a = .5",
            "a = 1979-05-27 07",
            "\"",
            "[[a]",
            "a.=1",
        ] {
            let _ = decode(odd);
        }
    }
}
