//! DG402 chart-version-not-bumped: a chart's files changed since the git base revision but its
//! Chart.yaml `version` did not. Runs only when `check` is given a base (`--base`, `--changed`).

use crate::diagnostic::{Diagnostic, Location, Related, Severity};
use crate::model::ChartRun;
use crate::policy::gate::Finding;
use crate::policy::registry::RuleMeta;
use crate::policy::rules::RuleContext;
use crate::provenance::scalar_text;
use crate::source::FileId;

/// The registry entry of DG402.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG402",
    name: "chart-version-not-bumped",
    default_severity: Severity::Error,
    summary: "Chart content changed since the base revision but Chart.yaml's version did not.",
    hint: None,
    redacts_values: false,
    docs: r#"## What it does

With a git base (`driftgate check --base origin/main`, or `--changed`, whose base defaults to
`HEAD`), compares every chart directory of the working tree with the base revision. When any
file of the chart changed (templates, values files, Chart.yaml itself, subcharts; untracked
files count) and Chart.yaml's `version` is the same as at the base, the rule reports the
`version:` line of Chart.yaml. A chart that did not exist at the base passes. Without a base
the rule does not run.

## Why it matters

Environments pin chart versions. Two different charts published under one version make the pin
meaningless: prod "on 1.4.2" may run other templates than stage "on 1.4.2", and a registry that
refuses to overwrite a version fails the release pipeline after the merge instead of before it.

## Example

```text
$ git diff --stat origin/main -- charts/bedrock
 charts/bedrock/templates/deployment.yaml | 2 +-
$ grep '^version' charts/bedrock/Chart.yaml
version: 1.4.2          # as on origin/main
$ driftgate check --base origin/main
```

reports `charts/bedrock changed since origin/main (1 file) but its version is still 1.4.2`.

## Fix

```yaml
# charts/bedrock/Chart.yaml
version: 1.4.3
```
"#,
};

/// Reports `chart` when files under it changed since the base and its version did not; runs
/// only with a base (`--base`, `--changed`).
pub fn check(context: &RuleContext, chart: &ChartRun) -> Vec<Finding> {
    let (project, Some(diff)) = (context.project, context.base) else { return Vec::new() };
    let changed = diff.changed_in(&chart.path);
    let Some(current) = &chart.chart_version else { return Vec::new() };
    if changed.is_empty() {
        return Vec::new();
    }
    let chart_yaml = project.sources.path(chart.chart_yaml);
    // A chart that is new since the base, or whose old Chart.yaml cannot be read, has nothing
    // to be compared with.
    let Ok(Some(old_text)) = diff.text_at_base(&chart_yaml) else { return Vec::new() };
    let Some(old_version) = version_of(&old_text) else { return Vec::new() };
    if old_version.trim() != current.version.trim() {
        return Vec::new();
    }
    let files = if changed.len() == 1 { "1 file".to_string() } else { format!("{} files", changed.len()) };
    let mut diagnostic = Diagnostic::new(
        RULE.id,
        RULE.name,
        RULE.default_severity,
        format!("{} changed since {} ({files}) but its version is still {}", chart.path, diff.base, current.version),
    );
    diagnostic.chart = Some(chart.path.clone());
    diagnostic.location = Some(project.sources.locate(current.at));
    diagnostic.related = changed
        .iter()
        .take(3)
        .map(|file| Related::new(Location::start_of(*file), format!("changed since {}", diff.base)))
        .collect();
    diagnostic.help = Some(format!("bump `version` in {chart_yaml} (for example to {})", next_patch(&current.version)));
    let mut finding = Finding::new(diagnostic);
    finding.subject = Some(current.version.clone());
    finding.chart_name = Some(chart.name.clone());
    vec![finding]
}

/// `version` of a Chart.yaml text.
fn version_of(text: &str) -> Option<String> {
    let doc = crate::yaml::parse_first_document(text, FileId::default()).ok()?;
    doc.get("version").and_then(scalar_text)
}

/// The next patch version of `x.y.z[-pre]` (`1.4.2` -> `1.4.3`), or `a higher version`.
fn next_patch(version: &str) -> String {
    let core = version.trim().split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    match parts.as_slice() {
        [major, minor, patch] => match patch.parse::<u64>() {
            Ok(patch) => format!("{major}.{minor}.{}", patch.saturating_add(1)),
            Err(_) => "a higher version".to_string(),
        },
        _ => "a higher version".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_and_bumped() {
        assert_eq!(version_of("apiVersion: v2\nname: x\nversion: 1.4.2\n").as_deref(), Some("1.4.2"));
        assert_eq!(version_of("name: x\n"), None);
        assert_eq!(version_of(": : :\n\t- ["), None);
        assert_eq!(next_patch("1.4.2"), "1.4.3");
        assert_eq!(next_patch("v0.1.9-rc.1"), "v0.1.10");
        assert_eq!(next_patch("1.4"), "a higher version");
    }
}
