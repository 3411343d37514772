//! Inline suppression comments in values files:
//!
//! ```yaml
//! # driftgate:ignore DG303 rotated weekly by the dev seeding job
//! seedPassword: dev-only-seed
//! image:
//!   tag: latest  # driftgate:ignore DG403 dev follows the branch build
//! ```
//!
//! A comment on the line of a key, or alone on the line above it, silences the named rules'
//! findings located on that key or anywhere under it. A suppression without a reason, or one
//! that names a built-in rule that does not exist, is reported (DG004) so it can be fixed.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Location};
use crate::model::Project;
use crate::source::{FileId, Sources};
use crate::yaml::{Node, NodeValue};

use super::Finding;
use crate::policy::rules::dg004_invalid_suppression as dg004;

/// The comment marker, after `#`.
pub const MARKER: &str = "driftgate:ignore";

/// Values nodes deeper than this are not searched for a key's extent (files come from users).
const MAX_DEPTH: usize = 64;

/// One `# driftgate:ignore` comment and the lines it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineSuppression {
    /// The values file, relative to the checked directory.
    pub file: String,
    /// The first and last line (1-based, inclusive) of the key it covers.
    pub lines: (u32, u32),
    /// The rule ids it silences, e.g. `["DG303"]`.
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Line and column of the comment itself.
    pub comment_at: (u32, u32),
}

/// Every inline suppression of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suppressions {
    pub entries: Vec<InlineSuppression>,
}

impl Suppressions {
    /// Reads the suppression comments of every values file of `project`, and reports the
    /// suppressions that lack a reason or name an unknown rule (DG004 findings).
    pub fn collect(project: &Project) -> (Suppressions, Vec<Finding>) {
        let mut seen = BTreeSet::new();
        let mut suppressions = Suppressions::default();
        let mut findings = Vec::new();
        for chart in &project.charts {
            let defaults_path =
                if chart.path.is_empty() { "values.yaml".to_string() } else { format!("{}/values.yaml", chart.path) };
            let defaults = (project.sources.path(chart.defaults.file) == defaults_path)
                .then_some((chart.defaults.file, &chart.defaults));
            let overrides =
                chart.environments.iter().flat_map(|env| env.override_files.iter().copied().zip(&env.overrides));
            for (file, root) in defaults.into_iter().chain(overrides) {
                let path = project.sources.path(file);
                if !seen.insert(path.clone()) {
                    continue;
                }
                for entry in scan_file(&project.sources, file, root) {
                    if let Some(finding) = dg004::check(&entry, chart) {
                        findings.push(finding);
                    }
                    suppressions.entries.push(entry);
                }
            }
        }
        (suppressions, findings)
    }

    /// Whether an inline comment silences `diagnostic` (same rule, located on the covered key).
    pub fn silences(&self, diagnostic: &Diagnostic) -> bool {
        let Some(location) = &diagnostic.location else { return false };
        self.entries.iter().any(|entry| {
            entry.file == location.file
                && (entry.lines.0..=entry.lines.1).contains(&location.line)
                && entry.rules.iter().any(|rule| rule.eq_ignore_ascii_case(&diagnostic.rule))
        })
    }
}

/// The suppressions written in one values file whose parsed tree is `root`.
fn scan_file(sources: &Sources, file: FileId, root: &Node) -> Vec<InlineSuppression> {
    let source = sources.get(file);
    let lines: Vec<&str> = source.text.lines().collect();
    let mut found = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(comment_start) = comment_start(line) else { continue };
        let Some(directive) = line[comment_start + 1..].trim_start().strip_prefix(MARKER) else { continue };
        // `driftgate:ignored` is not the marker.
        if directive.chars().next().is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let line_number = index as u32 + 1;
        let own_line = line[..comment_start].trim().is_empty();
        let target = if own_line { next_content_line(&lines, index + 1) } else { Some(line_number) };
        let Some(target) = target else { continue };
        let directive = directive.trim();
        let (ids, reason) = directive.split_once(char::is_whitespace).unwrap_or((directive, ""));
        let rules = ids.split(',').map(str::trim).filter(|id| !id.is_empty()).map(str::to_ascii_uppercase).collect();
        let reason = reason.trim();
        let column = line[..comment_start].chars().count() as u32 + 1;
        found.push(InlineSuppression {
            file: source.path.clone(),
            lines: (target, key_last_line(root, target).unwrap_or(target)),
            rules,
            reason: (!reason.is_empty()).then(|| reason.to_string()),
            comment_at: (line_number, column),
        });
    }
    found
}

/// The byte offset of the `#` that starts a YAML comment on `line`, if any: outside quotes, at
/// the line's start or after whitespace.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut previous_blank = true;
    for (offset, c) in line.char_indices() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '#' && previous_blank => return Some(offset),
            None if (c == '"' || c == '\'') && previous_blank => quote = Some(c),
            None => {}
        }
        previous_blank = c.is_whitespace() || (quote.is_none() && matches!(c, ':' | '-' | '[' | '{' | ','));
    }
    None
}

/// The first line at or after `index` (0-based) that holds more than a comment.
fn next_content_line(lines: &[&str], index: usize) -> Option<u32> {
    lines.iter().enumerate().skip(index).find_map(|(i, line)| {
        let content = comment_start(line).map_or(*line, |start| &line[..start]);
        (!content.trim().is_empty()).then_some(i as u32 + 1)
    })
}

/// The last line of the entry whose key starts on `line`: the key's own line for a scalar, the
/// last line of its nested content for a mapping or list.
fn key_last_line(root: &Node, line: u32) -> Option<u32> {
    let mut stack: Vec<(&Node, usize)> = vec![(root, 0)];
    while let Some((node, depth)) = stack.pop() {
        if depth >= MAX_DEPTH {
            continue;
        }
        match &node.value {
            NodeValue::Map(entries) => {
                for (key, value) in entries {
                    if key.span.start.line == line {
                        return Some(last_content_line(value).max(line));
                    }
                    stack.push((value, depth + 1));
                }
            }
            NodeValue::Seq(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            _ => {}
        }
    }
    None
}

/// The last line on which `node` or anything under it starts or ends (scalars only: a block
/// collection's own span may run onto the next key's line).
fn last_content_line(node: &Node) -> u32 {
    let mut last = node.span.start.line;
    let mut stack: Vec<(&Node, usize)> = vec![(node, 0)];
    while let Some((node, depth)) = stack.pop() {
        match &node.value {
            NodeValue::Map(entries) if depth < MAX_DEPTH => {
                for (key, value) in entries {
                    last = last.max(key.span.end.line);
                    stack.push((value, depth + 1));
                }
            }
            NodeValue::Seq(items) if depth < MAX_DEPTH => stack.extend(items.iter().map(|item| (item, depth + 1))),
            NodeValue::Map(_) | NodeValue::Seq(_) => {}
            _ => last = last.max(scalar_last_line(node)),
        }
    }
    last
}

/// A scalar's last line; a block scalar's span ends at column 1 of the line after its text.
fn scalar_last_line(node: &Node) -> u32 {
    let span = node.span;
    if span.end.line > span.start.line && span.end.column == 1 { span.end.line - 1 } else { span.end.line }
}

/// The location of a suppression comment, for DG004.
pub fn comment_location(entry: &InlineSuppression) -> Location {
    Location::point(entry.file.clone(), entry.comment_at.0, entry.comment_at.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn scan(text: &str) -> Vec<InlineSuppression> {
        let sources = Sources::new();
        let file = sources.add("charts/web/values-dev.yaml", text);
        let root = crate::values::load_values(text, file).unwrap();
        scan_file(&sources, file, &root)
    }

    #[test]
    fn trailing_and_preceding_comments_cover_their_key() {
        let text = "image:\n  tag: latest  # driftgate:ignore DG403 dev follows the branch build\n# driftgate:ignore dg201,DG202\nenv:\n  A: \"1\"\n\n  B: \"2\"\nafter: 1\n";
        let found = scan(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].lines, (2, 2));
        assert_eq!(found[0].rules, ["DG403"]);
        assert_eq!(found[0].reason.as_deref(), Some("dev follows the branch build"));
        assert_eq!(found[0].comment_at, (2, 16));
        assert_eq!(found[1].lines, (4, 7), "the env block and everything under it");
        assert_eq!(found[1].rules, ["DG201", "DG202"]);
        assert_eq!(found[1].reason, None);
    }

    #[test]
    fn hashes_inside_quotes_and_other_comments_are_not_suppressions() {
        let found =
            scan("a: \"x # driftgate:ignore DG303 no\"\nb: 1 # driftgate:ignored DG303 no\nc: 2 # just a note\n");
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(comment_start("url: http://x/#frag # c"), Some(20));
    }

    #[test]
    fn silences_only_the_named_rule_on_the_covered_lines() {
        let suppressions = Suppressions {
            entries: scan("password: hunter2-long # driftgate:ignore DG303 seeded test data\nother: 1\n"),
        };
        let finding = |rule: &str, line: u32| {
            let mut d = Diagnostic::new(rule, "x", Severity::Error, "m");
            d.location = Some(Location::point("charts/web/values-dev.yaml", line, 11));
            d
        };
        assert!(suppressions.silences(&finding("DG303", 1)));
        assert!(!suppressions.silences(&finding("DG201", 1)));
        assert!(!suppressions.silences(&finding("DG303", 2)));
    }
}
