//! Sprig's path functions (Go's `path` package; the `os*` variants behave the same on Unix),
//! `urlParse` / `urlJoin` (Go's `net/url`), and Helm's `getHostByName` without DNS.

use std::fmt::Write as _;

use super::support::{fixed, kind_of, map_arg, str_arg, string};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::{Map, Value};

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    let mut funcs = Vec::new();
    for (go_name, os_name, call) in [
        ("base", "osBase", (|a| string(base(str_arg(a, 0)?))) as crate::template::funcs::NativeFn),
        ("dir", "osDir", |a| string(dir(str_arg(a, 0)?))),
        ("clean", "osClean", |a| string(clean(str_arg(a, 0)?))),
        ("ext", "osExt", |a| string(ext(str_arg(a, 0)?))),
        ("isAbs", "osIsAbs", |a| Ok(Value::Bool(str_arg(a, 0)?.starts_with('/')))),
    ] {
        funcs.push(fixed(go_name, &[P::String], call));
        funcs.push(fixed(os_name, &[P::String], call));
    }
    funcs.push(fixed("urlParse", &[P::String], |a| url_parse(str_arg(a, 0)?)));
    funcs.push(fixed("urlJoin", &[P::Map], |a| url_join(&map_arg(a, 0)?.snapshot())));
    // Helm renders without DNS lookups unless asked to; the result is then always empty.
    funcs.push(fixed("getHostByName", &[P::String], |_| string("")));
    funcs
}

/// Go's `path.Clean`.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`.
fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `path.Dir`.
fn dir(path: &str) -> String {
    let cut = path.rfind('/').map_or(0, |i| i + 1);
    clean(&path[..cut])
}

/// Go's `path.Ext`.
fn ext(path: &str) -> String {
    for (i, c) in path.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return path[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

fn unhex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decoding as `url.PathUnescape` does (a `+` stays a `+`).
fn unescape(s: &str, whole: &str) -> Result<String, FuncError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(unhex);
            let lo = bytes.get(i + 2).copied().and_then(unhex);
            match (hi, lo) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => {
                    let bad: String = s[i..].chars().take(3).collect();
                    return Err(parse_error(whole, &format!("invalid URL escape {bad:?}")));
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn parse_error(url: &str, reason: &str) -> FuncError {
    FuncError::new(format!("unable to parse url: parse {url:?}: {reason}"))
}

struct ParsedUrl {
    scheme: String,
    opaque: String,
    userinfo: Option<String>,
    host: String,
    path: String,
    raw_query: String,
    fragment: String,
}

/// Go's `url.Parse`, for the parts `urlParse` exposes.
fn parse_url(raw: &str) -> Result<ParsedUrl, FuncError> {
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (r, unescape(f, raw)?),
        None => (raw, String::new()),
    };
    let mut scheme = String::new();
    let mut rest = rest;
    if let Some(colon) = rest.find(':') {
        let candidate = &rest[..colon];
        let valid = candidate.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && candidate.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if colon == 0 {
            return Err(parse_error(raw, "missing protocol scheme"));
        }
        if valid {
            scheme = candidate.to_ascii_lowercase();
            rest = &rest[colon + 1..];
        }
    }
    let (rest, raw_query) = match rest.split_once('?') {
        Some((r, q)) => (r, q.to_string()),
        None => (rest, String::new()),
    };
    let mut url = ParsedUrl {
        scheme,
        opaque: String::new(),
        userinfo: None,
        host: String::new(),
        path: String::new(),
        raw_query,
        fragment,
    };
    if !rest.starts_with('/') && !url.scheme.is_empty() {
        url.opaque = rest.to_string();
        return Ok(url);
    }
    let mut path_part = rest;
    let has_authority = rest.starts_with("//") && (!url.scheme.is_empty() || !rest.starts_with("///"));
    if let Some(after) = rest.strip_prefix("//").filter(|_| has_authority) {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        path_part = &after[end..];
        let host = match authority.rsplit_once('@') {
            Some((user, host)) => {
                url.userinfo = Some(user.to_string());
                host
            }
            None => authority,
        };
        url.host = unescape(host, raw)?;
    }
    url.path = unescape(path_part, raw)?;
    Ok(url)
}

fn hostname(host: &str) -> &str {
    if let Some(inner) = host.strip_prefix('[') {
        return inner.split(']').next().unwrap_or(inner);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

fn url_parse(raw: &str) -> Result<Value, FuncError> {
    let url = parse_url(raw)?;
    let mut map = Map::new();
    map.insert("scheme".into(), Value::str(url.scheme.as_str()));
    map.insert("host".into(), Value::str(url.host.as_str()));
    map.insert("hostname".into(), Value::str(hostname(&url.host)));
    map.insert("path".into(), Value::str(url.path.as_str()));
    map.insert("query".into(), Value::str(url.raw_query.as_str()));
    map.insert("opaque".into(), Value::str(url.opaque.as_str()));
    map.insert("fragment".into(), Value::str(url.fragment.as_str()));
    let userinfo = match &url.userinfo {
        Some(raw_user) => userinfo_string(raw_user),
        None => String::new(),
    };
    map.insert("userinfo".into(), Value::str(userinfo));
    Ok(Value::map(map))
}

#[derive(Clone, Copy, PartialEq)]
enum Escape {
    Path,
    Fragment,
    Userinfo,
    Host,
}

/// Go's `shouldEscape` for the parts a URL is written from.
fn should_escape(c: u8, mode: Escape) -> bool {
    if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
        return false;
    }
    if mode == Escape::Host {
        return !matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        );
    }
    match c {
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Escape::Path => c == b'?',
            Escape::Userinfo => matches!(c, b'@' | b'/' | b'?' | b':'),
            Escape::Fragment => false,
            Escape::Host => false,
        },
        b'!' | b'(' | b')' | b'*' if mode == Escape::Fragment => false,
        _ => true,
    }
}

fn escape(s: &str, mode: Escape) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if should_escape(b, mode) {
            let _ = write!(out, "%{b:02X}");
        } else {
            out.push(b as char);
        }
    }
    out
}

/// `url.Userinfo.String()` of `user[:password]` as it appeared in a URL.
fn userinfo_string(raw: &str) -> String {
    let decode = |s: &str| unescape(s, raw).unwrap_or_else(|_| s.to_string());
    match raw.split_once(':') {
        Some((user, password)) => {
            format!("{}:{}", escape(&decode(user), Escape::Userinfo), escape(&decode(password), Escape::Userinfo))
        }
        None => escape(&decode(raw), Escape::Userinfo),
    }
}

fn dict_string<'a>(map: &'a Map, key: &str) -> Result<&'a str, FuncError> {
    match map.get(key) {
        None => Ok(""),
        Some(Value::String(s)) => Ok(s),
        Some(Value::Nil) => Err(super::support::nil_deref()),
        Some(other) => Err(FuncError::new(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            kind_of(other)
        ))),
    }
}

/// Go's `url.URL.String()` for the dict `urlParse` produces.
fn url_join(map: &Map) -> Result<Value, FuncError> {
    let scheme = dict_string(map, "scheme")?;
    let host = dict_string(map, "host")?;
    let path = dict_string(map, "path")?;
    let query = dict_string(map, "query")?;
    let opaque = dict_string(map, "opaque")?;
    let fragment = dict_string(map, "fragment")?;
    let userinfo = dict_string(map, "userinfo")?;
    let user = if userinfo.is_empty() { None } else { Some(userinfo_string(userinfo)) };
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || user.is_some() {
            if !host.is_empty() || !path.is_empty() || user.is_some() {
                out.push_str("//");
            }
            if let Some(user) = &user {
                out.push_str(user);
                out.push('@');
            }
            out.push_str(&escape(host, Escape::Host));
        }
        let escaped_path = escape(path, Escape::Path);
        if !escaped_path.is_empty() && !escaped_path.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        if out.is_empty() {
            let first_segment = escaped_path.split('/').next().unwrap_or("");
            if first_segment.contains(':') {
                out.push_str("./");
            }
        }
        out.push_str(&escaped_path);
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape(fragment, Escape::Fragment));
    }
    string(out)
}

#[cfg(test)]
mod tests {
    use crate::template::funcs::sprig::test_support::call;
    use crate::value::Value;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn dict(pairs: &[(&str, &str)]) -> Value {
        Value::map(pairs.iter().map(|(k, v)| (k.to_string(), s(v))).collect())
    }

    #[test]
    fn paths_observed_in_helm() {
        let cases = [
            ("base", "a/b.txt", "b.txt"),
            ("base", "", "."),
            ("base", "/", "/"),
            ("base", "a/b/", "b"),
            ("dir", "a/b/c", "a/b"),
            ("dir", "", "."),
            ("dir", "/a", "/"),
            ("dir", "a", "."),
            ("clean", "a//b/../c", "a/c"),
            ("clean", "", "."),
            ("clean", "/../a/./b//", "/a/b"),
            ("ext", "x.tar.gz", ".gz"),
            ("ext", "a.b/c", ""),
            ("ext", "a/b.c", ".c"),
            ("isAbs", "/a", "true"),
            ("osBase", "a/b.txt", "b.txt"),
        ];
        for (name, input, want) in cases {
            assert_eq!(call(name, &[s(input)]).unwrap().format_v(), want, "{name} {input:?}");
        }
    }

    #[test]
    fn urls_observed_in_helm() {
        let cases = [
            (
                "https://u:p@host:8080/p/a?q=1#frag",
                "map[fragment:frag host:host:8080 hostname:host opaque: path:/p/a query:q=1 scheme:https userinfo:u:p]",
            ),
            (
                "/relative/path?x=1",
                "map[fragment: host: hostname: opaque: path:/relative/path query:x=1 scheme: userinfo:]",
            ),
            (
                "mailto:joe@example.com?subject=hi",
                "map[fragment: host: hostname: opaque:joe@example.com path: query:subject=hi scheme:mailto userinfo:]",
            ),
            (
                "http://[::1]:80/a%2Fb%20c?x=%20#f%20g",
                "map[fragment:f g host:[::1]:80 hostname:::1 opaque: path:/a/b c query:x=%20 scheme:http userinfo:]",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(call("urlParse", &[s(input)]).unwrap().format_v(), want, "{input}");
        }
        let joins = [
            (dict(&[("scheme", "http"), ("host", "h"), ("path", "/x"), ("query", "a=b")]), "http://h/x?a=b"),
            (
                dict(&[
                    ("scheme", "https"),
                    ("host", "h:1"),
                    ("path", "a b/c"),
                    ("userinfo", "u:p@s"),
                    ("fragment", "x y"),
                ]),
                "https://u:p%40s@h:1/a%20b/c#x%20y",
            ),
            (dict(&[("path", "a:b")]), "./a:b"),
            (dict(&[("scheme", "mailto"), ("opaque", "joe@x")]), "mailto:joe@x"),
        ];
        for (input, want) in joins {
            assert_eq!(call("urlJoin", std::slice::from_ref(&input)).unwrap().format_v(), want, "{input:?}");
        }
    }
}
