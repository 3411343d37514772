//! Sprig's regular-expression functions, with Go's RE2 semantics: `\d`, `\w`, `\s` and `\b` are
//! ASCII-only as in Go, and `$1` / `${name}` expand in replacements as Go's `Expand` does.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

use super::support::{fixed, int_arg, str_arg, string, string_list};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::Value;

/// Compiled patterns per rendering thread; templates call the same few patterns in loops.
const CACHE_LIMIT: usize = 128;

thread_local! {
    static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("regexQuoteMeta", &[P::String], |a| string(quote_meta(str_arg(a, 0)?))),
        // Sprig's regexMatch swallows a bad pattern and answers false.
        fixed("regexMatch", &[P::String, P::String], |a| {
            Ok(Value::Bool(
                compile(str_arg(a, 0)?, Panics::No).is_ok_and(|re| re.is_match(str_arg(a, 1).unwrap_or_default())),
            ))
        }),
        fixed("mustRegexMatch", &[P::String, P::String], |a| {
            Ok(Value::Bool(compile(str_arg(a, 0)?, Panics::No)?.is_match(str_arg(a, 1)?)))
        }),
        fixed("regexFindAll", &[P::String, P::String, P::Int], |a| find_all(a, Panics::Yes)),
        fixed("mustRegexFindAll", &[P::String, P::String, P::Int], |a| find_all(a, Panics::No)),
        fixed("regexFind", &[P::String, P::String], |a| find(a, Panics::Yes)),
        fixed("mustRegexFind", &[P::String, P::String], |a| find(a, Panics::No)),
        fixed("regexReplaceAll", &[P::String, P::String, P::String], |a| replace_all(a, Panics::Yes, true)),
        fixed("mustRegexReplaceAll", &[P::String, P::String, P::String], |a| replace_all(a, Panics::No, true)),
        fixed("regexReplaceAllLiteral", &[P::String, P::String, P::String], |a| replace_all(a, Panics::Yes, false)),
        fixed("mustRegexReplaceAllLiteral", &[P::String, P::String, P::String], |a| replace_all(a, Panics::No, false)),
        fixed("regexSplit", &[P::String, P::String, P::Int], |a| split_fn(a, Panics::Yes)),
        fixed("mustRegexSplit", &[P::String, P::String, P::Int], |a| split_fn(a, Panics::No)),
    ]
}

/// Whether the Go function compiles with `regexp.MustCompile` (a panic, whose message names the
/// pattern) or `regexp.Compile` (an error).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Panics {
    Yes,
    No,
}

fn find_all(a: &[Value], panics: Panics) -> Result<Value, FuncError> {
    let re = compile(str_arg(a, 0)?, panics)?;
    let limit = limit(int_arg(a, 2)?);
    Ok(string_list(re.find_iter(str_arg(a, 1)?).take(limit).map(|m| m.as_str())))
}

fn find(a: &[Value], panics: Panics) -> Result<Value, FuncError> {
    let re = compile(str_arg(a, 0)?, panics)?;
    string(re.find(str_arg(a, 1)?).map_or("", |m| m.as_str()))
}

fn replace_all(a: &[Value], panics: Panics, expand: bool) -> Result<Value, FuncError> {
    let re = compile(str_arg(a, 0)?, panics)?;
    let (input, replacement) = (str_arg(a, 1)?, str_arg(a, 2)?);
    let out =
        if expand { re.replace_all(input, replacement) } else { re.replace_all(input, regex::NoExpand(replacement)) };
    string(out.into_owned())
}

fn split_fn(a: &[Value], panics: Panics) -> Result<Value, FuncError> {
    let pattern = str_arg(a, 0)?;
    let re = compile(pattern, panics)?;
    Ok(string_list(split(&re, pattern, str_arg(a, 1)?, int_arg(a, 2)?)))
}

/// Go's `n` argument: negative means all matches.
fn limit(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn compile(pattern: &str, panics: Panics) -> Result<Regex, FuncError> {
    if let Some(re) = CACHE.with(|cache| cache.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let failure = |message: String| {
        FuncError::new(match panics {
            Panics::Yes => format!("regexp: Compile(`{pattern}`): {message}"),
            Panics::No => message,
        })
    };
    let translated = translate(pattern).map_err(|go| failure(format!("error parsing regexp: {go}")))?;
    let re = Regex::new(&translated).map_err(|e| failure(go_error_text(pattern, &e)))?;
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

/// Go's wording for the common syntax errors; others keep the regex crate's description.
fn go_error_text(pattern: &str, e: &regex::Error) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let detail = lines
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map_or(text.as_str(), |l| l.trim())
        .trim_start_matches("error: ");
    // The regex crate underlines the offending part of the (translated) pattern with carets.
    let fragment = lines.iter().position(|l| l.trim_start().starts_with('^')).and_then(|i| {
        let carets = lines[i];
        let source = lines.get(i.checked_sub(1)?)?;
        let start = carets.find('^')?;
        let end = start + carets[start..].chars().take_while(|c| *c == '^').count();
        source.get(start..end).map(str::to_string)
    });
    let go = if detail.contains("unclosed group") {
        format!("missing closing ): `{pattern}`")
    } else if detail.contains("unopened group") {
        format!("unexpected ): `{pattern}`")
    } else if detail.contains("unclosed character class") {
        format!("missing closing ]: `{}`", pattern.find('[').map_or(pattern, |i| &pattern[i..]))
    } else if let Some(fragment) = fragment {
        let code = if detail.contains("repetition operator missing expression") {
            "missing argument to repetition operator"
        } else if detail.contains("escape sequence") {
            "invalid escape sequence"
        } else if detail.contains("character class range") {
            "invalid character class range"
        } else if detail.contains("repetition count") || detail.contains("repetition quantifier") {
            "invalid repeat count"
        } else if detail.contains("capture group") {
            "invalid named capture"
        } else {
            detail
        };
        format!("{code}: `{fragment}`")
    } else {
        detail.to_string()
    };
    format!("error parsing regexp: {go}")
}

/// The length of a valid repetition `{n}`, `{n,}` or `{n,m}` at the start of `s`, and whether
/// its counts stay within Go's limit of 1000.
fn repetition_at(s: &str) -> Option<(usize, bool)> {
    let body = s.strip_prefix('{')?;
    let close = body.find('}')?;
    let inner = &body[..close];
    let (min, max) = match inner.split_once(',') {
        Some((min, max)) => (min, (!max.is_empty()).then_some(max)),
        None => (inner, Some(inner)),
    };
    let number = |t: &str| {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<u64>().unwrap_or(u64::MAX))
    };
    let min = number(min)?;
    let max = match max {
        Some(m) => Some(number(m)?),
        None => None,
    };
    Some((close + 2, min <= 1000 && max.is_none_or(|m| m <= 1000)))
}

/// Rewrites a Go (RE2) pattern for the regex crate: Perl classes and word boundaries become
/// ASCII-only, a `{` that does not start a repetition is a literal, and the repetitions Go
/// refuses (`a**`, counts above 1000) are reported with Go's error text.
fn translate(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    let mut class_depth = 0usize;
    // Where the previous token started, when it was a repetition operator.
    let mut last_repeat: Option<&str> = None;
    while let Some(c) = rest.chars().next() {
        let token_start = rest;
        rest = &rest[c.len_utf8()..];
        let mut is_repeat = false;
        match c {
            '\\' => {
                let escaped = rest.chars().next();
                if let Some(e) = escaped {
                    rest = &rest[e.len_utf8()..];
                }
                match escaped {
                    Some(e @ ('d' | 'D' | 'w' | 'W' | 's' | 'S' | 'b' | 'B')) if class_depth == 0 => {
                        out.push_str("(?-u:\\");
                        out.push(e);
                        out.push(')');
                    }
                    Some('d') => out.push_str("0-9"),
                    Some('w') => out.push_str("0-9A-Za-z_"),
                    Some('s') => out.push_str("\\t\\n\\f\\r "),
                    Some(e) => {
                        out.push('\\');
                        out.push(e);
                    }
                    None => out.push('\\'),
                }
            }
            '[' => {
                class_depth += 1;
                out.push(c);
                // A `]` right after `[` or `[^` is a literal member.
                let skip = if rest.starts_with("^]") {
                    2
                } else if rest.starts_with(']') {
                    1
                } else {
                    0
                };
                out.push_str(&rest[..skip]);
                rest = &rest[skip..];
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(c);
            }
            _ if class_depth > 0 => out.push(c),
            '(' => {
                out.push(c);
                // `(?flags)` and `(?P<name>`: the `?` is not a repetition.
                if let Some(after) = rest.strip_prefix('?') {
                    out.push('?');
                    rest = after;
                }
            }
            '*' | '+' | '?' | '{' => {
                let len = if c == '{' {
                    match repetition_at(token_start) {
                        Some((len, within_limit)) => {
                            if !within_limit {
                                return Err(format!("invalid repeat count: `{}`", &token_start[..len]));
                            }
                            Some(len)
                        }
                        None => None,
                    }
                } else {
                    Some(1)
                };
                match len {
                    None => out.push_str("\\{"),
                    Some(len) => {
                        let mut op_len = len;
                        if token_start[len..].starts_with('?') {
                            op_len += 1;
                        }
                        if let Some(previous) = last_repeat {
                            let end = previous.len() - token_start.len() + op_len;
                            return Err(format!("invalid nested repetition operator: `{}`", &previous[..end]));
                        }
                        out.push_str(&token_start[..op_len]);
                        rest = &token_start[op_len..];
                        is_repeat = true;
                    }
                }
            }
            _ => out.push(c),
        }
        last_repeat = if is_repeat { Some(token_start) } else { None };
    }
    Ok(out)
}

/// Go's `Regexp.Split`.
fn split<'a>(re: &Regex, pattern: &str, s: &'a str, n: i64) -> Vec<&'a str> {
    if n == 0 {
        return Vec::new();
    }
    if !pattern.is_empty() && s.is_empty() {
        return vec![""];
    }
    let mut out = Vec::new();
    let (mut begin, mut end) = (0usize, 0usize);
    for m in re.find_iter(s).take(limit(n)) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(&s[begin..end]);
        }
        begin = m.end();
    }
    if end != s.len() {
        out.push(&s[begin..]);
    }
    out
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::template::funcs::sprig::test_support::call;
    use crate::value::Value;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn results_observed_in_helm() {
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("regexFindAll", vec![s("[a-z]+"), s("ab1cd2ef"), Value::Int(-1)], "[ab cd ef]"),
            ("regexReplaceAll", vec![s("a(x*)b"), s("-ab-axxb-"), s("${1}W")], "-W-xxW-"),
            ("regexReplaceAll", vec![s("a(x*)b"), s("-ab-axxb-"), s("$1W")], "---"),
            ("regexReplaceAllLiteral", vec![s("a(x*)b"), s("-ab-axxb-"), s("${1}")], "-${1}-${1}-"),
            ("regexSplit", vec![s("a"), s("bababab"), Value::Int(3)], "[b b bab]"),
            ("regexSplit", vec![s(","), s("a,b,c"), Value::Int(-1)], "[a b c]"),
            ("regexSplit", vec![s(","), s("a,b,c"), Value::Int(0)], "[]"),
            ("regexFind", vec![s("[0-9]+"), s("abc123def456")], "123"),
            ("regexMatch", vec![s("^[a-z]+$"), s("abc")], "true"),
            ("regexQuoteMeta", vec![s("a.b*c")], "a\\.b\\*c"),
            ("regexMatch", vec![s("^\\d+$"), s("١٢")], "false"),
            ("regexMatch", vec![s("^[\\d]+$"), s("12")], "true"),
            ("regexFindAll", vec![s("\\w+"), s("héllo wörld"), Value::Int(2)], "[h llo]"),
            ("regexFindAll", vec![s("a*"), s("baaab"), Value::Int(-1)], "[ aaa ]"),
            ("regexSplit", vec![s(""), s("abc"), Value::Int(-1)], "[a b c]"),
            ("regexReplaceAll", vec![s("a*"), s("baaab"), s("X")], "XbXbX"),
            ("regexSplit", vec![s("a*"), s("baaab"), Value::Int(-1)], "[b b]"),
            ("regexReplaceAll", vec![s("x{y}"), s("ax{y}b"), s("-")], "a-b"),
            ("regexReplaceAll", vec![s("a{2}"), s("aaa"), s("-")], "-a"),
            ("regexReplaceAll", vec![s("a*?"), s("aa"), s("-")], "-a-a-"),
            ("regexMatch", vec![s("(?i)^AB$"), s("ab")], "true"),
        ];
        for (name, args, want) in cases {
            let got = call(name, &args).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.format_v(), want, "{name} {args:?}");
        }
    }

    #[test]
    fn bad_patterns_fail_as_in_helm() {
        assert_eq!(
            call("mustRegexMatch", &[s("("), s("x")]).unwrap_err().0,
            "error parsing regexp: missing closing ): `(`"
        );
        assert_eq!(call("regexMatch", &[s("("), s("x")]).unwrap().format_v(), "false");
        assert_eq!(
            call("regexFind", &[s("("), s("x")]).unwrap_err().0,
            "regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"
        );
        assert_eq!(
            call("mustRegexFind", &[s("a)"), s("x")]).unwrap_err().0,
            "error parsing regexp: unexpected ): `a)`"
        );
        assert_eq!(
            call("mustRegexFind", &[s("x[a-"), s("x")]).unwrap_err().0,
            "error parsing regexp: missing closing ]: `[a-`"
        );
        let more = [
            ("*a", "error parsing regexp: missing argument to repetition operator: `*`"),
            ("\\q", "error parsing regexp: invalid escape sequence: `\\q`"),
            ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
            ("a*?+", "error parsing regexp: invalid nested repetition operator: `*?+`"),
            ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
        ];
        for (pattern, want) in more {
            assert_eq!(call("mustRegexFind", &[s(pattern), s("x")]).unwrap_err().0, want, "{pattern}");
        }
    }
}
