//! Sprig's regular-expression functions, with Go's `regexp` semantics (see [`go_regex`]): the
//! patterns Go accepts, Go's error messages for the others, Go's rules for successive and empty
//! matches, and `$` in replacements as Go's `Expand` reads it.

mod go_regex;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use go_regex::{Error, GoRegex};

use super::support::{fixed, int_arg, str_arg, string, string_list};
use crate::template::funcs::{FuncError, Function, NativeFn, ParamType as P};
use crate::template::lex::go_quote;
use crate::value::Value;

/// Compiled patterns per rendering thread; templates call the same few patterns in loops.
const CACHE_LIMIT: usize = 128;

thread_local! {
    static CACHE: RefCell<HashMap<String, Rc<GoRegex>>> = RefCell::new(HashMap::new());
}

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("regexQuoteMeta", &[P::String], |a| string(go_regex::quote_meta(str_arg(a, 0)?))),
        // Sprig's regexMatch swallows Go's error for a bad pattern and answers false.
        fixed("regexMatch", &[P::String, P::String], |a| match compile(str_arg(a, 0)?) {
            Ok(re) => Ok(Value::Bool(re.is_match(str_arg(a, 1)?))),
            Err(Error::Syntax(_)) => Ok(Value::Bool(false)),
            Err(e @ Error::Unsupported(_)) => Err(failure(str_arg(a, 0)?, e, Panics::No)),
        }),
        fixed("mustRegexMatch", &[P::String, P::String], |a| {
            Ok(Value::Bool(compiled(a, Panics::No)?.is_match(str_arg(a, 1)?)))
        }),
        fixed("regexFindAll", &[P::String, P::String, P::Int], |a| find_all(a, Panics::Yes)),
        fixed("mustRegexFindAll", &[P::String, P::String, P::Int], |a| find_all(a, Panics::No)),
        fixed("regexFind", &[P::String, P::String], |a| string(compiled(a, Panics::Yes)?.find(str_arg(a, 1)?))),
        fixed("mustRegexFind", &[P::String, P::String], |a| string(compiled(a, Panics::No)?.find(str_arg(a, 1)?))),
        fixed("regexReplaceAll", &[P::String, P::String, P::String], |a| replace_all(a, Panics::Yes, true)),
        fixed("mustRegexReplaceAll", &[P::String, P::String, P::String], |a| replace_all(a, Panics::No, true)),
        fixed("regexReplaceAllLiteral", &[P::String, P::String, P::String], |a| replace_all(a, Panics::Yes, false)),
        fixed("mustRegexReplaceAllLiteral", &[P::String, P::String, P::String], |a| replace_all(a, Panics::No, false)),
        fixed("regexSplit", &[P::String, P::String, P::Int], |a| split(a, Panics::Yes)),
        fixed("mustRegexSplit", &[P::String, P::String, P::Int], |a| split(a, Panics::No)),
    ]
}

/// Helm 4's regex functions (Go 1.25's `regexp`). Go 1.25 reads Unicode class names
/// differently from Go 1.23 (long and case-insensitive names such as `\p{Letter}` or
/// `\p{greek}`, `\p{C}` with the unassigned code points); driftgate does not reproduce that,
/// so a pattern using such a class fails with a message naming it instead of matching wrongly.
pub fn helm4_functions() -> Vec<Function> {
    fn guarded<const I: usize>(a: &[Value]) -> Result<Value, FuncError> {
        static FUNCS: std::sync::OnceLock<Vec<Function>> = std::sync::OnceLock::new();
        let funcs = FUNCS.get_or_init(functions);
        let pattern = str_arg(a, 0)?;
        if let Some(class) = class_go_1_25_reads_differently(pattern) {
            return Err(FuncError::new(format!(
                "regexp `{pattern}` uses the Unicode class `{class}`, which Go 1.25 (Helm 4) reads differently \
                 from Go 1.23; driftgate does not reproduce Go 1.25's Unicode class names"
            )));
        }
        (funcs[I].call)(a)
    }
    let funcs = functions();
    let calls: [NativeFn; 12] = [
        guarded::<1>,
        guarded::<2>,
        guarded::<3>,
        guarded::<4>,
        guarded::<5>,
        guarded::<6>,
        guarded::<7>,
        guarded::<8>,
        guarded::<9>,
        guarded::<10>,
        guarded::<11>,
        guarded::<12>,
    ];
    funcs[1..].iter().zip(calls).map(|(f, call)| Function { call, ..*f }).collect()
}

/// The first `\p`/`\P` class of `pattern` whose meaning Go 1.25 changed: `C`, or a braced name
/// Go 1.23 does not know.
fn class_go_1_25_reads_differently(pattern: &str) -> Option<&str> {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if matches!(bytes[i + 1], b'p' | b'P') {
            let rest = &pattern[i + 2..];
            let (name, len) = match rest.strip_prefix('{') {
                Some(braced) => match braced.find('}') {
                    Some(end) => (Some(&braced[..end]), end + 2),
                    None => (None, 0),
                },
                None => (rest.get(..1), 1),
            };
            if let Some(name) = name {
                let plain = name.strip_prefix('^').unwrap_or(name);
                let braced = rest.starts_with('{');
                if plain == "C" || (braced && !plain.is_empty() && go_regex::unicode_table(plain).is_none()) {
                    return Some(&pattern[i..i + 2 + len]);
                }
            }
            i += 2 + len;
            continue;
        }
        i += 2;
    }
    None
}

/// Whether the Go function compiles with `regexp.MustCompile` (a panic, whose message names the
/// pattern) or `regexp.Compile` (an error).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Panics {
    Yes,
    No,
}

fn find_all(a: &[Value], panics: Panics) -> Result<Value, FuncError> {
    let re = compiled(a, panics)?;
    let s = str_arg(a, 1)?;
    Ok(string_list(re.find_all(s, int_arg(a, 2)?).into_iter().map(|(start, end)| &s[start..end])))
}

fn replace_all(a: &[Value], panics: Panics, expand: bool) -> Result<Value, FuncError> {
    let re = compiled(a, panics)?;
    string(re.replace_all(str_arg(a, 1)?, str_arg(a, 2)?, expand))
}

fn split(a: &[Value], panics: Panics) -> Result<Value, FuncError> {
    let re = compiled(a, panics)?;
    Ok(string_list(re.split(str_arg(a, 1)?, int_arg(a, 2)?)))
}

/// The pattern of the first argument, compiled, or the error the Go function reports.
fn compiled(a: &[Value], panics: Panics) -> Result<Rc<GoRegex>, FuncError> {
    let pattern = str_arg(a, 0)?;
    compile(pattern).map_err(|e| failure(pattern, e, panics))
}

fn compile(pattern: &str) -> Result<Rc<GoRegex>, Error> {
    if let Some(re) = CACHE.with(|cache| cache.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Rc::new(go_regex::compile(pattern)?);
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

/// The function's error: Go's `Compile` error, or `MustCompile`'s panic, which quotes the
/// pattern as `regexp.quote` does (backquotes when `strconv.CanBackquote`).
fn failure(pattern: &str, error: Error, panics: Panics) -> FuncError {
    let message = match error {
        Error::Syntax(message) | Error::Unsupported(message) => message,
    };
    FuncError::new(match panics {
        Panics::No => message,
        Panics::Yes if can_backquote(pattern) => format!("regexp: Compile(`{pattern}`): {message}"),
        Panics::Yes => format!("regexp: Compile({}): {message}", go_quote(pattern)),
    })
}

/// Go's `strconv.CanBackquote`.
fn can_backquote(s: &str) -> bool {
    !s.chars().any(|c| (c < ' ' && c != '\t') || c == '`' || c == '\u{7F}' || c == '\u{FEFF}')
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
        // MustCompile quotes the pattern with strconv.Quote when it cannot use backquotes.
        assert_eq!(
            call("regexFind", &[s("a\n("), s("x")]).unwrap_err().0,
            "regexp: Compile(\"a\\n(\"): error parsing regexp: missing closing ): `a\n(`"
        );
        // A pattern Go accepts but driftgate cannot compile is an error, never a silent false.
        let too_large = "\\pL{1000}".repeat(4);
        let err = call("regexMatch", &[s(&too_large), s("x")]).unwrap_err().0;
        assert!(err.contains("valid in Go"), "{err}");
    }
}
