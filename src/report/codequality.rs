//! GitLab's code quality report (the Code Climate issue format): a JSON array with one issue
//! per finding, which GitLab shows in the merge request widget and diff. Each issue carries the
//! finding's stable fingerprint, so GitLab tells new findings from ones the target branch has.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// The report as a pretty-printed JSON array ending in a newline. A finding without a file
/// points at `driftgate.yaml`, line 1 (GitLab needs a path).
pub fn to_string(diagnostics: &[Diagnostic]) -> String {
    let issues: Vec<Issue> = diagnostics
        .iter()
        .map(|d| {
            let (path, line) = match &d.location {
                Some(l) => (l.file.as_str(), l.line.max(1)),
                None => (crate::config::CONFIG_FILE, 1),
            };
            let place: Vec<&str> = [d.chart.as_deref(), d.environment.as_deref()].into_iter().flatten().collect();
            let description = match place.is_empty() {
                true => format!("{} {}: {}", d.rule, d.name, d.message),
                false => format!("{} {} ({}): {}", d.rule, d.name, place.join(" "), d.message),
            };
            Issue {
                description,
                check_name: &d.rule,
                fingerprint: crate::baseline::fingerprint(d),
                severity: match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                location: IssueLocation { path, lines: Lines { begin: line } },
            }
        })
        .collect();
    // Serializing plain strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    #[test]
    fn one_issue_per_finding_with_its_fingerprint() {
        let mut located =
            Diagnostic::new("DG201", "env-var-parity", Severity::Error, "env var A is set in dev but not in prod");
        located.chart = Some("charts/web".into());
        located.environment = Some("prod".into());
        located.location = Some(Location::point("charts/web/values-prod.yaml", 3, 1));
        let bare = Diagnostic::new("DG004", "policy-error", Severity::Warning, "a policy failed");
        let issues: serde_json::Value = serde_json::from_str(&to_string(&[located.clone(), bare])).unwrap();
        assert_eq!(
            issues,
            serde_json::json!([
                {
                    "description": "DG201 env-var-parity (charts/web prod): env var A is set in dev but not in prod",
                    "check_name": "DG201",
                    "fingerprint": crate::baseline::fingerprint(&located),
                    "severity": "major",
                    "location": { "path": "charts/web/values-prod.yaml", "lines": { "begin": 3 } }
                },
                {
                    "description": "DG004 policy-error: a policy failed",
                    "check_name": "DG004",
                    "fingerprint": issues[1]["fingerprint"],
                    "severity": "minor",
                    "location": { "path": "driftgate.yaml", "lines": { "begin": 1 } }
                }
            ])
        );
        assert_ne!(issues[0]["fingerprint"], issues[1]["fingerprint"]);
    }
}
