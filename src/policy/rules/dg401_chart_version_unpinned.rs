//! DG401 chart-version-unpinned: an environment does not pin an exact chart version.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ChartRun;
use crate::policy::gate::Finding;
use crate::policy::registry::RuleMeta;
use crate::policy::rules::RuleContext;

/// The registry entry of DG401.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG401",
    name: "chart-version-unpinned",
    default_severity: Severity::Error,
    summary: "An environment's chart version is a range, a wildcard, latest, or missing.",
    hint: None,
    redacts_values: false,
    docs: r#"## What it does

Checks the `version` each environment of `driftgate.yaml` pins its chart to. An exact version
(`1.4.2`, `v1.4.2`, `1.5.0-rc.1`) passes; a range (`^1.4`, `>=1.4 <2`), a wildcard (`1.4.x`,
`*`), `latest`, or no version at all is reported at the version (or at `driftgate.yaml` when the
environment has none). Without a `driftgate.yaml` there is nothing to pin and the rule is silent.

## Why it matters

An unpinned environment deploys whatever was published last. Prod then runs a chart nobody
promoted through dev and stage, and the same pipeline run deploys different charts on different
days.

## Example

```yaml
charts:
  - path: charts/bedrock
    environments:
      prod: { values: [values-prod.yaml], version: ^1.4 }
```

reports `prod pins chart version ^1.4, which is a range, not a version`.

## Fix

```yaml
      prod: { values: [values-prod.yaml], version: 1.4.2 }
```
"#,
};

/// Why a pinned version string is not an exact version, if it is not.
fn unpinned_reason(version: &str) -> Option<&'static str> {
    let v = version.trim();
    if v.is_empty() {
        return Some("which is empty");
    }
    if v.eq_ignore_ascii_case("latest") || v.eq_ignore_ascii_case("stable") {
        return Some("which moves with every release");
    }
    let core = v.strip_prefix('v').unwrap_or(v);
    let (core, _build) = core.split_once('+').unwrap_or((core, ""));
    let (core, _pre) = core.split_once('-').unwrap_or((core, ""));
    let parts: Vec<&str> = core.split('.').collect();
    if parts.iter().any(|p| matches!(*p, "x" | "X" | "*")) {
        return Some("which is a wildcard, not a version");
    }
    let exact = parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if exact { None } else { Some("which is a range, not a version") }
}

/// Reports every environment of `chart` whose pinned version is not exact.
pub fn check(context: &RuleContext, chart: &ChartRun) -> Vec<Finding> {
    let project = context.project;
    let Some(config_file) = project.config_file else { return Vec::new() };
    let sources = &project.sources;
    let mut findings = Vec::new();
    for env in &chart.environments {
        let (message, location, subject) = match &env.version {
            None => (format!("{} pins no chart version", env.name), sources.start_of(config_file), None),
            Some(pinned) => match unpinned_reason(&pinned.version) {
                None => continue,
                Some(reason) => (
                    format!("{} pins chart version {}, {reason}", env.name, pinned.version),
                    sources.locate(pinned.at),
                    Some(pinned.version.clone()),
                ),
            },
        };
        let mut diagnostic = Diagnostic::new(RULE.id, RULE.name, RULE.default_severity, message);
        diagnostic.chart = Some(chart.path.clone());
        diagnostic.environment = Some(env.name.clone());
        diagnostic.location = Some(location);
        diagnostic.help = Some(format!("pin an exact version, e.g. `version: 1.4.2` for {}", env.name));
        let mut finding = Finding::new(diagnostic);
        finding.subject = subject;
        finding.chart_name = Some(chart.name.clone());
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::unpinned_reason;

    #[test]
    fn exact_versions_pass_and_others_say_why() {
        for exact in ["1.4.2", "v1.4.2", "1.5.0-rc.1", "1.0.0+build.7"] {
            assert_eq!(unpinned_reason(exact), None, "{exact}");
        }
        assert_eq!(unpinned_reason("latest"), Some("which moves with every release"));
        assert_eq!(unpinned_reason("1.4.x"), Some("which is a wildcard, not a version"));
        assert_eq!(unpinned_reason("*"), Some("which is a wildcard, not a version"));
        assert_eq!(unpinned_reason("^1.4"), Some("which is a range, not a version"));
        assert_eq!(unpinned_reason(">=1.4.0 <2.0.0"), Some("which is a range, not a version"));
        assert_eq!(unpinned_reason("1.4"), Some("which is a range, not a version"));
        assert_eq!(unpinned_reason(""), Some("which is empty"));
    }
}
