//! The JSON report: version 1 of the stable contract editors and scripts read.
//!
//! `{version, summary {errors, warnings, infos, suppressed, charts, environments, resources},
//! diagnostics[]}`; with a baseline, `summary.baselined`, `summary.fixed` and
//! `baseline {file, fixed[]}` (fixed entries as the baseline file holds them).
//! where each diagnostic has rule, name, severity, message, chart, environment, resource, path,
//! location (or null) and related[]. Fields are never renamed within a version.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Location, Related, ResourceId, Severity};
use crate::error::FatalError;

use super::count_severities;
use crate::check::RunSummary;

/// The contract version written in `version`.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    summary: JsonSummary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    /// Present only when a baseline was applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
    /// Present only with `--show-suppressed`: the silenced findings, each with its `reason`.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Vec<JsonSuppressed<'a>>>,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    diagnostic: JsonDiagnostic<'a>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonBaseline<'a> {
    file: &'a str,
    /// Entries no finding matches any more, as the baseline file holds them.
    fixed: &'a [crate::baseline::Entry],
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Added in version 1 without a version change: readers ignore unknown fields.
    suppressed: usize,
    charts: usize,
    environments: usize,
    resources: usize,
    /// Present only when a user policy's `exception` rule exempted something.
    #[serde(skip_serializing_if = "is_zero")]
    exceptions: usize,
    /// Present only when a baseline was applied: findings it accepted, and its fixed entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<usize>,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// Spelled out here rather than serializing [`Diagnostic`] so the contract cannot drift with it.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    chart: Option<&'a str>,
    environment: Option<&'a str>,
    resource: Option<JsonResource<'a>>,
    path: Option<&'a str>,
    location: Option<JsonLocation<'a>>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonResource<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

fn resource(r: &ResourceId) -> JsonResource<'_> {
    JsonResource { api_version: &r.api_version, kind: &r.kind, namespace: r.namespace.as_deref(), name: &r.name }
}

fn location(l: &Location) -> JsonLocation<'_> {
    JsonLocation { file: &l.file, line: l.line, column: l.column, end_line: l.end_line, end_column: l.end_column }
}

fn related(r: &Related) -> JsonRelated<'_> {
    JsonRelated { file: &r.file, line: r.line, column: r.column, message: &r.message }
}

fn diagnostic(d: &Diagnostic) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
        rule: &d.rule,
        name: &d.name,
        severity: d.severity,
        message: &d.message,
        chart: d.chart.as_deref(),
        environment: d.environment.as_deref(),
        resource: d.resource.as_ref().map(resource),
        path: d.path.as_deref(),
        location: d.location.as_ref().map(location),
        related: d.related.iter().map(related).collect(),
    }
}

/// The report as a pretty-printed JSON string ending in a newline.
pub fn to_string(diagnostics: &[Diagnostic], summary: &RunSummary, extras: super::Extras) -> String {
    let baseline = extras.baseline;
    let (errors, warnings, infos) = count_severities(diagnostics);
    let report = JsonReport {
        version: JSON_VERSION,
        summary: JsonSummary {
            errors,
            warnings,
            infos,
            suppressed: summary.suppressed,
            charts: summary.charts,
            environments: summary.environments,
            resources: summary.resources,
            exceptions: summary.exceptions,
            baselined: baseline.map(|_| summary.baselined),
            fixed: baseline.map(|_| summary.fixed),
        },
        diagnostics: diagnostics.iter().map(diagnostic).collect(),
        baseline: baseline.map(|b| JsonBaseline { file: &b.file, fixed: &b.fixed }),
        suppressed: extras.suppressed.map(|silenced| {
            silenced.iter().map(|d| JsonSuppressed { diagnostic: diagnostic(d), reason: d.help.as_deref() }).collect()
        }),
    };
    // Serializing plain strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

/// The report of a run that could not be done (exit code 2): the same version, no
/// diagnostics, and `error {message, location (or null), help (or null)}`.
pub fn error_to_string(error: &FatalError) -> String {
    #[derive(Serialize)]
    struct ErrorReport<'a> {
        version: u32,
        error: JsonError<'a>,
        diagnostics: [(); 0],
    }
    #[derive(Serialize)]
    struct JsonError<'a> {
        message: &'a str,
        location: Option<JsonLocation<'a>>,
        help: Option<&'a str>,
    }
    let report = ErrorReport {
        version: JSON_VERSION,
        error: JsonError {
            message: &error.message,
            location: error.location.as_ref().map(location),
            help: error.help.as_deref(),
        },
        diagnostics: [],
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the report to `out`.
pub fn write(
    out: &mut impl Write,
    diagnostics: &[Diagnostic],
    summary: &RunSummary,
    extras: super::Extras,
) -> io::Result<()> {
    out.write_all(to_string(diagnostics, summary, extras).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_contract_exactly() {
        let mut d = Diagnostic::new(
            "DG201",
            "env-var-parity",
            Severity::Error,
            "env var SENTRY_DSN is set in dev but not in prod-iowa",
        );
        d.chart = Some("charts/bedrock".into());
        d.environment = Some("prod-iowa".into());
        d.resource = Some(ResourceId {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: Some("bedrock".into()),
            name: "bedrock-web".into(),
        });
        d.path = Some("spec.template.spec.containers[web].env[SENTRY_DSN]".into());
        d.location = Some(Location::start_of("charts/bedrock/values-prod-iowa.yaml"));
        d.related = vec![Related {
            file: "charts/bedrock/values-dev.yaml".into(),
            line: 7,
            column: 5,
            message: "set here for dev".into(),
        }];
        d.help = Some("not part of the JSON".into());
        let mut bare = Diagnostic::new("DG401", "chart-version-unpinned", Severity::Warning, "x");
        bare.chart = Some("charts/bedrock".into());
        let summary = RunSummary {
            charts: 1,
            environments: 4,
            resources: 36,
            suppressed: 2,
            exceptions: 0,
            baselined: 0,
            fixed: 0,
        };
        let expected = r#"{
  "version": 1,
  "summary": {
    "errors": 1,
    "warnings": 1,
    "infos": 0,
    "suppressed": 2,
    "charts": 1,
    "environments": 4,
    "resources": 36
  },
  "diagnostics": [
    {
      "rule": "DG201",
      "name": "env-var-parity",
      "severity": "error",
      "message": "env var SENTRY_DSN is set in dev but not in prod-iowa",
      "chart": "charts/bedrock",
      "environment": "prod-iowa",
      "resource": {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "bedrock",
        "name": "bedrock-web"
      },
      "path": "spec.template.spec.containers[web].env[SENTRY_DSN]",
      "location": {
        "file": "charts/bedrock/values-prod-iowa.yaml",
        "line": 1,
        "column": 1,
        "end_line": 1,
        "end_column": 1
      },
      "related": [
        {
          "file": "charts/bedrock/values-dev.yaml",
          "line": 7,
          "column": 5,
          "message": "set here for dev"
        }
      ]
    },
    {
      "rule": "DG401",
      "name": "chart-version-unpinned",
      "severity": "warning",
      "message": "x",
      "chart": "charts/bedrock",
      "environment": null,
      "resource": null,
      "path": null,
      "location": null,
      "related": []
    }
  ]
}
"#;
        assert_eq!(to_string(&[d, bare], &summary, Default::default()), expected);
    }

    #[test]
    fn empty_report() {
        let text = to_string(&[], &RunSummary::default(), Default::default());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["version"], 1);
        assert_eq!(value["diagnostics"], serde_json::json!([]));
        assert_eq!(value["summary"]["errors"], 0);
    }
}
