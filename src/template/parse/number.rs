//! Number and character constants, read as Go's `text/template` parser reads them.
//!
//! A constant is stored under every Go type that can hold its value (`NumberLit::is_int`,
//! `is_uint`, `is_float`, `is_complex`), which is how text/template imitates Go's untyped
//! constants: `1e3` is also the int 1000, `'a'` is the int 97. The texts are read with the rules
//! of Go's `strconv` (`ParseInt`/`ParseUint` with base 0, `ParseFloat`) and `fmt.Sscan` for
//! complex constants, and failures carry Go's messages.

use super::NumberLit;
use crate::template::lex::{Token, TokenKind, go_quote};

/// Why `strconv.ParseFloat` fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FloatError {
    Syntax,
    /// The value is beyond float64 (Go answers ±Inf with `ErrRange`).
    Range,
}

impl FloatError {
    fn text(self) -> &'static str {
        match self {
            FloatError::Syntax => "invalid syntax",
            FloatError::Range => "value out of range",
        }
    }
}

/// Reads a `Number`, `Complex` or `CharConstant` token.
pub(super) fn parse_number(token: &Token) -> Result<NumberLit, String> {
    let text = token.text.as_ref();
    let mut n = NumberLit {
        offset: token.offset,
        text: text.to_string(),
        is_int: false,
        is_uint: false,
        is_float: false,
        is_complex: false,
        int: 0,
        uint: 0,
        float: 0.0,
        complex: (0.0, 0.0),
    };
    match token.kind {
        TokenKind::CharConstant => {
            let rune = char_constant(text)?;
            n.is_int = true;
            n.int = i64::from(rune);
            n.is_uint = true;
            n.uint = u64::from(rune);
            // A rune is a float too, as in Go.
            n.is_float = true;
            n.float = f64::from(rune);
            return Ok(n);
        }
        TokenKind::Complex => {
            let (re, im) = scan_complex(text)?;
            n.set_complex(re, im);
            return Ok(n);
        }
        _ => {}
    }
    // An imaginary constant; when its mantissa is no float (`0b1i`), the integer and float
    // readings below fail on the `i` and it is illegal.
    if let Some(mantissa) = text.strip_suffix('i')
        && let Ok(im) = parse_float(mantissa)
    {
        n.set_complex(0.0, im);
        return Ok(n);
    }
    // Integers first, so that hexadecimal and octal constants are read as such.
    if let Some(u) = parse_uint(text) {
        n.is_uint = true;
        n.uint = u;
    }
    if let Some(i) = parse_int(text) {
        n.is_int = true;
        n.int = i;
        // -0 is unsigned too.
        if i == 0 {
            n.is_uint = true;
            n.uint = 0;
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = n.uint as f64;
    } else if let Ok(f) = parse_float(text) {
        // A float reading of something written as an integer: too large for 64 bits.
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", go_quote(text)));
        }
        n.is_float = true;
        n.float = f;
        n.set_integers_of(f);
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!("illegal number syntax: {}", go_quote(text)));
    }
    Ok(n)
}

impl NumberLit {
    fn set_complex(&mut self, re: f64, im: f64) {
        self.is_complex = true;
        self.complex = (re, im);
        // Only a complex constant without an imaginary part has other readings.
        self.is_float = im == 0.0;
        if self.is_float {
            self.float = re;
            self.set_integers_of(re);
        }
    }

    /// The int and uint readings of an integral float that fits them.
    fn set_integers_of(&mut self, f: f64) {
        // 2^63 and 2^64, exactly.
        const I64_END: f64 = 9_223_372_036_854_775_808.0;
        const U64_END: f64 = 18_446_744_073_709_551_616.0;
        let integral = f.fract() == 0.0;
        if integral && (-I64_END..I64_END).contains(&f) {
            self.is_int = true;
            self.int = f as i64;
        }
        if integral && (0.0..U64_END).contains(&f) {
            self.is_uint = true;
            self.uint = f as u64;
        }
    }
}

/// The rune of a character constant (`'a'`, `'\n'`, `'\x41'`, `'\u00e9'`), with the messages of
/// Go's `strconv.UnquoteChar` and the parser.
fn char_constant(text: &str) -> Result<u32, String> {
    let inner = text.strip_prefix('\'').unwrap_or(text);
    let (rune, tail) = unquote_char(inner, '\'').ok_or_else(|| "invalid syntax".to_string())?;
    if tail != "'" {
        return Err(format!("malformed character constant: {text}"));
    }
    Ok(rune)
}

/// Go's `strconv.UnquoteChar`: the first character or escape of `s` and what follows it.
/// `\x` and octal escapes give a byte value (so `'\xff'` is 255).
fn unquote_char(s: &str, quote: char) -> Option<(u32, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c == quote {
        return None;
    }
    if c != '\\' {
        return Some((c as u32, chars.as_str()));
    }
    let escape = chars.next()?;
    let rest = chars.as_str();
    let simple = match escape {
        'a' => Some(0x07),
        'b' => Some(0x08),
        'f' => Some(0x0c),
        'n' => Some(0x0a),
        'r' => Some(0x0d),
        't' => Some(0x09),
        'v' => Some(0x0b),
        '\\' => Some(u32::from(b'\\')),
        '\'' | '"' if escape == quote => Some(escape as u32),
        _ => None,
    };
    if let Some(v) = simple {
        return Some((v, rest));
    }
    let (radix, len) = match escape {
        'x' => (16, 2),
        'u' => (16, 4),
        'U' => (16, 8),
        '0'..='7' => (8, 2),
        _ => return None,
    };
    let digits = rest.get(..len)?;
    let mut v = if radix == 8 { escape.to_digit(8)? } else { 0 };
    for d in digits.chars() {
        v = v.checked_mul(radix)?.checked_add(d.to_digit(radix)?)?;
    }
    let valid = match escape {
        'x' => true,
        '0'..='7' => v <= 255,
        // A Unicode code point, not a surrogate.
        _ => char::from_u32(v).is_some(),
    };
    valid.then(|| (v, &rest[len..]))
}

/// A complex constant such as `1+2i`, read as `fmt.Sscan` reads a `complex128`: a float, a
/// sign, a float and `i`. Go's messages: a scanning failure, or `strconv`'s for either part.
fn scan_complex(text: &str) -> Result<(f64, f64), String> {
    const SCAN_ERROR: &str = "syntax error scanning complex number";
    let (re_text, rest) = float_token(text);
    if !rest.starts_with(['+', '-']) {
        return Err(SCAN_ERROR.to_string());
    }
    let (im_digits, rest) = float_token(&rest[1..]);
    if !rest.starts_with('i') {
        return Err(SCAN_ERROR.to_string());
    }
    let im_text = &text[re_text.len()..re_text.len() + 1 + im_digits.len()];
    let convert =
        |s: &str| parse_float(s).map_err(|e| format!("strconv.ParseFloat: parsing {}: {}", go_quote(s), e.text()));
    Ok((convert(re_text)?, convert(im_text)?))
}

/// The longest prefix of `s` that `fmt`'s float scanner takes: a sign, digits (hexadecimal after
/// `0x`), a fraction and an exponent. (It also takes `nan` and a decimal mantissa with a `p`
/// exponent, which the lexer never lets through.)
fn float_token(s: &str) -> (&str, &str) {
    let b = s.as_bytes();
    let mut i = 0;
    let run = |i: &mut usize, ok: &dyn Fn(u8) -> bool| {
        while *i < b.len() && ok(b[*i]) {
            *i += 1;
        }
    };
    if i < b.len() && matches!(b[i], b'+' | b'-') {
        i += 1;
    }
    // The start of `inf` is taken even when the rest does not follow: `1+i` leaves no `i`.
    if i < b.len() && b[i].eq_ignore_ascii_case(&b'i') {
        i += 1;
        if b[i..].len() >= 2 && b[i..i + 2].eq_ignore_ascii_case(b"nf") {
            return s.split_at(i + 2);
        }
    }
    let hex = b[i..].len() >= 2 && b[i] == b'0' && matches!(b[i + 1], b'x' | b'X');
    if hex {
        i += 2;
    }
    let digit = |c: u8| c == b'_' || if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() };
    run(&mut i, &digit);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        run(&mut i, &digit);
    }
    let exponent: &[u8] = if hex { b"pP" } else { b"eEpP" };
    if i < b.len() && exponent.contains(&b[i]) {
        i += 1;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        run(&mut i, &|c| c == b'_' || c.is_ascii_digit());
    }
    s.split_at(i)
}

/// Go's rule for `_` in a number: only between two digits, or between a base prefix and a
/// digit. `s` may have a sign.
fn underscores_ok(s: &str) -> bool {
    #[derive(PartialEq)]
    enum Last {
        Start,
        Digit,
        Underscore,
        Other,
    }
    let s = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let mut last = Last::Start;
    let mut hex = false;
    let mut i = 0;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        hex = s[1].eq_ignore_ascii_case(&b'x');
        // The prefix counts as a digit.
        last = Last::Digit;
        i = 2;
    }
    for &c in &s[i..] {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            last = Last::Digit;
        } else if c == b'_' {
            if last != Last::Digit {
                return false;
            }
            last = Last::Underscore;
        } else if last == Last::Underscore {
            return false;
        } else {
            last = Last::Other;
        }
    }
    last != Last::Underscore
}

/// `strconv.ParseUint(s, 0, 64)`: `0x`, `0o`, `0b` or a leading `0` (octal) set the base, `_`
/// may separate digits; no sign.
pub(crate) fn parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let (radix, digits) = match b {
        [b'0', p, _, ..] if matches!(p.to_ascii_lowercase(), b'x' | b'o' | b'b') => {
            let radix = match p.to_ascii_lowercase() {
                b'x' => 16,
                b'o' => 8,
                _ => 2,
            };
            (radix, &s[2..])
        }
        [b'0', ..] => (8, &s[1..]),
        [] => return None,
        _ => (10, s),
    };
    let mut value: u64 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let d = c.to_digit(radix)?;
        value = value.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    if s.contains('_') && !underscores_ok(s) {
        return None;
    }
    Some(value)
}

/// `strconv.ParseInt(s, 0, 64)`: an optional sign, then as [`parse_uint`], within int64.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let (negative, magnitude) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_uint(magnitude)?;
    if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() }
}

/// `strconv.ParseFloat(s, 64)` for the numbers Go's syntax allows: decimal (`1e3`, `.5`, `5.`)
/// and hexadecimal with a `p` exponent (`0x1.8p-2`), `_` between digits, correctly rounded.
/// A value beyond float64 is a range error; one too small for it becomes zero.
pub(crate) fn parse_float(s: &str) -> Result<f64, FloatError> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if s.contains('_') && !underscores_ok(s) {
        return Err(FloatError::Syntax);
    }
    let body: String = body.chars().filter(|&c| c != '_').collect();
    let lower = body.to_ascii_lowercase();
    let magnitude = match lower.strip_prefix("0x") {
        Some(hex) if !hex.is_empty() => parse_hex_float(hex)?,
        _ => parse_decimal_float(&lower)?,
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// Digits with an optional point (at least one digit), then an optional `e` exponent.
fn parse_decimal_float(s: &str) -> Result<f64, FloatError> {
    let (mantissa, exponent) = match s.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let mut point = false;
    let mut digits = false;
    for c in mantissa.bytes() {
        match c {
            b'0'..=b'9' => digits = true,
            b'.' if !point => point = true,
            _ => return Err(FloatError::Syntax),
        }
    }
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    if !digits || !exponent_ok {
        return Err(FloatError::Syntax);
    }
    // Rust's parser rounds correctly too; it answers infinity where Go reports a range error.
    let f: f64 = s.parse().map_err(|_| FloatError::Syntax)?;
    if f.is_infinite() { Err(FloatError::Range) } else { Ok(f) }
}

/// The part after `0x`: hexadecimal digits with an optional point, and a `p` exponent (a
/// power of two, required).
fn parse_hex_float(s: &str) -> Result<f64, FloatError> {
    let (mantissa, exponent) = s.split_once('p').ok_or(FloatError::Syntax)?;
    // value = bits * 2^exp; digits that do not fit in 64 bits only matter as "not zero".
    let mut bits: u64 = 0;
    let mut exp: i64 = 0;
    let mut lost = false;
    let mut point = false;
    let mut digits = false;
    for c in mantissa.chars() {
        if c == '.' && !point {
            point = true;
            continue;
        }
        let d = c.to_digit(16).ok_or(FloatError::Syntax)?;
        digits = true;
        if bits >> 60 == 0 {
            bits = bits << 4 | u64::from(d);
            if point {
                exp -= 4;
            }
        } else {
            lost |= d != 0;
            if !point {
                exp += 4;
            }
        }
    }
    let (exp_negative, exp_digits) = match exponent.as_bytes().first() {
        Some(b'-') => (true, &exponent[1..]),
        Some(b'+') => (false, &exponent[1..]),
        _ => (false, exponent),
    };
    if !digits || exp_digits.is_empty() || !exp_digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(FloatError::Syntax);
    }
    // Far beyond any float64 exponent; saturating keeps the arithmetic small.
    let e = exp_digits.bytes().fold(0i64, |e, c| (e * 10 + i64::from(c - b'0')).min(1 << 24));
    exp += if exp_negative { -e } else { e };
    round_binary(bits, exp, lost)
}

/// `bits * 2^exp` (plus a little more when `lost`) rounded to the nearest float64, ties to even.
fn round_binary(bits: u64, exp: i64, lost: bool) -> Result<f64, FloatError> {
    const MANTISSA_BITS: i64 = 53;
    const MIN_EXP: i64 = -1022;
    const MAX_EXP: i64 = 1023;
    // The weight of the smallest subnormal, 2^-1074.
    const TINIEST: i64 = MIN_EXP - MANTISSA_BITS + 1;
    if bits == 0 {
        return Ok(0.0);
    }
    let width = i64::from(64 - bits.leading_zeros());
    let top = exp + width - 1;
    if top > MAX_EXP {
        return Err(FloatError::Range);
    }
    // The weight of the last bit kept: 53 significant bits, but never below 2^-1074.
    let last = (top - MANTISSA_BITS + 1).max(TINIEST);
    let drop = last - exp;
    let kept = if drop <= 0 {
        u128::from(bits) << -drop
    } else if drop > 65 {
        // Less than half the tiniest subnormal.
        0
    } else {
        let wide = u128::from(bits);
        let kept = wide >> drop;
        let rest = wide & ((1u128 << drop) - 1);
        let half = 1u128 << (drop - 1);
        let up = rest > half || (rest == half && (lost || kept & 1 == 1));
        kept + u128::from(up)
    };
    if kept == 0 {
        return Ok(0.0);
    }
    // Rounding up may carry into a new top bit.
    let width = 128 - i64::from(kept.leading_zeros());
    if last + width - 1 > MAX_EXP {
        return Err(FloatError::Range);
    }
    // `kept` has at most 54 bits and fits a float64 exactly; so does the product.
    Ok(kept as f64 * power_of_two(last))
}

/// 2^k for k in -1074..=1023.
fn power_of_two(k: i64) -> f64 {
    if k >= -1022 { f64::from_bits(((k + 1023) as u64) << 52) } else { f64::from_bits(1u64 << (k + 1074)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(kind: TokenKind, text: &str) -> Result<NumberLit, String> {
        parse_number(&Token { kind, text: text.into(), offset: 0, line: 1 })
    }

    fn num(text: &str) -> Result<NumberLit, String> {
        number(TokenKind::Number, text)
    }

    #[test]
    fn integers_in_every_base() {
        let int = |t: &str| num(t).ok().filter(|n| n.is_int).map(|n| n.int);
        assert_eq!(int("42"), Some(42));
        assert_eq!(int("+1"), Some(1));
        assert_eq!(int("-0"), Some(0));
        assert_eq!(int("0x1F"), Some(31));
        assert_eq!(int("0X_ff"), Some(255));
        assert_eq!(int("017"), Some(15));
        assert_eq!(int("0o17"), Some(15));
        assert_eq!(int("0O_7"), Some(7));
        assert_eq!(int("0_7"), Some(7));
        assert_eq!(int("0b101"), Some(5));
        assert_eq!(int("-0B11"), Some(-3));
        assert_eq!(int("1_000"), Some(1000));
        assert_eq!(int("-9223372036854775808"), Some(i64::MIN));
        assert!(num("-0").is_ok_and(|n| n.is_uint && n.uint == 0));
        assert!(num("-2").is_ok_and(|n| !n.is_uint));
        assert!(num("9223372036854775808").is_ok_and(|n| n.is_uint && !n.is_int));
        assert!(num("0xffffffffffffffff").is_ok_and(|n| n.uint == u64::MAX && !n.is_int));
    }

    #[test]
    fn floats_and_their_integer_readings() {
        assert!(num("1e3").is_ok_and(|n| n.is_float && n.is_int && n.int == 1000 && n.float == 1000.0));
        assert!(num("1.5").is_ok_and(|n| !n.is_int && !n.is_uint && n.float == 1.5));
        assert!(num(".5").is_ok_and(|n| n.float == 0.5));
        assert!(num("5.").is_ok_and(|n| n.float == 5.0 && n.is_int));
        assert!(num("1E-2").is_ok_and(|n| n.float == 0.01));
        assert!(num("09.5").is_ok_and(|n| n.float == 9.5));
        assert!(num("1_000.5").is_ok_and(|n| n.float == 1000.5));
        assert!(num("1e1_0").is_ok_and(|n| n.float == 1e10));
        assert!(num("1e19").is_ok_and(|n| n.is_uint && !n.is_int));
        assert!(num("-0.0").is_ok_and(|n| n.float.is_sign_negative() && n.is_int && n.is_uint));
        assert!(num("1e-400").is_ok_and(|n| n.float == 0.0));
    }

    #[test]
    fn hex_floats_round_like_go() {
        let f = |t: &str| num(t).map(|n| n.float);
        assert_eq!(f("0x1p60"), Ok(2f64.powi(60)));
        assert_eq!(f("0x1.8p-2"), Ok(0.375));
        assert_eq!(f("0X.8P1"), Ok(1.0));
        assert_eq!(f("0x_1p1_0"), Ok(1024.0));
        assert_eq!(f("-0x1p1"), Ok(-2.0));
        assert_eq!(f("0x1.fffffffffffffp1023"), Ok(f64::MAX));
        assert_eq!(f("0x1.fffffffffffff7p1023"), Ok(f64::MAX));
        assert_eq!(f("0x1p-1074"), Ok(5e-324));
        assert_eq!(f("0x1p-1075"), Ok(0.0));
        assert_eq!(f("0x1.8p-1074"), Ok(1e-323));
        assert_eq!(f("0x3p-1076"), Ok(5e-324));
        // Ties go to even; a digit beyond the tie rounds up.
        assert_eq!(f("0x1.00000000000008p0"), Ok(1.0));
        assert_eq!(f("0x1.00000000000018p0"), Ok(1.0000000000000004));
        assert_eq!(f("0x1.000000000000081p0"), Ok(1.0000000000000002));
        assert_eq!(f("0x1.0000000000000800000000001p0"), Ok(1.0000000000000002));
        assert_eq!(f("0x100000000000000000000p0"), Ok(2f64.powi(80)));
        assert_eq!(f("0x0.0000000000000000000000001p100"), Ok(1.0));
        assert_eq!(f("0x.000000000000000000000000000000000000001p160"), Ok(16.0));
        // Decimal rounding at a tie and at the subnormal limit (values printed by helm).
        assert_eq!(
            f("1.0000000000000001110223024625156540423631668090820312500000000000000001"),
            Ok(1.0000000000000002)
        );
        assert_eq!(f("2.4703282292062327e-324"), Ok(0.0));
        assert_eq!(f("2.4703282292062328e-324"), Ok(5e-324));
        assert_eq!(parse_float("0x1.fffffffffffff8p1023"), Err(FloatError::Range));
        assert_eq!(parse_float("0x1p1024"), Err(FloatError::Range));
        assert_eq!(parse_float("0x1p99999999999999999999"), Err(FloatError::Range));
        assert_eq!(parse_float("0x1p-99999999999999999999"), Ok(0.0));
    }

    #[test]
    fn bad_numbers_have_go_messages() {
        let err = |t: &str| num(t).err().unwrap_or_default();
        for bad in
            ["0x", "0b", "0o", "1__0", "1_", "1_.5", "1e", "0x1.8", "0x1p", "1e400", "0x1i", "0b1i", "1e400i", "+."]
        {
            assert_eq!(err(bad), format!("illegal number syntax: \"{bad}\""), "{bad}");
        }
        assert_eq!(err("99999999999999999999"), "integer overflow: \"99999999999999999999\"");
        assert_eq!(err("-9223372036854775809"), "integer overflow: \"-9223372036854775809\"");
        assert_eq!(err("08"), "integer overflow: \"08\"");
    }

    #[test]
    fn imaginary_and_complex_constants() {
        let c = |kind, t: &str| number(kind, t).map(|n| (n.is_complex, n.complex, n.is_int, n.is_float));
        assert_eq!(c(TokenKind::Number, "1i"), Ok((true, (0.0, 1.0), false, false)));
        assert_eq!(c(TokenKind::Number, "0i"), Ok((true, (0.0, 0.0), true, true)));
        assert_eq!(c(TokenKind::Number, "07i"), Ok((true, (0.0, 7.0), false, false)));
        assert_eq!(c(TokenKind::Number, "0x1p1i"), Ok((true, (0.0, 2.0), false, false)));
        assert_eq!(c(TokenKind::Complex, "1+2i"), Ok((true, (1.0, 2.0), false, false)));
        assert_eq!(c(TokenKind::Complex, "0.5-0.25i"), Ok((true, (0.5, -0.25), false, false)));
        assert_eq!(c(TokenKind::Complex, "2+0i"), Ok((true, (2.0, 0.0), true, true)));
        let err = |t: &str| number(TokenKind::Complex, t).err().unwrap_or_default();
        assert_eq!(err("0b1+1i"), "syntax error scanning complex number");
        assert_eq!(err("1+i"), "syntax error scanning complex number");
        assert_eq!(err("1+0x1i"), "strconv.ParseFloat: parsing \"+0x1\": invalid syntax");
        assert_eq!(err("1e400+1i"), "strconv.ParseFloat: parsing \"1e400\": value out of range");
        assert_eq!(err("1_+1i"), "strconv.ParseFloat: parsing \"1_\": invalid syntax");
    }

    #[test]
    fn character_constants_are_runes() {
        let rune = |t: &str| number(TokenKind::CharConstant, t).map(|n| (n.int, n.is_int && n.is_uint && n.is_float));
        assert_eq!(rune("'a'"), Ok((97, true)));
        assert_eq!(rune("'é'"), Ok((233, true)));
        assert_eq!(rune(r"'\n'"), Ok((10, true)));
        assert_eq!(rune(r"'\''"), Ok((39, true)));
        assert_eq!(rune("'\"'"), Ok((34, true)));
        assert_eq!(rune(r"'\x41'"), Ok((65, true)));
        assert_eq!(rune(r"'\xff'"), Ok((255, true)));
        assert_eq!(rune(r"'\377'"), Ok((255, true)));
        assert_eq!(rune(r"'\u00e9'"), Ok((233, true)));
        assert_eq!(rune(r"'\U0001F600'"), Ok((0x1F600, true)));
        for bad in ["''", r"'\q'", r"'\400'", r"'\ud800'", r"'\U00110000'", r"'\x4'", r#"'\"'"#] {
            assert_eq!(rune(bad), Err("invalid syntax".to_string()), "{bad}");
        }
        assert_eq!(rune("'ab'"), Err("malformed character constant: 'ab'".to_string()));
    }

    #[test]
    fn underscore_rules() {
        assert!(underscores_ok("1_000"));
        assert!(underscores_ok("0x_1"));
        assert!(underscores_ok("-0b_1_0"));
        assert!(underscores_ok("0_7"));
        assert!(underscores_ok("1e1_0"));
        assert!(!underscores_ok("1__0"));
        assert!(!underscores_ok("1_"));
        assert!(!underscores_ok("1_.5"));
        assert!(!underscores_ok("1._5"));
        assert!(!underscores_ok("1e_1"));
    }
}
