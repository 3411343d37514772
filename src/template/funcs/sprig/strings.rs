//! Sprig's string functions: case, trimming, quoting, splitting, wrapping and abbreviating.

use std::fmt::Write as _;

use super::random::DeterministicRng;
use super::support::{
    arg, bytes_arg, fixed, go_slice, int_arg, slice_items, str_arg, string, string_list, strval, variadic,
};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::{Map, Value};

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("hello", &[], |_| string("Hello!")),
        fixed("abbrev", &[P::Int, P::String], |a| string(abbrev(int_arg(a, 0)?, str_arg(a, 1)?))),
        fixed("abbrevboth", &[P::Int, P::Int, P::String], |a| {
            string(abbrevboth(int_arg(a, 0)?, int_arg(a, 1)?, str_arg(a, 2)?))
        }),
        fixed("trunc", &[P::Int, P::String], |a| Ok(trunc(int_arg(a, 0)?, bytes_arg(a, 1)?))),
        fixed("trim", &[P::String], |a| string(str_arg(a, 0)?.trim_matches(go_is_space))),
        fixed("upper", &[P::String], |a| string(go_upper(str_arg(a, 0)?))),
        fixed("lower", &[P::String], |a| string(go_lower(str_arg(a, 0)?))),
        fixed("title", &[P::String], |a| string(title(str_arg(a, 0)?))),
        fixed("untitle", &[P::String], |a| string(untitle(str_arg(a, 0)?))),
        fixed("substr", &[P::Int, P::Int, P::String], |a| substr(int_arg(a, 0)?, int_arg(a, 1)?, bytes_arg(a, 2)?)),
        fixed("repeat", &[P::Int, P::String], |a| string(repeat(str_arg(a, 1)?, int_arg(a, 0)?)?)),
        fixed("trimall", &[P::String, P::String], |a| string(trim_cutset(str_arg(a, 1)?, str_arg(a, 0)?))),
        fixed("trimAll", &[P::String, P::String], |a| string(trim_cutset(str_arg(a, 1)?, str_arg(a, 0)?))),
        fixed("trimSuffix", &[P::String, P::String], |a| {
            let (suffix, s) = (str_arg(a, 0)?, str_arg(a, 1)?);
            string(s.strip_suffix(suffix).unwrap_or(s))
        }),
        fixed("trimPrefix", &[P::String, P::String], |a| {
            let (prefix, s) = (str_arg(a, 0)?, str_arg(a, 1)?);
            string(s.strip_prefix(prefix).unwrap_or(s))
        }),
        // goutils walks bytes, turning each kept byte into the rune of the same number.
        fixed("nospace", &[P::String], |a| {
            string(str_arg(a, 0)?.bytes().map(char::from).filter(|c| !go_is_space(*c)).collect::<String>())
        }),
        fixed("initials", &[P::String], |a| string(initials(str_arg(a, 0)?))),
        fixed("swapcase", &[P::String], |a| string(swapcase(str_arg(a, 0)?))),
        fixed("shuffle", &[P::String], |a| string(shuffle(str_arg(a, 0)?))),
        fixed("snakecase", &[P::String], |a| string(camel_to_lower(str_arg(a, 0)?, '_'))),
        fixed("kebabcase", &[P::String], |a| string(camel_to_lower(str_arg(a, 0)?, '-'))),
        fixed("camelcase", &[P::String], |a| string(pascal_case(str_arg(a, 0)?))),
        fixed("wrap", &[P::Int, P::String], |a| string(wrap(str_arg(a, 1)?, int_arg(a, 0)?, "\n", false))),
        fixed("wrapWith", &[P::Int, P::String, P::String], |a| {
            string(wrap(str_arg(a, 2)?, int_arg(a, 0)?, str_arg(a, 1)?, true))
        }),
        fixed("contains", &[P::String, P::String], |a| Ok(Value::Bool(str_arg(a, 1)?.contains(str_arg(a, 0)?)))),
        fixed("hasPrefix", &[P::String, P::String], |a| Ok(Value::Bool(str_arg(a, 1)?.starts_with(str_arg(a, 0)?)))),
        fixed("hasSuffix", &[P::String, P::String], |a| Ok(Value::Bool(str_arg(a, 1)?.ends_with(str_arg(a, 0)?)))),
        variadic("quote", &[P::Any], |a| string(quote(a))),
        variadic("squote", &[P::Any], |a| string(squote(a))),
        variadic("cat", &[P::Any], |a| string(cat(a))),
        fixed("indent", &[P::Int, P::String], |a| string(indent(int_arg(a, 0)?, str_arg(a, 1)?)?)),
        fixed("nindent", &[P::Int, P::String], |a| {
            let mut out = String::from("\n");
            out.push_str(&indent(int_arg(a, 0)?, str_arg(a, 1)?)?);
            string(out)
        }),
        fixed("replace", &[P::String, P::String, P::String], |a| {
            string(go_replace(str_arg(a, 2)?, str_arg(a, 0)?, str_arg(a, 1)?))
        }),
        fixed("plural", &[P::String, P::String, P::Int], |a| {
            let one = str_arg(a, 0)?;
            let many = str_arg(a, 1)?;
            string(if int_arg(a, 2)? == 1 { one } else { many })
        }),
        fixed("toString", &[P::Any], |a| string(strval(arg(a, 0)))),
        fixed("split", &[P::String, P::String], |a| Ok(indexed_map(go_split(str_arg(a, 1)?, str_arg(a, 0)?, -1)))),
        fixed("splitn", &[P::String, P::Int, P::String], |a| {
            Ok(indexed_map(go_split(str_arg(a, 2)?, str_arg(a, 0)?, int_arg(a, 1)?)))
        }),
        fixed("splitList", &[P::String, P::String], |a| Ok(string_list(go_split(str_arg(a, 1)?, str_arg(a, 0)?, -1)))),
        fixed("toStrings", &[P::Any], |a| Ok(string_list(to_strings(arg(a, 0))))),
        fixed("join", &[P::String, P::Any], |a| string(to_strings(arg(a, 1)).join(str_arg(a, 0)?))),
        fixed("sortAlpha", &[P::Any], |a| {
            let value = arg(a, 0);
            let mut items = match slice_items(value) {
                Some(_) => to_strings(value),
                None => vec![strval(value).into_owned()],
            };
            items.sort_unstable();
            Ok(string_list(items))
        }),
    ]
}

/// Go's `unicode.IsSpace`.
pub fn go_is_space(c: char) -> bool {
    c.is_whitespace()
}

/// `unicode.ToUpper` on one rune: Go never expands a rune into several (`ß` stays `ß`).
fn upper_char(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `unicode.ToTitle`: differs from upper case only for the four Latin digraphs.
fn title_char(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        other => upper_char(other),
    }
}

/// Whether `c` is a title-case letter (Unicode category Lt) among the Latin digraphs.
fn is_title_case(c: char) -> bool {
    matches!(c, 'ǅ' | 'ǈ' | 'ǋ' | 'ǲ')
}

fn lower_char(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// `strings.ToUpper`.
pub fn go_upper(s: &str) -> String {
    if s.is_ascii() { s.to_ascii_uppercase() } else { s.chars().map(upper_char).collect() }
}

/// `strings.ToLower`.
pub fn go_lower(s: &str) -> String {
    if s.is_ascii() { s.to_ascii_lowercase() } else { s.chars().map(lower_char).collect() }
}

/// `strings.Title`: upper-cases every letter that follows a separator.
fn title(s: &str) -> String {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { title_char(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize`: lower-cases the first rune of every whitespace-separated word.
fn untitle(s: &str) -> String {
    let mut after_space = true;
    s.chars()
        .map(|c| {
            let out = if after_space && !c.is_whitespace() { lower_char(c) } else { c };
            after_space = c.is_whitespace();
            out
        })
        .collect()
}

/// Sprig's `trunc`: a negative count keeps the end of the string. Counts bytes, as Go does.
/// Sprig's `trunc`: Go slices the string's bytes, so a cut may split a character.
fn trunc(count: i64, bytes: &[u8]) -> Value {
    let len = bytes.len() as i64;
    if count < 0 && len + count > 0 {
        Value::go_string(bytes[(len + count) as usize..].to_vec())
    } else if count >= 0 && len > count {
        Value::go_string(bytes[..count as usize].to_vec())
    } else {
        Value::go_string(bytes.to_vec())
    }
}

/// Sprig's `substr`: negative start means from 0; negative or too large end means to the end.
fn substr(start: i64, end: i64, bytes: &[u8]) -> Result<Value, FuncError> {
    let len = bytes.len() as i64;
    let part = if start < 0 {
        go_slice(bytes, 0, end)?
    } else if end < 0 || end > len {
        go_slice(bytes, start, len)?
    } else {
        go_slice(bytes, start, end)?
    };
    Ok(Value::go_string(part.to_vec()))
}

fn repeat(s: &str, count: i64) -> Result<String, FuncError> {
    if count < 0 {
        return Err(FuncError::new("strings: negative Repeat count"));
    }
    let total = (s.len() as u64).saturating_mul(count as u64);
    if total > (1 << 30) {
        return Err(FuncError::new("strings: Repeat output length overflow"));
    }
    Ok(s.repeat(count as usize))
}

fn trim_cutset<'a>(s: &'a str, cutset: &str) -> &'a str {
    s.trim_matches(|c| cutset.contains(c))
}

/// `strings.Replace(s, old, new, -1)`; an empty `old` inserts `new` around every rune, as Go does.
fn go_replace(s: &str, old: &str, new: &str) -> String {
    if old.is_empty() {
        let mut out = String::with_capacity(s.len() + new.len() * (s.len() + 1));
        out.push_str(new);
        for c in s.chars() {
            out.push(c);
            out.push_str(new);
        }
        return out;
    }
    s.replace(old, new)
}

/// `strings.SplitN`: `n < 0` means all, `n == 0` none; an empty separator splits into runes.
pub fn go_split<'a>(s: &'a str, sep: &str, n: i64) -> Vec<&'a str> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if sep.is_empty() {
        let mut parts: Vec<&str> = Vec::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if parts.len() + 1 == limit {
                break;
            }
            let (head, tail) = rest.split_at(c.len_utf8());
            parts.push(head);
            rest = tail;
        }
        if !rest.is_empty() {
            parts.push(rest);
        }
        return parts;
    }
    s.splitn(limit, sep).collect()
}

fn indexed_map(parts: Vec<&str>) -> Value {
    let map: Map = parts.into_iter().enumerate().map(|(i, part)| (format!("_{i}"), Value::str(part))).collect();
    Value::map(map)
}

/// Sprig's `strslice`: list elements (nil skipped) as strings; a non-list becomes a one-item list.
pub fn to_strings(value: &Value) -> Vec<String> {
    match slice_items(value) {
        Some(items) => items.iter().filter(|v| !v.is_nil()).map(|v| strval(v).into_owned()).collect(),
        None if value.is_nil() => Vec::new(),
        None => vec![strval(value).into_owned()],
    }
}

fn indent(spaces: i64, s: &str) -> Result<String, FuncError> {
    let pad = repeat(" ", spaces)?;
    let newlines = s.bytes().filter(|b| *b == b'\n').count();
    let mut out = String::with_capacity(s.len() + pad.len() * (newlines + 1));
    out.push_str(&pad);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    Ok(out)
}

fn quote(args: &[Value]) -> String {
    let mut out = String::new();
    for value in args.iter().filter(|v| !v.is_nil()) {
        if !out.is_empty() {
            out.push(' ');
        }
        go_quote_into(&mut out, &strval(value));
    }
    out
}

fn squote(args: &[Value]) -> String {
    let mut out = String::new();
    for value in args.iter().filter(|v| !v.is_nil()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        out.push_str(&value.format_v());
        out.push('\'');
    }
    out
}

fn cat(args: &[Value]) -> String {
    let mut out = String::new();
    for value in args.iter().filter(|v| !v.is_nil()) {
        if !out.is_empty() {
            out.push(' ');
        }
        crate::value::write_v(&mut out, value);
    }
    out
}

/// Whether Go's `strconv.IsPrint` holds, approximately: no controls, no spaces but ' ',
/// no invisible formatting characters.
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// `strconv.Quote`: Go's double-quoted string literal.
pub fn go_quote_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
}

/// goutils `Abbreviate`.
fn abbrev(width: i64, s: &str) -> String {
    if width < 4 {
        return s.to_string();
    }
    abbreviate_full(s, 0, width).unwrap_or_default()
}

fn abbrevboth(left: i64, right: i64, s: &str) -> String {
    if right < 4 || (left > 0 && right < 7) {
        return s.to_string();
    }
    abbreviate_full(s, left, right).unwrap_or_default()
}

/// goutils `AbbreviateFull` (byte based, as in Go); `None` where goutils returns an error.
fn abbreviate_full(s: &str, offset: i64, max_width: i64) -> Option<String> {
    const MARKER: &str = "...";
    let bytes = s.as_bytes();
    let len = bytes.len() as i64;
    if s.is_empty() {
        return Some(String::new());
    }
    if max_width < 4 {
        return None;
    }
    if len <= max_width {
        return Some(s.to_string());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        let head = go_slice(bytes, 0, max_width - 3).ok()?;
        return Some(format!("{}{MARKER}", String::from_utf8_lossy(head)));
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < len {
        let rest = String::from_utf8_lossy(go_slice(bytes, offset, len).ok()?).into_owned();
        let inner = abbreviate_full(&rest, 0, max_width - 3)?;
        return Some(format!("{MARKER}{inner}"));
    }
    let tail = go_slice(bytes, len - (max_width - 3), len).ok()?;
    Some(format!("{MARKER}{}", String::from_utf8_lossy(tail)))
}

/// goutils `Initials`: the first rune of every whitespace-separated word.
fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut after_gap = true;
    for c in s.chars() {
        if go_is_space(c) {
            after_gap = true;
        } else if after_gap {
            out.push(c);
            after_gap = false;
        }
    }
    out
}

/// goutils `SwapCase`.
fn swapcase(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_uppercase() || is_title_case(c) {
                lower_char(c)
            } else if c.is_lowercase() {
                upper_char(c)
            } else {
                c
            }
        })
        .collect()
}

/// xstrings `Shuffle`, with the randomness derived from the input so renders are reproducible.
fn shuffle(s: &str) -> String {
    let mut runes: Vec<char> = s.chars().collect();
    let mut rng = DeterministicRng::from_parts(&["shuffle", s]);
    for i in (1..runes.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        runes.swap(i, j);
    }
    runes.into_iter().collect()
}

/// goutils `WrapCustom` (byte based, as in Go).
fn wrap(s: &str, width: i64, newline: &str, wrap_long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let bytes = s.as_bytes();
    let len = bytes.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + 16);
    while len - offset > width {
        if bytes[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let window = &bytes[offset..end];
        if let Some(space) = window.iter().rposition(|b| *b == b' ') {
            out.extend_from_slice(&bytes[offset..offset + space]);
            out.extend_from_slice(newline.as_bytes());
            offset += space + 1;
        } else if wrap_long_words {
            out.extend_from_slice(&bytes[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match bytes[end..].iter().position(|b| *b == b' ') {
                None => {
                    out.extend_from_slice(&bytes[offset..]);
                    offset = len;
                }
                Some(index) => {
                    let at = index + end;
                    out.extend_from_slice(&bytes[offset..at]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&bytes[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings `ToPascalCase` (Sprig's `camelcase`): connectors dropped, each word capitalised,
/// the rest of an all-caps word lower-cased.
fn pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    let mut first_upper = false;
    let mut r0 = '\0';
    let mut found = false;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = c.is_uppercase();
            r0 = upper_char(c);
            found = true;
            break;
        }
        out.push(c);
    }
    if !found {
        return out;
    }
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = r0.is_uppercase();
            r0 = upper_char(r0);
        } else {
            if first_upper {
                if r0.is_uppercase() {
                    r0 = lower_char(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum WordType {
    Invalid,
    Number,
    UpperCase,
    Alphabet,
    Connector,
    Punct,
    Other,
}

fn is_alphabet(c: char) -> bool {
    c.is_ascii_alphabetic()
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
        || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control() && is_unicode_punct(c))
}

/// A rough test for non-ASCII Unicode punctuation (general category P*).
fn is_unicode_punct(c: char) -> bool {
    matches!(c, '\u{00A1}' | '\u{00A7}' | '\u{00AB}' | '\u{00B6}' | '\u{00B7}' | '\u{00BB}' | '\u{00BF}'
        | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' | '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}')
}

fn is_number(c: char) -> bool {
    c.is_numeric()
}

/// xstrings' word scanner: the next word's type, the word and the remaining text.
fn next_word(s: &str) -> (WordType, &str, &str) {
    let mut chars = s.char_indices().peekable();
    let Some((_, first)) = chars.next() else {
        return (WordType::Invalid, "", "");
    };
    let mut end = first.len_utf8();
    let take_while = |end: &mut usize, pred: &dyn Fn(char) -> bool| {
        for c in s[*end..].chars() {
            if !pred(c) {
                break;
            }
            *end += c.len_utf8();
        }
    };
    let wt = if is_connector(first) {
        take_while(&mut end, &is_connector);
        WordType::Connector
    } else if is_punct(first) {
        take_while(&mut end, &is_punct);
        WordType::Punct
    } else if first.is_uppercase() {
        let rest = &s[end..];
        if let Some(second) = rest.chars().next() {
            if second.is_uppercase() {
                let mut prev_size = second.len_utf8();
                end += prev_size;
                let mut stopped_on = None;
                for c in s[end..].chars() {
                    if !c.is_uppercase() {
                        stopped_on = Some(c);
                        break;
                    }
                    prev_size = c.len_utf8();
                    end += prev_size;
                }
                if stopped_on.is_some_and(is_alphabet) {
                    end -= prev_size;
                }
            } else if is_alphabet(second) {
                take_while(&mut end, &|c: char| is_alphabet(c) && !c.is_uppercase());
            }
        }
        WordType::UpperCase
    } else if is_alphabet(first) {
        take_while(&mut end, &|c: char| is_alphabet(c) && !c.is_uppercase());
        WordType::Alphabet
    } else if is_number(first) {
        take_while(&mut end, &is_number);
        WordType::Number
    } else {
        take_while(&mut end, &|c: char| !(is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c)));
        WordType::Other
    };
    (wt, &s[..end], &s[end..])
}

fn push_lower(out: &mut String, wt: WordType, word: &str, connector: char) {
    if wt != WordType::UpperCase && wt != WordType::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if c.is_uppercase() {
            out.push(lower_char(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings `ToSnakeCase` / `ToKebabCase`.
fn camel_to_lower(s: &str, connector: char) -> String {
    use WordType as W;
    if s.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len() + 4);
    let (mut wt, mut word, mut remaining) = next_word(s);
    while !remaining.is_empty() {
        if wt != W::Connector {
            push_lower(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = next_word(remaining);
        match prev {
            W::Number => {
                while wt == W::Alphabet || wt == W::Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != W::Invalid && wt != W::Punct && wt != W::Connector {
                    out.push(connector);
                }
            }
            W::Connector => push_lower(&mut out, prev, last, connector),
            W::Punct => {}
            _ => {
                if wt != W::Number {
                    if wt != W::Connector && wt != W::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, remaining) = next_word(remaining);
                if wt != W::Alphabet {
                    push_lower(&mut out, W::Number, last, connector);
                    if wt != W::Connector && wt != W::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, W::Number, last, connector);
                while wt == W::Alphabet || wt == W::Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != W::Invalid && wt != W::Connector && wt != W::Punct {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, wt, word, connector);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_support::call;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn results_observed_in_helm() {
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("trunc", vec![Value::Int(-5), s("hello world")], "world"),
            ("trunc", vec![Value::Int(3), s("hello")], "hel"),
            ("trunc", vec![Value::Int(-20), s("hi")], "hi"),
            ("substr", vec![Value::Int(1), Value::Int(3), s("hello")], "el"),
            ("substr", vec![Value::Int(2), Value::Int(99), s("hello")], "llo"),
            ("substr", vec![Value::Int(-1), Value::Int(2), s("hello")], "he"),
            ("quote", vec![Value::Nil], ""),
            ("quote", vec![Value::Int(1), s("a"), Value::Nil, Value::Float(2.5)], r#""1" "a" "2.5""#),
            ("squote", vec![s("a"), Value::Int(1)], "'a' '1'"),
            ("toString", vec![Value::Float(1000000.0)], "1e+06"),
            ("toString", vec![Value::Float(3.0)], "3"),
            ("toString", vec![Value::list(vec![Value::Int(1), s("a")])], "[1 a]"),
            ("camelcase", vec![s("hello_world-foo bar")], "HelloWorldFooBar"),
            ("camelcase", vec![s("FOO_bar baz-qux")], "FooBarBazQux"),
            ("camelcase", vec![s("helloWorld")], "HelloWorld"),
            ("camelcase", vec![s("_complex__case_")], "_Complex_Case_"),
            ("snakecase", vec![s("HelloWorldHTTPServer")], "hello_world_http_server"),
            ("snakecase", vec![s("ABCDef ghi-Jkl")], "abc_def_ghi_jkl"),
            ("snakecase", vec![s("HTTP20xOK")], "http_20x_ok"),
            ("snakecase", vec![s("Bld4Floor3rd")], "bld4_floor_3rd"),
            ("snakecase", vec![s("Duration2m3s")], "duration_2m3s"),
            ("kebabcase", vec![s("HelloWorld fooBar")], "hello-world-foo-bar"),
            ("kebabcase", vec![s("fooBAR_baz")], "foo-bar-baz"),
            ("swapcase", vec![s("Hello World ÀÉ")], "hELLO wORLD àé"),
            ("wrap", vec![Value::Int(5), s("hello world foo")], "hello\nworld\nfoo"),
            (
                "wrap",
                vec![Value::Int(10), s("averyveryverylongword short words here")],
                "averyveryverylongword\nshort\nwords here",
            ),
            ("wrapWith", vec![Value::Int(5), s("\t"), s("Hello World")], "Hello\tWorld"),
            ("abbrev", vec![Value::Int(5), s("hello world")], "he..."),
            ("abbrev", vec![Value::Int(4), s("abcdefgh")], "a..."),
            ("abbrev", vec![Value::Int(3), s("abcdef")], "abcdef"),
            ("abbrevboth", vec![Value::Int(5), Value::Int(10), s("1234 5678 9123")], "...5678..."),
            ("abbrevboth", vec![Value::Int(0), Value::Int(4), s("abcdefgh")], "a..."),
            ("abbrevboth", vec![Value::Int(3), Value::Int(8), s("abcdefghijklmno")], "abcde..."),
            ("initials", vec![s("First Try")], "FT"),
            ("initials", vec![s("hello  world-foo bar")], "hwb"),
            ("title", vec![s("hello wORLD")], "Hello WORLD"),
            ("title", vec![s("hello-world foo_bar")], "Hello-World Foo_bar"),
            ("untitle", vec![s("Hello World")], "hello world"),
            ("untitle", vec![s("ABC")], "aBC"),
            ("nospace", vec![s("a b\tc")], "abc"),
            ("cat", vec![s("a"), Value::Int(1), Value::Nil, Value::Float(2.5)], "a 1 2.5"),
            ("repeat", vec![Value::Int(3), s("ab")], "ababab"),
            ("indent", vec![Value::Int(2), s("a\nb")], "  a\n  b"),
            ("nindent", vec![Value::Int(2), s("a\nb")], "\n  a\n  b"),
            ("trimAll", vec![s("$"), s("$$a$b$$")], "a$b"),
            ("trimPrefix", vec![s("a"), s("aab")], "ab"),
            ("trimSuffix", vec![s("-"), s("a--")], "a-"),
            ("trim", vec![s(" \t x y \n")], "x y"),
            ("replace", vec![s("a"), s("b"), s("aaa")], "bbb"),
            ("plural", vec![s("one"), s("many"), Value::Int(2)], "many"),
            ("plural", vec![s("one"), s("many"), Value::Int(1)], "one"),
            ("join", vec![s("-"), Value::list(vec![Value::Int(1), s("a"), Value::Nil, Value::Float(2.5)])], "1-a-2.5"),
            ("join", vec![s(","), s("abc")], "abc"),
            ("join", vec![s(","), Value::Int(5)], "5"),
            ("upper", vec![s("straße")], "STRAßE"),
            ("lower", vec![s("ÀB")], "àb"),
            ("hello", vec![], "Hello!"),
            ("nospace", vec![s("a\u{a0}b")], "aÂb"),
            ("trim", vec![s("\u{a0}x\u{a0}")], "x"),
            ("trimAll", vec![s(""), s("  x ")], "  x "),
            ("abbrev", vec![Value::Int(5), s("")], ""),
            (
                "abbrevboth",
                vec![Value::Int(10), Value::Int(20), s("0123456789012345678901234")],
                "...89012345678901234",
            ),
            ("initials", vec![s("")], ""),
            ("snakecase", vec![s("already_snake_2x")], "already_snake_2x"),
            ("snakecase", vec![s("a1B2")], "a1_b2"),
            ("snakecase", vec![s("  lead")], "__lead"),
            ("snakecase", vec![s("foo.bar")], "foo.bar"),
            ("kebabcase", vec![s("XMLHttpRequest")], "xml-http-request"),
            ("camelcase", vec![s("")], ""),
            ("camelcase", vec![s("a")], "A"),
            ("title", vec![s("élan ça")], "Élan Ça"),
            ("title", vec![s("1st place o'neil x.y")], "1st Place O'Neil X.Y"),
            ("title", vec![s("ǆa")], "ǅa"),
            ("upper", vec![s("ǆ")], "Ǆ"),
            ("swapcase", vec![s("ǅ")], "ǆ"),
            ("wrap", vec![Value::Int(3), s("ab cd")], "ab\ncd"),
            ("wrap", vec![Value::Int(0), s("a b")], "a\nb"),
            ("wrapWith", vec![Value::Int(3), s("|"), s("abcdefg hi")], "abc|def|g|hi"),
            (
                "cat",
                vec![
                    Value::list(vec![Value::Int(1), Value::Int(2)]),
                    Value::map(Map::from([("a".to_string(), Value::Int(1))])),
                ],
                "[1 2] map[a:1]",
            ),
            ("quote", vec![Value::list(vec![Value::Int(1), Value::Int(2)])], "\"[1 2]\""),
            ("toString", vec![Value::Nil], "<nil>"),
            ("toString", vec![Value::Float(1e21)], "1e+21"),
            ("substr", vec![Value::Int(0), Value::Int(-1), s("abc")], "abc"),
        ];
        for (name, args, want) in cases {
            let got = call(name, &args).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.as_str(), Some(want), "{name} {args:?}");
        }
    }

    #[test]
    fn quote_escapes_like_go() {
        let got = call("quote", &[s("a\"b\\c\nd\u{1}é\u{a0}")]).unwrap();
        assert_eq!(got.as_str(), Some(r#""a\"b\\c\nd\x01é\u00a0""#));
        let got = call("quote", &[s("a\u{a0}b\u{200b}c😀\u{7f}d\u{e9}\u{301}\u{feff}\u{2028}")]).unwrap();
        assert_eq!(got.as_str(), Some("\"a\\u00a0b\\u200bc😀\\x7fdé\u{301}\\ufeff\\u2028\""));
    }

    #[test]
    fn substr_out_of_bounds_is_a_go_panic_error() {
        let err = call("substr", &[Value::Int(-1), Value::Int(9), s("hello")]).unwrap_err();
        assert_eq!(err.0, "runtime error: slice bounds out of range [:9] with length 5");
        let err = call("substr", &[Value::Int(7), Value::Int(-1), s("hello")]).unwrap_err();
        assert_eq!(err.0, "runtime error: slice bounds out of range [7:5]");
    }

    #[test]
    fn split_family_shapes() {
        let got = call("split", &[s("/"), s("a/b/c")]).unwrap();
        assert_eq!(got.format_v(), "map[_0:a _1:b _2:c]");
        let got = call("splitn", &[s("/"), Value::Int(2), s("a/b/c")]).unwrap();
        assert_eq!(got.format_v(), "map[_0:a _1:b/c]");
        let got = call("splitList", &[s(","), s("a,,b")]).unwrap();
        assert_eq!(got.format_v(), "[a  b]");
        let got = call("splitList", &[s(""), s("héj")]).unwrap();
        assert_eq!(got.format_v(), "[h é j]");
        let got = call("toStrings", &[Value::list(vec![Value::Int(1), Value::Nil, s("a")])]).unwrap();
        assert_eq!(got.format_v(), "[1 a]");
        let got = call("sortAlpha", &[Value::list(vec![s("b"), s("a"), s("c")])]).unwrap();
        assert_eq!(got.format_v(), "[a b c]");
        let got = call("sortAlpha", &[Value::list(vec![Value::Int(3), Value::Int(1), Value::Int(2)])]).unwrap();
        assert_eq!(got.format_v(), "[1 2 3]");
        let got = call("splitList", &[s(""), s("")]).unwrap();
        assert_eq!(got.format_v(), "[]");
        let got = call("split", &[s(","), s("")]).unwrap();
        assert_eq!(got.format_v(), "map[_0:]");
        let got = call("sortAlpha", &[s("x")]).unwrap();
        assert_eq!(got.format_v(), "[x]");
    }

    #[test]
    fn shuffle_is_a_reproducible_permutation() {
        let a = call("shuffle", &[s("abcdefgh")]).unwrap();
        let b = call("shuffle", &[s("abcdefgh")]).unwrap();
        assert_eq!(a.as_str(), b.as_str());
        let mut sorted: Vec<char> = a.as_str().unwrap().chars().collect();
        sorted.sort_unstable();
        assert_eq!(sorted.into_iter().collect::<String>(), "abcdefgh");
    }

    #[test]
    fn negative_repeat_is_an_error() {
        assert_eq!(call("repeat", &[Value::Int(-1), s("a")]).unwrap_err().0, "strings: negative Repeat count");
    }
}
