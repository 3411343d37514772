//! DG004 invalid-suppression: a `# driftgate:ignore` comment without a reason, or naming a
//! built-in rule that does not exist. The comments are read by [`crate::policy::gate::suppress`].

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ChartRun;
use crate::policy::gate::Finding;
use crate::policy::gate::suppress::{InlineSuppression, comment_location};
use crate::policy::registry::RuleMeta;

/// The registry entry of DG004.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG004",
    name: "invalid-suppression",
    default_severity: Severity::Info,
    summary: "An inline driftgate:ignore comment gives no reason or names no known rule.",
    hint: None,
    redacts_values: false,
    docs: r#"## What it does

Checks the inline suppression comments of values files. A comment
`# driftgate:ignore RULE[,RULE...] reason` on the line of a key, or alone on the line above it,
silences those rules' findings located on that key (or anywhere under it). This rule reports a
suppression that gives no reason, names no rule, or names a `DG` rule that does not exist (a
typo that silences nothing). The suppression still applies when only its reason is missing.

## Why it matters

A suppression is an exception someone will have to judge later: without a reason nobody can
tell whether it still holds. A misspelt rule id silences nothing while looking as if it did.

## Example

```yaml
# values-dev.yaml
seedPassword: dev-only-seed   # driftgate:ignore DG303
```

reports `suppression of DG303 gives no reason`.

## Fix

```yaml
seedPassword: dev-only-seed   # driftgate:ignore DG303 throwaway seed for the dev database
```
"#,
};

/// The finding about one suppression comment, if it has a problem.
pub fn check(entry: &InlineSuppression, chart: &ChartRun) -> Option<Finding> {
    let unknown: Vec<&str> = entry
        .rules
        .iter()
        .map(String::as_str)
        .filter(|id| id.starts_with("DG") && crate::policy::lookup(id).is_none())
        .collect();
    let (message, help) = if entry.rules.is_empty() {
        (
            "suppression names no rule".to_string(),
            "write the rule id after the marker: `# driftgate:ignore DG303 why`".to_string(),
        )
    } else if let Some(first) = unknown.first() {
        let ids = crate::policy::catalogue().iter().map(|rule| rule.id.as_str());
        let help = match crate::suggest::closest(first, ids) {
            Some(near) => format!("did you mean `{near}`?"),
            None => "`driftgate rules` lists the rule ids".to_string(),
        };
        (format!("suppression names unknown rule {}", unknown.join(", ")), help)
    } else if entry.reason.is_none() {
        (
            format!("suppression of {} gives no reason", entry.rules.join(", ")),
            "say why after the rule id: `# driftgate:ignore DG303 why this is fine`".to_string(),
        )
    } else {
        return None;
    };
    let mut diagnostic = Diagnostic::new(RULE.id, RULE.name, RULE.default_severity, message);
    diagnostic.chart = Some(chart.path.clone());
    diagnostic.location = Some(comment_location(entry));
    diagnostic.help = Some(help);
    let mut finding = Finding::new(diagnostic);
    finding.subject = entry.rules.first().cloned();
    finding.chart_name = Some(chart.name.clone());
    Some(finding)
}
