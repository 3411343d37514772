//! `semver` and `semverCompare` with Masterminds/semver v3.3 rules (the version Helm 3.17 ships):
//! loose version parsing (`v1.2` is `1.2.0`), constraint groups joined by `||`, constraints in a
//! group separated by spaces or commas, hyphen ranges, `x`/`*` wildcards, `~` and `^`, and the
//! rule that a prerelease version only satisfies constraints that themselves carry a prerelease.

use std::cmp::Ordering;
use std::sync::Arc;

use super::support::{fixed, str_arg};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::{Object, Value};

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("semver", &[P::String], |a| {
            let version = Version::parse(str_arg(a, 0)?).map_err(FuncError::new)?;
            Ok(Value::Object(Arc::new(version)))
        }),
        fixed("semverCompare", &[P::String, P::String], |a| {
            let constraints = Constraints::parse(str_arg(a, 0)?).map_err(FuncError::new)?;
            let version = Version::parse(str_arg(a, 1)?).map_err(FuncError::new)?;
            Ok(Value::Bool(constraints.check(&version)))
        }),
    ]
}

/// Helm 4's `semver` and `semverCompare`: Masterminds/semver v3.4, whose version errors start
/// with a lower-case letter (`invalid semantic version`); constraint errors are unchanged.
pub fn helm4_functions() -> Vec<Function> {
    fn lower_first(e: FuncError) -> FuncError {
        if e.0 == INVALID {
            return FuncError::new("invalid semantic version");
        }
        let mut chars = e.0.chars();
        match chars.next() {
            Some(first) => FuncError::new(first.to_lowercase().chain(chars).collect::<String>()),
            None => e,
        }
    }
    vec![
        fixed("semver", &[P::String], |a| {
            let version = Version::parse(str_arg(a, 0)?).map_err(|e| lower_first(FuncError::new(e)))?;
            Ok(Value::Object(Arc::new(version)))
        }),
        fixed("semverCompare", &[P::String, P::String], |a| {
            let constraints = Constraints::parse(str_arg(a, 0)?).map_err(FuncError::new)?;
            let version = Version::parse(str_arg(a, 1)?).map_err(|e| lower_first(FuncError::new(e)))?;
            Ok(Value::Bool(constraints.check(&version)))
        }),
    ]
}

/// A parsed semantic version (`*semver.Version` in templates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

const INVALID: &str = "Invalid Semantic Version";

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Dot-separated identifiers of `[0-9A-Za-z-]`, none empty.
fn valid_identifiers(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(|part| !part.is_empty() && part.chars().all(is_ident_char))
}

impl Version {
    /// Masterminds `NewVersion` (v3.3): `v?MAJOR(.MINOR)?(.PATCH)?(-PRE)?(+META)?`.
    pub fn parse(text: &str) -> Result<Version, String> {
        let body = text.strip_prefix('v').unwrap_or(text);
        let (body, metadata) = match body.split_once('+') {
            Some((b, m)) if valid_identifiers(m) => (b, m),
            Some(_) => return Err(INVALID.to_string()),
            None => (body, ""),
        };
        let (core, pre) = match body.split_once('-') {
            Some((c, p)) if valid_identifiers(p) => (c, p),
            Some(_) => return Err(INVALID.to_string()),
            None => (body, ""),
        };
        let mut numbers = core.split('.');
        let mut next_number = |required: bool| -> Result<u64, String> {
            match numbers.next() {
                None if !required => Ok(0),
                Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                    digits.parse::<u64>().map_err(|e| {
                        format!(
                            "Error parsing version segment: strconv.ParseUint: parsing {digits:?}: {}",
                            range_text(&e)
                        )
                    })
                }
                _ => Err(INVALID.to_string()),
            }
        };
        let major = next_number(true)?;
        let minor = next_number(false)?;
        let patch = next_number(false)?;
        if numbers.next().is_some() {
            return Err(INVALID.to_string());
        }
        for part in pre.split('.').filter(|_| !pre.is_empty()) {
            if part.bytes().all(|b| b.is_ascii_digit()) && part.len() > 1 && part.starts_with('0') {
                return Err("Version segment starts with 0".to_string());
            }
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: text.to_string(),
        })
    }

    fn canonical(&self) -> String {
        let mut out = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            out.push('-');
            out.push_str(&self.pre);
        }
        if !self.metadata.is_empty() {
            out.push('+');
            out.push_str(&self.metadata);
        }
        out
    }

    /// Precedence order; metadata is ignored.
    pub fn compare(&self, other: &Version) -> Ordering {
        self.major.cmp(&other.major).then(self.minor.cmp(&other.minor)).then(self.patch.cmp(&other.patch)).then_with(
            || match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &other.pre),
            },
        )
    }

    fn with(&self, major: u64, minor: u64, patch: u64) -> Version {
        let prefix = if self.original.starts_with('v') { "v" } else { "" };
        let mut next =
            Version { major, minor, patch, pre: String::new(), metadata: String::new(), original: String::new() };
        next.original = format!("{prefix}{}", next.canonical());
        next
    }
}

fn range_text(e: &std::num::ParseIntError) -> &'static str {
    match e.kind() {
        std::num::IntErrorKind::PosOverflow => "value out of range",
        _ => "invalid syntax",
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let ord = compare_pre_part(pa.get(i).copied().unwrap_or(""), pb.get(i).copied().unwrap_or(""));
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(si), Ok(oi)) => {
            if si > oi {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

impl Object for Version {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }

    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            // Go's uint64; the value model's closest integer type is int64.
            "Major" => Value::Int64(self.major as i64),
            "Minor" => Value::Int64(self.minor as i64),
            "Patch" => Value::Int64(self.patch as i64),
            "Prerelease" => Value::str(self.pre.as_str()),
            "Metadata" => Value::str(self.metadata.as_str()),
            "Original" => Value::str(self.original.as_str()),
            "String" => Value::str(self.canonical()),
            "IncMajor" => Value::Object(Arc::new(self.with(self.major.saturating_add(1), 0, 0))),
            "IncMinor" => Value::Object(Arc::new(self.with(self.major, self.minor.saturating_add(1), 0))),
            "IncPatch" => {
                let patch = if self.pre.is_empty() { self.patch.saturating_add(1) } else { self.patch };
                Value::Object(Arc::new(self.with(self.major, self.minor, patch)))
            }
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let other = || -> Result<Version, String> {
            match args.first() {
                Some(Value::Object(o)) if o.type_name() == "*semver.Version" => Version::parse(&o.format_v()),
                Some(v) => Err(format!("wrong type for value; expected *semver.Version; got {}", v.type_name())),
                None => Err("wrong number of args: want 1 got 0".to_string()),
            }
        };
        let result = match name {
            "Compare" => other().map(|o| Value::Int(self.compare(&o) as i64)),
            "LessThan" => other().map(|o| Value::Bool(self.compare(&o) == Ordering::Less)),
            "GreaterThan" => other().map(|o| Value::Bool(self.compare(&o) == Ordering::Greater)),
            "Equal" => other().map(|o| Value::Bool(self.compare(&o) == Ordering::Equal)),
            _ => return self.field(name).map(Ok),
        };
        Some(result)
    }

    fn format_v(&self) -> String {
        self.canonical()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Clone, Debug)]
struct Constraint {
    op: Op,
    version: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

/// A parsed constraint string: OR-groups of AND-ed constraints.
#[derive(Clone, Debug)]
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
}

fn is_wild(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// One version-like token of a constraint: `v?N(.N)?(.N)?(-pre)?(+meta)?` where N may be x/X/*.
/// Returns the byte length matched at the start of `s`.
fn scan_constraint_version(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'v'));
    let part = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && (bytes[*i].is_ascii_digit() || matches!(bytes[*i], b'x' | b'X' | b'*' | b'|')) {
            *i += 1;
        }
        *i > start
    };
    if !part(&mut i) {
        return None;
    }
    for _ in 0..2 {
        if bytes.get(i) == Some(&b'.') {
            let mut j = i + 1;
            if part(&mut j) {
                i = j;
            } else {
                break;
            }
        }
    }
    for sep in [b'-', b'+'] {
        if bytes.get(i) == Some(&sep) {
            let mut j = i + 1;
            let mut k = j;
            loop {
                let start = k;
                while k < bytes.len() && (bytes[k].is_ascii_alphanumeric() || bytes[k] == b'-') {
                    k += 1;
                }
                if k == start {
                    break;
                }
                j = k;
                if bytes.get(k) == Some(&b'.')
                    && bytes.get(k + 1).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-')
                {
                    k += 1;
                } else {
                    break;
                }
            }
            if j > i + 1 {
                i = j;
            }
        }
    }
    Some(i)
}

const OPS: [(&str, Op); 12] = [
    ("!=", Op::NotEqual),
    (">=", Op::GreaterEqual),
    ("=>", Op::GreaterEqual),
    ("<=", Op::LessEqual),
    ("=<", Op::LessEqual),
    ("~>", Op::Tilde),
    (">", Op::Greater),
    ("<", Op::Less),
    ("=", Op::TildeOrEqual),
    ("~", Op::Tilde),
    ("^", Op::Caret),
    ("", Op::TildeOrEqual),
];

/// Splits `op? version` tokens out of one OR-group, checking the group's overall shape.
fn split_group(group: &str) -> Option<Vec<(Op, &str)>> {
    let mut out = Vec::new();
    let mut rest = group.trim_start();
    let mut first = true;
    loop {
        if rest.trim().is_empty() {
            return if out.is_empty() { None } else { Some(out) };
        }
        if !first {
            // Separator: whitespace or a comma (with optional whitespace after it).
            let trimmed = rest.trim_start();
            let had_space = trimmed.len() < rest.len();
            rest = match trimmed.strip_prefix(',') {
                Some(after) => after.trim_start(),
                None if had_space => trimmed,
                None => return None,
            };
        }
        first = false;
        let (op, after_op) = OPS.iter().find_map(|(text, op)| rest.strip_prefix(text).map(|r| (*op, r)))?;
        let after_op = after_op.trim_start();
        let len = scan_constraint_version(after_op)?;
        out.push((op, &after_op[..len]));
        rest = &after_op[len..];
    }
}

/// Rewrites hyphen ranges `A - B` into `>= A, <= B`.
fn rewrite_ranges(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(pos) = rest.find(" - ") {
        let (before, after) = (&rest[..pos], &rest[pos + 3..]);
        let lhs_start = before
            .trim_end()
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace() || *c == ',' || *c == '|')
            .map_or(0, |(i, c)| i + c.len_utf8());
        let lhs = before.trim_end()[lhs_start..].to_string();
        let after_trim = after.trim_start();
        match (
            scan_constraint_version(&lhs).filter(|l| *l == lhs.len() && !lhs.is_empty()),
            scan_constraint_version(after_trim),
        ) {
            (Some(_), Some(rlen)) => {
                out.push_str(&before[..lhs_start]);
                out.push_str(&format!(">= {lhs}, <= {} ", &after_trim[..rlen]));
                rest = &after_trim[rlen..];
            }
            _ => {
                out.push_str(&rest[..pos + 3]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Constraints {
    /// Masterminds `NewConstraint`.
    pub fn parse(text: &str) -> Result<Constraints, String> {
        let rewritten = rewrite_ranges(text);
        let mut groups = Vec::new();
        for group in rewritten.split("||") {
            let tokens = split_group(group).ok_or_else(|| format!("improper constraint: {group}"))?;
            let mut parsed = Vec::with_capacity(tokens.len());
            for (op, version) in tokens {
                parsed.push(parse_constraint(op, version).ok_or_else(|| "constraint Parser Error".to_string())?);
            }
            groups.push(parsed);
        }
        Ok(Constraints { groups })
    }

    /// True when any group has all of its constraints satisfied.
    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().any(|group| group.iter().all(|c| c.check(v)))
    }
}

fn parse_constraint(op: Op, text: &str) -> Option<Constraint> {
    let body = text.strip_prefix('v').unwrap_or(text);
    let (body, meta) = match body.split_once('+') {
        Some((b, m)) => (b, format!("+{m}")),
        None => (body, String::new()),
    };
    let (core, pre) = match body.split_once('-') {
        Some((c, p)) => (c, format!("-{p}")),
        None => (body, String::new()),
    };
    let parts: Vec<&str> = core.split('.').collect();
    let get = |i: usize| parts.get(i).copied();
    let suffix = format!("{pre}{meta}");
    let (version_text, dirty, minor_dirty, patch_dirty) = match (get(0), get(1), get(2)) {
        (Some(major), _, _) if is_wild(major) => (format!("0.0.0{suffix}"), true, false, false),
        (Some(major), minor, _) if minor.is_none_or(is_wild) => (format!("{major}.0.0{suffix}"), true, true, false),
        (Some(major), Some(minor), patch) if patch.is_none_or(is_wild) => {
            (format!("{major}.{minor}.0{suffix}"), true, false, true)
        }
        _ => (text.to_string(), false, false, false),
    };
    let version = Version::parse(&version_text).ok()?;
    Some(Constraint { op, version, minor_dirty, patch_dirty, dirty })
}

impl Constraint {
    fn check(&self, v: &Version) -> bool {
        let c = &self.version;
        // v3.3: a prerelease version only matches a constraint that has a prerelease itself.
        let pre_blocked = !v.pre.is_empty() && c.pre.is_empty();
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if pre_blocked {
                        return false;
                    }
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            Op::Greater => {
                if pre_blocked {
                    return false;
                }
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major > c.major {
                    true
                } else if v.major < c.major || self.minor_dirty {
                    false
                } else if self.patch_dirty {
                    v.minor > c.minor
                } else {
                    v.compare(c) == Ordering::Greater
                }
            }
            Op::Less => !pre_blocked && v.compare(c) == Ordering::Less,
            Op::GreaterEqual => !pre_blocked && v.compare(c) != Ordering::Less,
            Op::LessEqual => {
                if pre_blocked {
                    return false;
                }
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            Op::Tilde => !pre_blocked && self.tilde(v),
            Op::TildeOrEqual => {
                if pre_blocked {
                    return false;
                }
                if self.dirty { self.tilde(v) } else { v.compare(c) == Ordering::Equal }
            }
            Op::Caret => {
                if pre_blocked || v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_support::call;

    fn compare(constraint: &str, version: &str) -> bool {
        match call("semverCompare", &[Value::str(constraint), Value::str(version)]) {
            Ok(Value::Bool(b)) => b,
            other => panic!("{constraint} {version}: {other:?}"),
        }
    }

    #[test]
    fn constraints_observed_in_helm() {
        let cases = [
            (">=1.21-0", "v1.33.0", true),
            (">=1.21-0 <2", "v1.33.0-gke.1", false),
            (">=1.21", "v1.33.0-gke.1", false),
            (">=1.21-0", "v1.33.0-gke.1", true),
            (">=1.21-0", "v1.33.0+k3s1", true),
            ("^1.2", "1.9.0", true),
            ("~1.2", "1.3.0", false),
            ("1.2.x", "1.2.9", true),
            ("1.0 - 2.0", "2.0.5", true),
            ("<1.0 || >=3", "3.1.0", true),
            (">1.2", "1.2.5", false),
            ("!=1.2.x", "1.3.0", true),
            (">= 1.19.0-0, < 1.25.0-0", "1.24.3", true),
            ("<=1.2", "1.2.9", true),
            ("*", "1.0.0-beta", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.0.3", "0.0.4", false),
            ("~1.2.3", "1.2.9", true),
            ("1.x", "1.9.9", true),
            (">=1.0.0,<2.0.0", "1.5.0", true),
            ("1.2.3", "v1.2.3", true),
            ("~1.2.3", "1.3.0", false),
            (">=1.2.3-alpha", "1.2.3-beta", true),
            ("^1.2.3-alpha", "1.3.0-beta", true),
            ("~0", "0.5.0", true),
            ("=1.2", "1.2.7", true),
            (">= 1.2 < 1.5", "1.4.0", true),
            ("1.2 - 1.4.5 || >3", "1.4.6", false),
            ("<2.x", "1.9.0", true),
            (">1.x", "2.0.0", true),
            ("<=1.x", "1.9.0", true),
            ("1.0.0", "1.0.0-beta", false),
        ];
        for (constraint, version, want) in cases {
            assert_eq!(compare(constraint, version), want, "{constraint} vs {version}");
        }
    }

    #[test]
    fn more_constraint_forms() {
        assert!(compare("=1.2.3", "1.2.3"));
        assert!(!compare("!=1.2.3", "1.2.3"));
        assert!(!compare("1.x", "2.0.0"));
    }

    #[test]
    fn version_methods_observed_in_helm() {
        let Value::Object(v) = call("semver", &[Value::str("01.2.3")]).unwrap() else { panic!() };
        assert_eq!(v.format_v(), "1.2.3");
        let other = call("semver", &[Value::str("1.2.4")]).unwrap();
        assert!(matches!(v.call_method("Compare", &[other]), Some(Ok(Value::Int(-1)))));
        let Value::Object(rc) = call("semver", &[Value::str("1.2.3-rc1")]).unwrap() else { panic!() };
        assert_eq!(rc.field("IncPatch").unwrap().format_v(), "1.2.3");
    }

    #[test]
    fn version_parsing_and_printing() {
        let v = call("semver", &[Value::str("1.2.3-beta.1+b5")]).unwrap();
        assert_eq!(v.format_v(), "1.2.3-beta.1+b5");
        assert_eq!(v.type_name(), "*semver.Version");
        let Value::Object(o) = call("semver", &[Value::str("v1.2")]).unwrap() else { panic!() };
        assert_eq!(o.format_v(), "1.2.0");
        assert_eq!(o.field("Original").unwrap().as_str(), Some("v1.2"));
        assert!(matches!(o.field("Major"), Some(Value::Int64(1))));
        assert_eq!(call("semver", &[Value::str("1.2.3.4")]).unwrap_err().0, "Invalid Semantic Version");
        assert_eq!(call("semver", &[Value::str("1.0.0-01")]).unwrap_err().0, "Version segment starts with 0");
        let errors = [
            ("foo", "1.0.0", "improper constraint: foo"),
            (">1", "bad", "Invalid Semantic Version"),
            (">1 ||", "1.0.0", "improper constraint: "),
            ("> 1.0.0.0", "1.0.0", "improper constraint: > 1.0.0.0"),
            ("", "1.0.0", "improper constraint: "),
            ("1.2.3", "", "Invalid Semantic Version"),
        ];
        for (constraint, version, want) in errors {
            let err = call("semverCompare", &[Value::str(constraint), Value::str(version)]).unwrap_err();
            assert_eq!(err.0, want, "{constraint:?} {version:?}");
        }
        assert_eq!(call("semver", &[Value::str("1.2.3+a..b")]).unwrap_err().0, "Invalid Semantic Version");
    }
}
