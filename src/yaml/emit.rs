//! Helm's `toYaml`: `sigs.k8s.io/yaml.Marshal`, i.e. Go's `json.Marshal`, the JSON read back by
//! go-yaml v2, then go-yaml v2's encoder and emitter.
//!
//! The JSON round trip is simulated instead of performed: numbers take the form JSON would print
//! and YAML would read back (`3.0` -> `3`, `1e21` stays a float), strings go through what the
//! YAML reader does to JSON text (a raw U+0085 is a line break; some code points are refused).
//! The emitter is our own implementation of libyaml's block emitter as go-yaml v2 has it,
//! including go-yaml's own notion of printable characters (no 4-byte characters, the BOM check
//! that looks at the start of the string), so that the output matches Helm byte for byte.

use std::cmp::Ordering;

use super::json;
use super::resolve::{self, Resolved};
use crate::value::{Map, OpenMaps, Value, format_float_g};

/// Go's `time.RFC3339Nano` layout.
const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// Deepest value the encoders accept; templates cannot build deeper values by accident.
pub const MAX_ENCODE_DEPTH: usize = 1000;

/// A value as go-yaml v2 sees it after reading Helm's JSON.
enum Doc {
    /// A plain scalar printed as is (numbers, booleans, null).
    Plain(String),
    Str(String),
    Seq(Vec<Doc>),
    /// Entries already in go-yaml's key order.
    Map(Vec<(String, Doc)>),
}

/// `sigs.k8s.io/yaml.Marshal(value)`: the full document text, with its final newline.
/// Errors are Go's `json.Marshal` errors (e.g. `json: unsupported value: NaN`) or the YAML
/// reader's refusal of a character in the JSON text.
pub fn marshal(value: &Value) -> Result<String, String> {
    let doc = to_doc(value, Flavor::JsonThenV2, 0, &mut OpenMaps::default())?;
    let mut emitter = Emitter::new(Flavor::JsonThenV2);
    emitter.node(&doc, Context::Root);
    emitter.write_indent();
    Ok(emitter.out)
}

/// go-yaml v3's `Encoder` with `SetIndent(2)` (Helm's `toYamlPretty`), fed the values directly:
/// floats keep Go's `%g` form (`1e+06`, `.nan`), sequences are indented under their key, and
/// no line is folded. The full document text, with its final newline; the only error is a
/// value that contains itself or nests too deep.
pub fn marshal_v3(value: &Value) -> Result<String, String> {
    let doc = to_doc(value, Flavor::V3, 0, &mut OpenMaps::default())?;
    let mut emitter = Emitter::new(Flavor::V3);
    emitter.node(&doc, Context::Root);
    emitter.write_indent();
    Ok(emitter.out)
}

/// Which of Helm's two YAML encoders is being imitated; the emitters differ only in line width
/// and in whether a sequence under a mapping key is indented.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// `toYaml`: JSON round trip, then go-yaml v2 (width 80, indentless sequences).
    JsonThenV2,
    /// `toYamlPretty`: go-yaml v3 on the Go values (no width limit, indented sequences).
    V3,
}

/// How go-yaml v3 prints a float64: `strconv.FormatFloat(f, 'g', -1, 64)` with YAML's
/// spellings of the infinities and NaN.
fn v3_float(f: f64) -> String {
    match format_float_g(f).as_str() {
        "+Inf" => ".inf".into(),
        "-Inf" => "-.inf".into(),
        "NaN" => ".nan".into(),
        other => other.into(),
    }
}

const BINARY_V3: &str = "driftgate cannot encode the binary contents of a file (not UTF-8) as go-yaml v3 does";

fn to_doc(value: &Value, flavor: Flavor, depth: usize, open: &mut OpenMaps) -> Result<Doc, String> {
    if depth > MAX_ENCODE_DEPTH {
        return Err(format!("value nesting exceeds the maximum depth of {MAX_ENCODE_DEPTH}"));
    }
    let direct = flavor == Flavor::V3;
    let text = |s: &str| if direct { Ok(s.to_string()) } else { read_back_json_string(s) };
    Ok(match value {
        Value::Nil => Doc::Plain("null".into()),
        Value::Bool(b) => Doc::Plain(b.to_string()),
        Value::Int(i) | Value::Int64(i) => Doc::Plain(i.to_string()),
        Value::Float(f) if direct => Doc::Plain(v3_float(*f)),
        Value::Float(f) if !f.is_finite() => return Err(json::unsupported_float(*f)),
        Value::Float(f) => Doc::Plain(float_after_json_round_trip(*f)),
        Value::String(s) => Doc::Str(text(s)?),
        // Through JSON, each invalid byte becomes U+FFFD; go-yaml v3 would write `!!binary`.
        Value::BinaryString(_) if direct => return Err(BINARY_V3.to_string()),
        Value::BinaryString(b) => Doc::Str(Value::lossy_text(b)),
        // A Go []byte is a slice of small integers to go-yaml, and base64 text to JSON.
        Value::Bytes(bytes) if direct => Doc::Seq(bytes.iter().map(|b| Doc::Plain(b.to_string())).collect()),
        Value::Bytes(bytes) => Doc::Str(json::base64_text(bytes)),
        // go-yaml v3 writes a time.Time as an RFC 3339 timestamp, unquoted.
        Value::Object(object) if direct && object.type_name() == "time.Time" => {
            match object.call_method("Format", &[Value::str(RFC3339_NANO)]) {
                Some(Ok(Value::String(stamp))) => Doc::Plain(stamp.to_string()),
                _ => Doc::Str(object.format_v()),
            }
        }
        // `toYaml` goes through encoding/json, which encodes a struct's fields as a map.
        Value::Object(object)
            if flavor == Flavor::JsonThenV2
                && let Some(fields) = object.json_fields() =>
        {
            let map: Map = fields.into_iter().collect();
            return to_doc(&Value::map(map), flavor, depth, open);
        }
        Value::Object(object) => Doc::Str(text(&object.format_v())?),
        Value::List(items) => {
            Doc::Seq(items.iter().map(|item| to_doc(item, flavor, depth + 1, open)).collect::<Result<_, _>>()?)
        }
        Value::Map(map) => {
            let entries = map
                .walk(open, |map, open| {
                    let mut entries = Vec::with_capacity(map.len());
                    for (key, item) in map {
                        entries.push((text(key)?, to_doc(item, flavor, depth + 1, open)?));
                    }
                    Ok::<_, String>(entries)
                })
                .unwrap_or_else(|| Err(json::CYCLE_ERROR.to_string()))?;
            let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
            sort_keys(&mut keys);
            let order: Vec<String> = keys.into_iter().map(str::to_string).collect();
            let mut by_name: std::collections::HashMap<String, Doc> = entries.into_iter().collect();
            Doc::Map(order.into_iter().filter_map(|k| by_name.remove(&k).map(|d| (k, d))).collect())
        }
    })
}

/// What go-yaml's reader makes of a JSON string literal: JSON escapes every control character,
/// `"`/`\\` and U+2028/U+2029, so the only raw characters that matter are the ones the YAML
/// reader refuses and U+0085, a YAML 1.1 line break folded like any line break in a quoted
/// scalar (spaces around it dropped; one break is a space, n breaks are n-1 newlines).
fn read_back_json_string(s: &str) -> Result<String, String> {
    if let Some(bad) = s.chars().find(|&c| matches!(c as u32, 0x7f..=0x84 | 0x86..=0x9f | 0xfffe | 0xffff)) {
        return Err(format!("yaml: control characters are not allowed (U+{:04X})", bad as u32));
    }
    if !s.contains('\u{85}') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut pending_spaces = String::new();
    while let Some(c) = chars.next() {
        match c {
            ' ' => pending_spaces.push(c),
            '\u{85}' => {
                pending_spaces.clear();
                let mut breaks = 1;
                while let Some(&next) = chars.peek() {
                    match next {
                        ' ' => {}
                        '\u{85}' => breaks += 1,
                        _ => break,
                    }
                    chars.next();
                }
                if breaks == 1 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', breaks - 1));
                }
            }
            c => {
                out.push_str(&pending_spaces);
                pending_spaces.clear();
                out.push(c);
            }
        }
    }
    out.push_str(&pending_spaces);
    Ok(out)
}

/// How a float64 prints after `json.Marshal` and go-yaml v2's re-read: integral JSON numbers
/// come back as integers, the rest as floats printed with `%g`-style shortest digits.
pub(crate) fn float_after_json_round_trip(f: f64) -> String {
    let json_text = json::format_float(f);
    match resolve::resolve_plain(&json_text) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(back) => format_float_g(back),
        _ => json_text,
    }
}

/// Sorts keys in go-yaml v2's order without assuming the order is total (it is not quite).
fn sort_keys(keys: &mut [&str]) {
    // Insertion sort: what Go's sort does for small inputs, and safe with any comparator.
    if keys.len() <= 12 {
        for i in 1..keys.len() {
            let mut j = i;
            while j > 0 && key_less(keys[j], keys[j - 1]) {
                keys.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    // Byte order first makes the merge sort below deterministic for ties.
    keys.sort_unstable();
    merge_sort(keys);
}

fn merge_sort(keys: &mut [&str]) {
    if keys.len() <= 1 {
        return;
    }
    let mid = keys.len() / 2;
    merge_sort(&mut keys[..mid]);
    merge_sort(&mut keys[mid..]);
    let mut merged = Vec::with_capacity(keys.len());
    let (mut i, mut j) = (0, mid);
    while i < mid && j < keys.len() {
        if key_less(keys[j], keys[i]) {
            merged.push(keys[j]);
            j += 1;
        } else {
            merged.push(keys[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&keys[i..mid]);
    merged.extend_from_slice(&keys[j..]);
    keys.copy_from_slice(&merged);
}

/// go-yaml v2's `keyList.Less` for two string keys: letters by code point, a letter after a
/// non-letter, digit runs compared as numbers (`item2` < `item10`), a prefix first.
pub(crate) fn key_less(a: &str, b: &str) -> bool {
    key_order(a, b) == Ordering::Less
}

fn key_order(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let is_digit = |c: char| c.is_numeric();
    let digit_value = |c: char| i64::from(u32::from(c).wrapping_sub(u32::from('0')));
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let a_letter = ar[i].is_alphabetic();
        let b_letter = br[i].is_alphabetic();
        if a_letter && b_letter {
            return ar[i].cmp(&br[i]);
        }
        if a_letter || b_letter {
            return if b_letter { Ordering::Less } else { Ordering::Greater };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            // A zero inside a number compares as a digit, not as a leading zero.
            if ar[..i].iter().rev().take_while(|c| is_digit(**c)).any(|c| *c != '0') {
                an = 1;
                bn = 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(digit_value(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(br[bi]));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// Where a node is being written, as libyaml's emitter tracks it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    SequenceItem,
    MappingValue,
    /// A key written inline before `:`.
    SimpleKey,
    /// A key written after `? `.
    ComplexKey,
}

/// The scalar styles go-yaml v2's encoder requests or the emitter falls back to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// libyaml's analysis of a scalar: which styles can represent it.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

const BEST_INDENT: usize = 2;
/// Keys longer than this (in bytes) are written as complex `? key` entries.
const MAX_SIMPLE_KEY_LENGTH: usize = 128;

/// go-yaml v2's block emitter, for the events its encoder produces from JSON-shaped data.
struct Emitter {
    out: String,
    /// Column after which spaces may fold a line (go-yaml v2: 80; v3 as Helm uses it: never).
    best_width: usize,
    /// Whether a sequence that is a mapping value is indented under its key (go-yaml v3).
    indent_sequences: bool,
    /// Current indentation; -1 before the root node.
    indent: isize,
    /// Column in characters.
    column: usize,
    /// The last character written was whitespace.
    whitespace: bool,
    /// Only indentation has been written on this line.
    indention: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_blankz(c: char) -> bool {
    is_blank(c) || is_break(c) || c == '\0'
}

/// go-yaml v2's `is_printable`: unlike libyaml it excludes every character outside the BMP.
fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0a
        || (0x20..=0x7e).contains(&v)
        || (0xa0..=0xd7ff).contains(&v)
        || ((0xe000..=0xfffd).contains(&v) && v != 0xfeff)
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break, mut previous_space, mut previous_break) = (false, false, false, false);
    let (mut line_breaks, mut special_characters) = (false, false);
    let mut preceded_by_whitespace = true;
    let chars: Vec<char> = value.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = chars.get(i + 1).is_none_or(|&n| is_blank(n));
        let last = i + 1 == chars.len();
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    block_indicators = true;
                }
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special_characters = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(c);
    }
    let mut analysis = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        analysis.block_plain_allowed = false;
    }
    if trailing_space {
        analysis.block_allowed = false;
    }
    if break_space {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
        analysis.block_allowed = false;
    }
    if line_breaks || block_indicators {
        analysis.block_plain_allowed = false;
    }
    analysis
}

/// go-yaml v2's `stringv`: literal block for multi-line text, plain when the text reads back as
/// a string, double-quoted otherwise.
fn requested_style(text: &str) -> Style {
    if text.contains('\n') {
        Style::Literal
    } else if resolve::plain_reads_back_as_string(text) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// libyaml's `select_scalar_style` for block context without tags.
fn select_style(requested: Style, analysis: &Analysis, value: &str, simple_key: bool) -> Style {
    let mut style = requested;
    if simple_key && analysis.multiline {
        style = Style::DoubleQuoted;
    }
    if style == Style::Plain && (!analysis.block_plain_allowed || (value.is_empty() && simple_key)) {
        style = Style::SingleQuoted;
    }
    if style == Style::SingleQuoted && !analysis.single_quoted_allowed {
        style = Style::DoubleQuoted;
    }
    if style == Style::Literal && (!analysis.block_allowed || simple_key) {
        style = Style::DoubleQuoted;
    }
    style
}

impl Emitter {
    fn new(flavor: Flavor) -> Self {
        let (best_width, indent_sequences) = match flavor {
            Flavor::JsonThenV2 => (80, false),
            Flavor::V3 => (usize::MAX, true),
        };
        Emitter {
            out: String::new(),
            best_width,
            indent_sequences,
            indent: -1,
            column: 0,
            whitespace: true,
            indention: true,
        }
    }

    fn node(&mut self, doc: &Doc, context: Context) {
        match doc {
            Doc::Plain(text) => self.scalar(text, Style::Plain, context),
            Doc::Str(text) => self.scalar(text, requested_style(text), context),
            Doc::Seq(items) if items.is_empty() => self.empty_flow("[]"),
            Doc::Map(entries) if entries.is_empty() => self.empty_flow("{}"),
            Doc::Seq(items) => {
                let saved = self.indent;
                // Sequences directly under a mapping key are not indented (go-yaml/libyaml).
                let indentless = !self.indent_sequences && context == Context::MappingValue && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(item, Context::SequenceItem);
                }
                self.indent = saved;
            }
            Doc::Map(entries) => {
                let saved = self.indent;
                self.increase_indent(false, false);
                for (key, value) in entries {
                    self.write_indent();
                    let analysis = analyze(key);
                    let simple = key.len() <= MAX_SIMPLE_KEY_LENGTH && !analysis.multiline;
                    if simple {
                        self.scalar(key, requested_style(key), Context::SimpleKey);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.scalar(key, requested_style(key), Context::ComplexKey);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(value, Context::MappingValue);
                }
                self.indent = saved;
            }
        }
    }

    /// An empty collection: libyaml switches to flow style, `{}` or `[]`.
    fn empty_flow(&mut self, text: &str) {
        let (open, close) = text.split_at(1);
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn scalar(&mut self, value: &str, requested: Style, context: Context) {
        let analysis = analyze(value);
        let simple_key = context == Context::SimpleKey;
        let style = select_style(requested, &analysis, value, simple_key);
        let saved = self.indent;
        self.increase_indent(true, false);
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(value, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.indent = saved;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT as isize } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT as isize;
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Writes a line break character from the value (`\n` as a newline, others as themselves).
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > self.best_width && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i != 0
                    && i + 1 != chars.len()
                    && !next_is_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        // Unlike later libyaml, go-yaml v2 does not indent before the closing quote.
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        // go-yaml's BOM test looks at the start of the value, not at the current character:
        // a value that starts with U+FEFF has every character escaped.
        let starts_with_bom = value.starts_with('\u{feff}');
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let short = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match short {
                    Some(letter) => self.put(letter),
                    None => {
                        let v = c as u32;
                        let (prefix, digits) = if v <= 0xff {
                            ('x', 2)
                        } else if v <= 0xffff {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(prefix);
                        for k in (0..digits).rev() {
                            let digit = (v >> (4 * k)) & 0xf;
                            self.put(char::from_digit(digit, 16).unwrap_or('0').to_ascii_uppercase());
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.best_width && i != 0 && i + 1 != chars.len() {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        self.write_block_scalar_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    /// The indentation indicator (`|2`) for text starting with a space or break, and the
    /// chomping indicator: `-` without a final break, `+` with more than one.
    fn write_block_scalar_hints(&mut self, value: &str) {
        let mut chars = value.chars();
        if let Some(first) = value.chars().next() {
            if first == ' ' || is_break(first) {
                self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
            }
        }
        let chomp = match chars.next_back() {
            None => Some("-"),
            Some(last) if !is_break(last) => Some("-"),
            Some(_) => match chars.next_back() {
                None => Some("+"),
                Some(before) if is_break(before) => Some("+"),
                Some(_) => None,
            },
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
    }
}
