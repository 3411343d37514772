//! The baseline: findings a team accepted on the day it turned driftgate on, so that `check`
//! fails only on new ones.
//!
//! A finding is known by what it is about, not by where the file happens to put it today: its
//! rule, chart, environment, resource, field path, file, and a fingerprint of its message with
//! line and column numbers left out. Moving lines, or editing other parts of a file, keeps every
//! finding matched; changing what a finding says makes it new. The same identity gives SARIF
//! its `partialFingerprints`.
//!
//! The file is JSON, one entry per finding, sorted, so that its diff in a pull request shows
//! exactly which findings were accepted or fixed:
//!
//! ```json
//! { "driftgate_baseline": 1,
//!   "findings": [ { "rule": "DG302", "chart": "charts/basket", "environment": "dev",
//!                   "resource": "apps/v1 Deployment basket/basket-web",
//!                   "path": "spec.template.spec.containers[web].env[DATABASE_URL].value",
//!                   "file": "charts/basket/values-dev.yaml",
//!                   "message": "env var DATABASE_URL has ... (<redacted>) ...",
//!                   "fingerprint": "5f0c2a9e41b7d3c8" } ] }
//! ```
//!
//! Messages are stored as every report prints them, with secret values already redacted.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, Location};
use crate::error::FatalError;

/// The format version written in `driftgate_baseline`.
pub const FORMAT: u32 = 1;

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// `apiVersion Kind namespace/name` (no namespace: `apiVersion Kind name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// For the reader of the file; matching uses the fingerprint.
    #[serde(default)]
    pub message: String,
    pub fingerprint: String,
}

impl Entry {
    /// The identity of a finding.
    pub fn of(diagnostic: &Diagnostic) -> Entry {
        let resource = diagnostic.resource.as_ref().map(|r| match &r.namespace {
            Some(ns) => format!("{} {} {ns}/{}", r.api_version, r.kind, r.name),
            None => format!("{} {} {}", r.api_version, r.kind, r.name),
        });
        let mut entry = Entry {
            rule: diagnostic.rule.clone(),
            chart: diagnostic.chart.clone(),
            environment: diagnostic.environment.clone(),
            resource,
            path: diagnostic.path.clone(),
            file: diagnostic.location.as_ref().map(|l| l.file.clone()),
            message: diagnostic.message.clone(),
            fingerprint: String::new(),
        };
        entry.fingerprint = entry.compute_fingerprint();
        entry
    }

    /// A hash of the identity and of the message without its line and column numbers.
    fn compute_fingerprint(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            Some(self.rule.as_str()),
            self.chart.as_deref(),
            self.environment.as_deref(),
            self.resource.as_deref(),
            self.path.as_deref(),
            self.file.as_deref(),
        ] {
            hash.update(part.unwrap_or("\u{0}").as_bytes());
            hash.update([0xff]);
        }
        hash.update(without_positions(&self.message).as_bytes());
        hex::encode(&hash.finalize()[..8])
    }
}

/// The stable identity of a finding, for SARIF's `partialFingerprints`.
pub fn fingerprint(diagnostic: &Diagnostic) -> String {
    Entry::of(diagnostic).fingerprint
}

/// `text` with the numbers of `file:12`, `file:12:5` and `line 12` taken out, so that a message
/// that names a place keeps its fingerprint when lines move.
fn without_positions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let after_colon = chars[i] == ':' && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let after_line = text_before(&chars, i).ends_with("line ") && chars[i].is_ascii_digit();
        if after_colon || after_line {
            if after_colon {
                out.push(':');
                i += 1;
            }
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            out.push('#');
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn text_before(chars: &[char], i: usize) -> String {
    chars[i.saturating_sub(5)..i].iter().collect()
}

/// The file as written and read.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    driftgate_baseline: u32,
    findings: Vec<Entry>,
}

/// A baseline read from a file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Baseline {
    pub entries: Vec<Entry>,
}

/// What a baseline makes of a run's findings.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// Findings the baseline does not hold: these are reported and gate the run.
    pub new: Vec<Diagnostic>,
    /// Findings the baseline holds.
    pub baselined: Vec<Diagnostic>,
    /// Baseline entries no finding matches any more: fixed, to be removed from the file.
    pub fixed: Vec<Entry>,
}

impl Baseline {
    /// The baseline of today's findings.
    pub fn of(diagnostics: &[Diagnostic]) -> Baseline {
        let mut entries: Vec<Entry> = diagnostics.iter().map(Entry::of).collect();
        entries.sort();
        Baseline { entries }
    }

    /// Reads a baseline file; `shown` is how the path is named in messages. A file that is not
    /// a driftgate baseline is an error at the line where it stops being one.
    pub fn read(path: &Path, shown: &str) -> Result<Baseline, FatalError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| FatalError::new(format!("cannot read the baseline {shown}: {e}")))?;
        let file: File = serde_json::from_str(&text).map_err(|e| {
            let line = u32::try_from(e.line()).unwrap_or(u32::MAX).max(1);
            let column = u32::try_from(e.column()).unwrap_or(u32::MAX).max(1);
            FatalError::new(format!("not a driftgate baseline: {}", strip_position(&e.to_string())))
                .at(Location::point(shown, line, column))
                .with_help("write one with `driftgate check --write-baseline FILE`")
        })?;
        if file.driftgate_baseline != FORMAT {
            return Err(FatalError::new(format!(
                "baseline format {} is not supported (this driftgate reads format {FORMAT})",
                file.driftgate_baseline
            ))
            .at(Location::start_of(shown)));
        }
        Ok(Baseline { entries: file.findings })
    }

    /// The file's text: stable order, one entry per finding, a final newline.
    pub fn to_json(&self) -> String {
        let file = File { driftgate_baseline: FORMAT, findings: self.entries.clone() };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Splits findings into new and baselined; each entry accepts one finding, so a second
    /// finding of the same identity is new.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Applied {
        // The fingerprint covers every part of the identity.
        let mut available: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, entry) in self.entries.iter().enumerate().rev() {
            available.entry(entry.fingerprint.as_str()).or_default().push(index);
        }
        let mut used = vec![false; self.entries.len()];
        let mut applied = Applied::default();
        for diagnostic in diagnostics {
            let fingerprint = fingerprint(&diagnostic);
            match available.get_mut(fingerprint.as_str()).and_then(Vec::pop) {
                Some(index) => {
                    used[index] = true;
                    applied.baselined.push(diagnostic);
                }
                None => applied.new.push(diagnostic),
            }
        }
        applied.fixed =
            self.entries.iter().zip(&used).filter(|(_, used)| !**used).map(|(entry, _)| entry.clone()).collect();
        applied
    }
}

/// serde_json ends its messages with " at line L column C"; the location says it already.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{ResourceId, Severity};

    fn finding(rule: &str, path: &str, line: u32, message: &str) -> Diagnostic {
        Diagnostic {
            chart: Some("charts/web".into()),
            environment: Some("prod".into()),
            resource: Some(ResourceId {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: Some("web".into()),
                name: "web".into(),
            }),
            path: Some(path.into()),
            location: Some(Location::point("charts/web/values-prod.yaml", line, 3)),
            ..Diagnostic::new(rule, "some-rule", Severity::Error, message)
        }
    }

    #[test]
    fn line_shifts_keep_findings_matched() {
        let today =
            vec![finding("DG201", "spec.replicas", 4, "replicas differ (values.yaml:12 vs values-prod.yaml:4)")];
        let baseline = Baseline::of(&today);
        let shifted =
            vec![finding("DG201", "spec.replicas", 9, "replicas differ (values.yaml:15 vs values-prod.yaml:9)")];
        let applied = baseline.apply(shifted);
        assert_eq!((applied.new.len(), applied.baselined.len(), applied.fixed.len()), (0, 1, 0));
    }

    #[test]
    fn new_and_fixed_findings_are_told_apart() {
        let baseline = Baseline::of(&[finding("DG201", "a", 1, "x"), finding("DG302", "b", 2, "y")]);
        let applied = baseline.apply(vec![finding("DG201", "a", 1, "x"), finding("DG403", "c", 3, "z")]);
        assert_eq!(applied.new.iter().map(|d| d.rule.as_str()).collect::<Vec<_>>(), ["DG403"]);
        assert_eq!(applied.baselined.iter().map(|d| d.rule.as_str()).collect::<Vec<_>>(), ["DG201"]);
        assert_eq!(applied.fixed.iter().map(|e| e.rule.as_str()).collect::<Vec<_>>(), ["DG302"]);
    }

    #[test]
    fn an_entry_accepts_one_finding() {
        let baseline = Baseline::of(&[finding("DG201", "a", 1, "x")]);
        let applied = baseline.apply(vec![finding("DG201", "a", 1, "x"), finding("DG201", "a", 7, "x")]);
        assert_eq!((applied.new.len(), applied.baselined.len()), (1, 1));
    }

    #[test]
    fn a_changed_message_is_a_new_finding() {
        let baseline = Baseline::of(&[finding("DG201", "a", 1, "replicas 3 in prod")]);
        let applied = baseline.apply(vec![finding("DG201", "a", 1, "replicas 5 in prod")]);
        assert_eq!((applied.new.len(), applied.fixed.len()), (1, 1));
    }

    #[test]
    fn positions_leave_the_fingerprint() {
        assert_eq!(without_positions("at values.yaml:12:5 and line 40"), "at values.yaml:#:# and line #");
        assert_eq!(without_positions("3 replicas"), "3 replicas");
    }

    #[test]
    fn the_file_round_trips_and_bad_files_say_where() {
        let dir = std::env::temp_dir().join(format!("driftgate-baseline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("baseline.json");
        let baseline = Baseline::of(&[finding("DG201", "a", 1, "x"), finding("DG302", "b", 2, "y")]);
        std::fs::write(&path, baseline.to_json()).unwrap();
        assert_eq!(Baseline::read(&path, "baseline.json").unwrap(), baseline);

        std::fs::write(&path, "{\n  \"driftgate_baseline\": 1,\n  \"findings\": [\n    {\"rule\": 3}\n  ]\n}\n")
            .unwrap();
        let err = Baseline::read(&path, "baseline.json").unwrap_err();
        assert_eq!(err.location.as_ref().map(|l| l.line), Some(4), "{err}");
        assert!(err.message.starts_with("not a driftgate baseline: invalid type"), "{err}");

        std::fs::write(&path, "{\"version\": 1, \"diagnostics\": []}").unwrap();
        let err = Baseline::read(&path, "baseline.json").unwrap_err();
        assert!(err.message.contains("unknown field `version`"), "{err}");

        std::fs::write(&path, "{\"driftgate_baseline\": 9, \"findings\": []}").unwrap();
        let err = Baseline::read(&path, "baseline.json").unwrap_err();
        assert_eq!(err.message, "baseline format 9 is not supported (this driftgate reads format 1)");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
