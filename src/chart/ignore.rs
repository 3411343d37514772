//! `.helmignore`: which chart files Helm leaves out when it loads a chart directory.
//!
//! Rules are tried in order and the first match decides. A pattern without `/` matches the base
//! name only, one with `/` matches the whole path (relative to the chart), a trailing `/` limits
//! it to directories, and a leading `!` negates it: a path that does not match a negated rule is
//! ignored. Patterns use Go's `filepath.Match` syntax; `**` is refused, as Helm refuses it.

/// One parsed rule.
#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    negate: bool,
    dir_only: bool,
    /// Matches the whole relative path rather than the base name.
    whole_path: bool,
}

/// The rules of a chart's `.helmignore` plus Helm's default (dot files under `templates/`).
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
}

impl IgnoreRules {
    /// Parses `.helmignore` text; the error names the first bad line (1-based) and why.
    pub fn parse(text: &str) -> Result<IgnoreRules, (usize, String)> {
        let mut rules = IgnoreRules::default();
        for (index, line) in text.lines().enumerate() {
            rules.add(line).map_err(|e| (index + 1, e))?;
        }
        Ok(rules)
    }

    /// Adds Helm's default rule: dot files in `templates/` are never loaded.
    pub fn with_defaults(mut self) -> IgnoreRules {
        // A default pattern is known to be valid.
        let _ = self.add("templates/.?*");
        self
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".to_string());
        }
        if let Err(e) = match_path(rule, "abc") {
            return Err(e.to_string());
        }
        let (negate, rule) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (dir_only, rule) = match rule.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (whole_path, pattern) = match rule.strip_prefix('/') {
            Some(rest) => (true, rest.to_string()),
            None => (rule.contains('/'), rule.to_string()),
        };
        self.rules.push(Rule { pattern, negate, dir_only, whole_path });
        Ok(())
    }

    /// Whether `path` (relative to the chart, `/`-separated) is left out.
    pub fn ignores(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        let base = path.rsplit('/').next().unwrap_or(path);
        for rule in &self.rules {
            let subject = if rule.whole_path { path } else { base };
            let matched = match_path(&rule.pattern, subject).unwrap_or(false);
            if rule.negate {
                if (rule.dir_only && !is_dir) || !matched {
                    return true;
                }
                continue;
            }
            if rule.dir_only && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

/// Go's `path/filepath.Match` with `/` as separator: `*` and `?` never cross `/`, `[...]`
/// classes (`^` negates), `\` escapes. An error is Go's `syntax error in pattern`.
pub fn match_path(pattern: &str, name: &str) -> Result<bool, &'static str> {
    const BAD: &str = "syntax error in pattern";
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with one backtrack point per `*`, as Go's does per star segment.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    let mut error = false;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' if ni < n.len() && n[ni] != '/' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => match match_class(&p, pi, n.get(ni).copied()) {
                    Ok(Some(next)) => {
                        pi = next;
                        ni += 1;
                        continue;
                    }
                    Ok(None) => {}
                    Err(()) => {
                        error = true;
                        break;
                    }
                },
                '\\' => {
                    let Some(&literal) = p.get(pi + 1) else {
                        error = true;
                        break;
                    };
                    if n.get(ni) == Some(&literal) {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c if c != '?' && n.get(ni) == Some(&c) => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        } else if ni == n.len() {
            return Ok(true);
        }
        // Mismatch: let the last `*` swallow one more character, unless that is a separator.
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp + 1;
                ni = sn + 1;
            }
            _ => break,
        }
    }
    if error {
        return Err(BAD);
    }
    // Go reports a malformed rest of the pattern even when the name already failed to match.
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' if i + 1 >= p.len() => return Err(BAD),
            '\\' => i += 2,
            '[' => {
                match_class(&p, i, Some('\u{0}')).map_err(|_| BAD)?;
                i += 1;
                while i < p.len() && p[i] != ']' {
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(false)
}

/// Matches `c` against the class starting at `p[start] == '['`: `Ok(Some(end))` on a match
/// (index after `]`), `Ok(None)` on no match, `Err` when the class is malformed.
fn match_class(p: &[char], start: usize, c: Option<char>) -> Result<Option<usize>, ()> {
    let mut i = start + 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let Some(&ch) = p.get(i) else { return Err(()) };
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let (lo, after) = class_char(p, i)?;
        let (hi, after) = if p.get(after) == Some(&'-') { class_char(p, after + 1)? } else { (lo, after) };
        if let Some(c) = c
            && lo <= c
            && c <= hi
        {
            matched = true;
        }
        i = after;
    }
    match c {
        Some(c) if c != '/' && matched != negated => Ok(Some(i)),
        _ => Ok(None),
    }
}

fn class_char(p: &[char], i: usize) -> Result<(char, usize), ()> {
    match p.get(i) {
        Some('\\') => p.get(i + 1).map(|c| (*c, i + 2)).ok_or(()),
        Some('-') | Some(']') | None => Err(()),
        Some(c) => Ok((*c, i + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_filepath_match_semantics() {
        assert_eq!(match_path("*.txt", "a.txt"), Ok(true));
        assert_eq!(match_path("*.txt", "dir/a.txt"), Ok(false));
        assert_eq!(match_path("dir/*", "dir/a.txt"), Ok(true));
        assert_eq!(match_path("a?c", "abc"), Ok(true));
        assert_eq!(match_path("[a-c]x", "bx"), Ok(true));
        assert_eq!(match_path("[^a-c]x", "bx"), Ok(false));
        assert_eq!(match_path("\\*", "*"), Ok(true));
        assert_eq!(match_path("[", "abc"), Err("syntax error in pattern"));
        assert_eq!(match_path("templates/.?*", "templates/.hidden"), Ok(true));
        assert_eq!(match_path("templates/.?*", "templates/."), Ok(false));
    }

    #[test]
    fn helmignore_rules_apply_in_order() {
        let rules = IgnoreRules::parse("# comment\n*.md\nsecret/\n/top.txt\n").unwrap().with_defaults();
        assert!(rules.ignores("README.md", false));
        assert!(rules.ignores("docs/guide.md", false));
        assert!(rules.ignores("secret", true));
        assert!(!rules.ignores("secret", false));
        assert!(rules.ignores("top.txt", false));
        assert!(!rules.ignores("sub/top.txt", false));
        assert!(rules.ignores("templates/.swp", false));
        assert!(!rules.ignores("templates/a.yaml", false));
    }

    #[test]
    fn negated_rule_ignores_what_it_does_not_match() {
        let rules = IgnoreRules::parse("!*.yaml\n").unwrap();
        assert!(rules.ignores("notes.txt", false));
        assert!(!rules.ignores("a.yaml", false));
    }

    #[test]
    fn double_star_is_refused_with_its_line() {
        assert_eq!(
            IgnoreRules::parse("ok\n**/x\n").unwrap_err(),
            (2, "double-star (**) syntax is not supported".to_string())
        );
    }
}
