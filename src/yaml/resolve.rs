//! YAML 1.1 scalar resolution as go-yaml v2 performs it, and the float formatting Go uses.
//!
//! Used in both directions: reading (what a plain scalar means) and writing (whether a string
//! must be quoted so that it reads back as a string).

use std::sync::LazyLock;

use super::NodeValue;

/// What a scalar resolves to, before it becomes a node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// Integers in (i64::MAX, u64::MAX]: go-yaml v2 decodes them as `uint64`.
    Uint(u64),
    Float(f64),
    /// A timestamp-looking plain scalar; go-yaml v2 keeps the text when decoding into `interface{}`.
    Timestamp,
    Str,
}

impl Resolved {
    /// The node value for the scalar text `text` that resolved to `self`.
    pub(crate) fn into_node_value(self, text: &str) -> NodeValue {
        match self {
            Resolved::Null => NodeValue::Null,
            Resolved::Bool(b) => NodeValue::Bool(b),
            Resolved::Int(i) => NodeValue::Int(i),
            // The node model has no unsigned integers; every consumer converts numbers to f64.
            Resolved::Uint(u) => NodeValue::Float(u as f64),
            Resolved::Float(f) => NodeValue::Float(f),
            Resolved::Timestamp | Resolved::Str => NodeValue::String(text.into()),
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            Resolved::Null => "!!null",
            Resolved::Bool(_) => "!!bool",
            Resolved::Int(_) | Resolved::Uint(_) => "!!int",
            Resolved::Float(_) => "!!float",
            Resolved::Timestamp => "!!timestamp",
            Resolved::Str => "!!str",
        }
    }
}

const LONG_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// `tag:yaml.org,2002:int` -> `!!int`; other tags unchanged.
pub(crate) fn short_tag(tag: &str) -> String {
    match tag.strip_prefix(LONG_TAG_PREFIX) {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_string(),
    }
}

/// Resolves a plain (untagged) scalar the way go-yaml v2 does.
pub(crate) fn resolve_plain(text: &str) -> Resolved {
    let Some(&first) = text.as_bytes().first() else {
        return Resolved::Null;
    };
    if let Some(known) = resolve_known_word(text) {
        return known;
    }
    match first {
        b'.' => match parse_go_float(text) {
            Some(f) => Resolved::Float(f),
            None => Resolved::Str,
        },
        b'0'..=b'9' | b'+' | b'-' => resolve_number(text),
        _ => Resolved::Str,
    }
}

/// Resolves a scalar with an explicit tag (`!!int 12`, `!!str yes`, `!custom x`).
/// Errors use go-yaml v2's text.
pub(crate) fn resolve_tagged(tag: &str, text: &str) -> Result<Resolved, String> {
    let tag = short_tag(tag);
    match tag.as_str() {
        "!!str" => Ok(Resolved::Str),
        "!!bool" | "!!int" | "!!float" | "!!null" | "!!timestamp" => {
            let resolved =
                if tag == "!!timestamp" && is_timestamp(text) { Resolved::Timestamp } else { resolve_plain(text) };
            if resolved.tag() == tag {
                return Ok(resolved);
            }
            match (tag.as_str(), &resolved) {
                ("!!float", Resolved::Int(i)) => Ok(Resolved::Float(*i as f64)),
                _ => Err(format!("cannot decode {} `{}` as a {}", resolved.tag(), text, tag)),
            }
        }
        // Unknown and non-resolvable tags keep the text.
        _ => Ok(Resolved::Str),
    }
}

fn resolve_known_word(text: &str) -> Option<Resolved> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Resolved::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Resolved::Bool(false),
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

fn resolve_number(text: &str) -> Resolved {
    if is_timestamp(text) {
        return Resolved::Timestamp;
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(i) = parse_go_int(&plain) {
        return Resolved::Int(i);
    }
    if let Some(u) = parse_go_uint(&plain) {
        return Resolved::Uint(u);
    }
    if is_yaml_style_float(&plain) {
        if let Some(f) = parse_go_float(&plain) {
            return Resolved::Float(f);
        }
    }
    if let Some(bits) = plain.strip_prefix("0b") {
        if let Ok(i) = i64::from_str_radix(bits, 2) {
            if !bits.starts_with(['+', '-']) {
                return Resolved::Int(i);
            }
        }
        if let Ok(u) = u64::from_str_radix(bits, 2) {
            if !bits.starts_with('+') {
                return Resolved::Uint(u);
            }
        }
    } else if let Some(bits) = plain.strip_prefix("-0b") {
        if !bits.starts_with(['+', '-']) {
            if let Ok(i) = i64::from_str_radix(&format!("-{bits}"), 2) {
                return Resolved::Int(i);
            }
        }
    }
    Resolved::Str
}

/// Splits Go's `ParseInt(s, 0, 64)` syntax into (negative, radix, digits).
fn split_go_int(s: &str) -> Option<(bool, u32, &str)> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = rest.as_bytes();
    let (radix, digits) = if lower.len() >= 2 && lower[0] == b'0' {
        match lower[1] {
            b'x' | b'X' => (16, &rest[2..]),
            b'o' | b'O' => (8, &rest[2..]),
            b'b' | b'B' => (2, &rest[2..]),
            _ => (8, &rest[1..]),
        }
    } else {
        (10, rest)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some((negative, radix, digits))
}

/// Go's `strconv.ParseInt(s, 0, 64)` (underscores already removed).
fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, radix, digits) = split_go_int(s)?;
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        if magnitude <= i64::MAX as u64 + 1 { Some((magnitude as i64).wrapping_neg()) } else { None }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: no sign allowed.
fn parse_go_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    let (_, radix, digits) = split_go_int(s)?;
    u64::from_str_radix(digits, radix).ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal syntax; out-of-range values are errors there.
fn parse_go_float(s: &str) -> Option<f64> {
    let lowered = s.to_ascii_lowercase();
    // Rust accepts words Go's resolver never reaches here with; keep to decimal syntax.
    if lowered.contains("inf") || lowered.contains("nan") || s.contains('_') {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// go-yaml v2's timestamp check: `YYYY-M-D`, optionally followed by a time
/// (`T`/`t`/space separated, optional fraction, `Z` or `±hh:mm` zone only after `T`/`t`).
pub(crate) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let year: u32 = s[..4].parse().unwrap_or(0);
    let Some(month) = take_number(b, &mut i, 2) else { return false };
    if i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    let Some(day) = take_number(b, &mut i, 2) else { return false };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let with_zone = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let Some(hour) = take_number(b, &mut i, 2) else { return false };
    if i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(minute) = take_number(b, &mut i, 2) else { return false };
    if i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(second) = take_number(b, &mut i, 2) else { return false };
    if hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    if i < b.len() && (b[i] == b'.' || b[i] == b',') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if !with_zone {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let zone = &b[i + 1..];
            zone.len() == 5
                && zone[0].is_ascii_digit()
                && zone[1].is_ascii_digit()
                && zone[2] == b':'
                && zone[3].is_ascii_digit()
                && zone[4].is_ascii_digit()
        }
        _ => false,
    }
}

fn take_number(b: &[u8], i: &mut usize, max_digits: usize) -> Option<u32> {
    let start = *i;
    while *i < b.len() && *i - start < max_digits && b[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i == start {
        return None;
    }
    std::str::from_utf8(&b[start..*i]).ok()?.parse().ok()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

static BASE60_FLOAT: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").expect("valid regex"));

/// A YAML 1.1 base-60 float such as `1:20`; go-yaml v2 quotes these on output.
pub(crate) fn is_base60_float(s: &str) -> bool {
    // Cheap pre-check before the regex: it needs a digit first and a colon.
    s.contains(':')
        && s.as_bytes().first().is_some_and(|c| c.is_ascii_digit() || *c == b'+' || *c == b'-')
        && BASE60_FLOAT.is_match(s)
}

/// Whether go-yaml v2 may print `s` as a plain scalar: it must read back as a string.
pub(crate) fn plain_reads_back_as_string(s: &str) -> bool {
    resolve_plain(s) == Resolved::Str && !is_base60_float(s)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` (shortest digits of the float32 value).
pub(crate) fn format_float32_g(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let sci = format!("{f:e}");
    g_from_sci(&sci, || format!("{f}"))
}

/// Turns Rust's shortest `{:e}` text into Go's `%g` choice between exponent and plain form.
fn g_from_sci(sci: &str, plain: impl FnOnce() -> String) -> String {
    let Some((mantissa, exp)) = sci.split_once('e') else { return plain() };
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        plain()
    }
}

/// Go's `strconv.FormatFloat(f, 'e', -1, 64)`: shortest digits, exponent with at least 2 digits.
pub(crate) fn format_float_e(f: f64) -> String {
    let sci = format!("{f:e}");
    match sci.split_once('e') {
        Some((mantissa, exp)) => {
            let exp: i32 = exp.parse().unwrap_or(0);
            let sign = if exp < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", exp.abs())
        }
        None => sci,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_like_go_yaml_v2() {
        let cases: &[(&str, Resolved)] = &[
            ("", Resolved::Null),
            ("~", Resolved::Null),
            ("Null", Resolved::Null),
            ("yes", Resolved::Bool(true)),
            ("Y", Resolved::Bool(true)),
            ("on", Resolved::Bool(true)),
            ("OFF", Resolved::Bool(false)),
            ("n", Resolved::Bool(false)),
            ("yEs", Resolved::Str),
            ("0777", Resolved::Int(511)),
            ("0o17", Resolved::Int(15)),
            ("0x1F", Resolved::Int(31)),
            ("0b101", Resolved::Int(5)),
            ("-0b101", Resolved::Int(-5)),
            ("1_000", Resolved::Int(1000)),
            ("+12", Resolved::Int(12)),
            ("-0", Resolved::Int(0)),
            ("08", Resolved::Float(8.0)),
            ("1e6", Resolved::Float(1e6)),
            ("1.0", Resolved::Float(1.0)),
            ("1.", Resolved::Float(1.0)),
            (".5", Resolved::Float(0.5)),
            ("-.5", Resolved::Float(-0.5)),
            ("1e400", Resolved::Str),
            ("9223372036854775808", Resolved::Uint(9223372036854775808)),
            ("18446744073709551616", Resolved::Float(18446744073709551616.0)),
            ("2024-01-01", Resolved::Timestamp),
            ("2024-02-30", Resolved::Str),
            ("1:20", Resolved::Str),
            ("-", Resolved::Str),
            ("+", Resolved::Str),
            ("1.2.3", Resolved::Str),
            ("0x", Resolved::Str),
            ("<<", Resolved::Str),
            ("*.example.com", Resolved::Str),
        ];
        for (text, want) in cases {
            assert_eq!(&resolve_plain(text), want, "resolving {text:?}");
        }
        assert!(matches!(resolve_plain(".nan"), Resolved::Float(f) if f.is_nan()));
        assert_eq!(resolve_plain("-.Inf"), Resolved::Float(f64::NEG_INFINITY));
    }

    #[test]
    fn tagged_scalars() {
        assert_eq!(resolve_tagged("tag:yaml.org,2002:str", "yes"), Ok(Resolved::Str));
        assert_eq!(resolve_tagged("tag:yaml.org,2002:float", "3"), Ok(Resolved::Float(3.0)));
        assert_eq!(resolve_tagged("!custom", "3"), Ok(Resolved::Str));
        assert_eq!(
            resolve_tagged("tag:yaml.org,2002:int", "abc"),
            Err("cannot decode !!str `abc` as a !!int".to_string())
        );
    }

    #[test]
    fn timestamps_and_base60() {
        for ts in ["2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2024-1-2", "2001-12-14T21:59:43Z"] {
            assert!(is_timestamp(ts), "{ts}");
        }
        for not_ts in ["2001-12-14 21:59:43.10 -5", "202-01-01", "2024-13-01", "2024-01-01x"] {
            assert!(!is_timestamp(not_ts), "{not_ts}");
        }
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30.15"));
        assert!(!is_base60_float("1:70"));
    }

    #[test]
    fn float32_keys_format_like_go() {
        assert_eq!(format_float32_g(1.5), "1.5");
        assert_eq!(format_float32_g(0.1), "0.1");
        assert_eq!(format_float32_g(1e6), "1e+06");
        assert_eq!(format_float32_g(3.0), "3");
        assert_eq!(format_float_e(1e-7), "1e-07");
        assert_eq!(format_float_e(1e21), "1e+21");
    }
}
