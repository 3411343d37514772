//! SARIF 2.1.0, the format code-scanning services (GitHub, GitLab, Azure DevOps) import: one run
//! whose driver describes the rules that have findings, and one result per diagnostic.
//!
//! Locations are relative to `%SRCROOT%` (the checked directory); columns count Unicode
//! characters and the end column is exclusive, as in every driftgate location.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Location, Related, ResourceId, Severity};
use crate::error::FatalError;
use crate::policy::RuleInfo;

use crate::check::RunScope;

/// The `$schema` of a SARIF 2.1.0 log.
pub const SCHEMA_URI: &str =
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

/// The base every artifact URI is relative to.
const SOURCE_ROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<SarifRun<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'a> {
    tool: SarifTool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    /// Present only when the run could not be done (exit code 2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<SarifInvocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifInvocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<SarifNotification>,
}

#[derive(Serialize)]
struct SarifNotification {
    level: &'static str,
    message: SarifText,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
struct SarifTool {
    driver: SarifDriver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifDriver {
    name: &'static str,
    version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<SarifRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<SarifText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<SarifText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<SarifHelp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<SarifConfiguration>,
}

#[derive(Serialize)]
struct SarifText {
    text: String,
}

#[derive(Serialize)]
struct SarifHelp {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct SarifConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: SarifText,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    /// The finding's identity without its line: code scanning tells two findings on one line
    /// apart, and follows a finding whose line moved.
    partial_fingerprints: SarifFingerprints,
    /// With a baseline: `new`, or `unchanged` for a finding the baseline accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    properties: SarifProperties<'a>,
}

#[derive(Serialize)]
struct SarifFingerprints {
    #[serde(rename = "driftgate/v1")]
    driftgate: String,
}

#[derive(Serialize)]
struct SarifSuppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: SarifPhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<SarifText>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifPhysicalLocation {
    artifact_location: SarifArtifactLocation,
    region: SarifRegion,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

/// driftgate's own facts about a result; SARIF's property bag takes any keys.
#[derive(Serialize)]
struct SarifProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    chart: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a ResourceId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
}

/// The report as a pretty-printed SARIF log ending in a newline.
///
/// With a baseline, reported findings are `new` and the findings it accepted follow as
/// `unchanged`, suppressed with the baseline as justification (code scanning keeps them closed).
pub fn to_string(diagnostics: &[Diagnostic], scope: &RunScope, extras: super::Extras) -> String {
    let baseline = extras.baseline;
    // Rules in order of first appearance; a result names its rule by index into this list.
    let mut rule_ids: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    let mut results = Vec::with_capacity(diagnostics.len());
    let accepted = baseline.map(|b| b.baselined.as_slice()).unwrap_or_default();
    let silenced = extras.suppressed.unwrap_or_default();
    let states = diagnostics
        .iter()
        .map(|d| (d, "new"))
        .chain(accepted.iter().map(|d| (d, "unchanged")))
        .chain(silenced.iter().map(|d| (d, "suppressed")));
    for (diagnostic, state) in states {
        let rule_index = match rule_ids.iter().position(|id| *id == diagnostic.rule) {
            Some(index) => index,
            None => {
                rule_ids.push(&diagnostic.rule);
                rules.push(rule(diagnostic, scope.rule(&diagnostic.rule)));
                rule_ids.len() - 1
            }
        };
        let mut result = result(diagnostic, rule_index);
        if state == "suppressed" {
            // An ignore in driftgate.yaml is external to the file; a comment is in source.
            let why = diagnostic.help.clone().unwrap_or_default();
            let kind = if why.starts_with("suppressed by") { "inSource" } else { "external" };
            result.suppressions.push(SarifSuppression { kind, justification: why });
            results.push(result);
            continue;
        }
        if let Some(baseline) = baseline {
            result.baseline_state = Some(state);
            if state == "unchanged" {
                result.suppressions.push(SarifSuppression {
                    kind: "external",
                    justification: format!("accepted in the driftgate baseline {}", baseline.file),
                });
            }
        }
        results.push(result);
    }
    log_text(rules, results, Vec::new())
}

/// The log of a run that could not be done (exit code 2): no results, and the error as a
/// tool execution notification, so an upload step shows why.
pub fn error_to_string(error: &FatalError) -> String {
    let mut text = error.message.clone();
    if let Some(help) = &error.help {
        text.push_str(&format!(" (help: {help})"));
    }
    let notification = SarifNotification {
        level: "error",
        message: SarifText { text },
        locations: error.location.iter().map(primary_location).collect(),
    };
    log_text(
        Vec::new(),
        Vec::new(),
        vec![SarifInvocation { execution_successful: false, tool_execution_notifications: vec![notification] }],
    )
}

fn log_text(rules: Vec<SarifRule>, results: Vec<SarifResult<'_>>, invocations: Vec<SarifInvocation>) -> String {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let log = SarifLog {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![SarifRun {
            tool: SarifTool {
                driver: SarifDriver {
                    name: "driftgate",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: (!repository.is_empty()).then_some(repository),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
            invocations,
        }],
    };
    // Serializing plain strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the report to `out`.
pub fn write(
    out: &mut impl Write,
    diagnostics: &[Diagnostic],
    scope: &RunScope,
    extras: super::Extras,
) -> io::Result<()> {
    out.write_all(to_string(diagnostics, scope, extras).as_bytes())
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A rule's descriptor; a rule without metadata is described by its name only.
fn rule(diagnostic: &Diagnostic, info: Option<&RuleInfo>) -> SarifRule {
    let Some(info) = info else {
        return SarifRule {
            id: diagnostic.rule.clone(),
            name: diagnostic.name.clone(),
            short_description: None,
            full_description: None,
            help: None,
            default_configuration: None,
        };
    };
    let summary = info.summary.trim();
    let what_it_does = docs_section(&info.docs, "What it does");
    SarifRule {
        id: info.id.clone(),
        name: info.name.clone(),
        short_description: (!summary.is_empty()).then(|| SarifText { text: summary.to_string() }),
        full_description: what_it_does
            .or((!summary.is_empty()).then_some(summary))
            .map(|text| SarifText { text: text.to_string() }),
        help: (!info.docs.trim().is_empty())
            .then(|| SarifHelp { text: info.docs.trim().to_string(), markdown: info.docs.trim().to_string() }),
        default_configuration: Some(SarifConfiguration { level: level(info.default_severity) }),
    }
}

/// The text under a `## heading` of a rule's Markdown docs, up to the next heading.
fn docs_section<'a>(docs: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("## {heading}\n");
    let start = docs.find(&marker)? + marker.len();
    let rest = &docs[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    let text = rest[..end].trim();
    (!text.is_empty()).then_some(text)
}

fn result(diagnostic: &Diagnostic, rule_index: usize) -> SarifResult<'_> {
    SarifResult {
        rule_id: &diagnostic.rule,
        rule_index,
        level: level(diagnostic.severity),
        message: SarifText { text: diagnostic.message.clone() },
        locations: diagnostic.location.iter().map(primary_location).collect(),
        related_locations: diagnostic.related.iter().enumerate().map(|(id, r)| related_location(id, r)).collect(),
        partial_fingerprints: SarifFingerprints { driftgate: crate::baseline::fingerprint(diagnostic) },
        baseline_state: None,
        suppressions: Vec::new(),
        properties: SarifProperties {
            chart: diagnostic.chart.as_deref(),
            environment: diagnostic.environment.as_deref(),
            resource: diagnostic.resource.as_ref(),
            path: diagnostic.path.as_deref(),
        },
    }
}

fn primary_location(location: &Location) -> SarifLocation {
    SarifLocation {
        id: None,
        physical_location: SarifPhysicalLocation {
            artifact_location: artifact(&location.file),
            region: SarifRegion {
                start_line: location.line.max(1),
                start_column: location.column.max(1),
                end_line: Some(location.end_line.max(location.line).max(1)),
                end_column: Some(location.end_column.max(1)),
            },
        },
        message: None,
    }
}

fn related_location(id: usize, related: &Related) -> SarifLocation {
    SarifLocation {
        id: Some(id),
        physical_location: SarifPhysicalLocation {
            artifact_location: artifact(&related.file),
            region: SarifRegion {
                start_line: related.line.max(1),
                start_column: related.column.max(1),
                end_line: None,
                end_column: None,
            },
        },
        message: Some(SarifText { text: related.message.clone() }),
    }
}

fn artifact(file: &str) -> SarifArtifactLocation {
    SarifArtifactLocation { uri: uri_path(file), uri_base_id: SOURCE_ROOT }
}

/// A relative file path as a URI reference: `/`-separated, every byte outside the unreserved
/// set percent-encoded (a space or `#` in a file name would otherwise change its meaning).
fn uri_path(file: &str) -> String {
    let mut uri = String::with_capacity(file.len());
    for byte in file.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::RuleEngine;

    fn parity() -> Diagnostic {
        let mut d = Diagnostic::new(
            "DG201",
            "env-var-parity",
            Severity::Error,
            "env var SENTRY_DSN is set in dev but not in prod",
        );
        d.chart = Some("charts/shop".into());
        d.environment = Some("prod".into());
        d.resource = Some(ResourceId {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: Some("shop".into()),
            name: "web".into(),
        });
        d.path = Some("spec.template.spec.containers[app].env[SENTRY_DSN]".into());
        d.location = Some(Location {
            file: "charts/shop/values-prod.yaml".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 4,
        });
        d.related = vec![Related {
            file: "charts/shop/values-dev.yaml".into(),
            line: 3,
            column: 3,
            message: "set here for dev".into(),
        }];
        d
    }

    fn user_rule() -> RuleInfo {
        RuleInfo {
            id: "ACME001".into(),
            name: "team-label".into(),
            default_severity: Severity::Warning,
            summary: "Every resource has a team label.".into(),
            docs: "Intro.\n\n## What it does\n\nLooks for `metadata.labels.team`.\n\n## Fix\n\nAdd it.\n".into(),
            engine: RuleEngine::Rego,
            redacts_values: false,
            hint: None,
        }
    }

    #[test]
    fn matches_the_expected_log_exactly() {
        let mut labelled =
            Diagnostic::new("ACME001", "team-label", Severity::Warning, "Deployment/web has no team label");
        labelled.location = Some(Location::point("charts/my chart/templates/web#1.yaml", 4, 3));
        let unknown = Diagnostic::new("X1", "mystery", Severity::Info, "no location");
        let scope = RunScope { charts: vec!["charts/shop".into()], user_rules: vec![user_rule()] };
        let (fp1, fp2) = (crate::baseline::fingerprint(&labelled), crate::baseline::fingerprint(&unknown));
        let text = to_string(&[labelled, unknown], &scope, Default::default());
        let expected = format!(
            r#"{{
  "$schema": "{SCHEMA_URI}",
  "version": "2.1.0",
  "runs": [
    {{
      "tool": {{
        "driver": {{
          "name": "driftgate",
          "version": "{version}",
          "rules": [
            {{
              "id": "ACME001",
              "name": "team-label",
              "shortDescription": {{
                "text": "Every resource has a team label."
              }},
              "fullDescription": {{
                "text": "Looks for `metadata.labels.team`."
              }},
              "help": {{
                "text": "Intro.\n\n## What it does\n\nLooks for `metadata.labels.team`.\n\n## Fix\n\nAdd it.",
                "markdown": "Intro.\n\n## What it does\n\nLooks for `metadata.labels.team`.\n\n## Fix\n\nAdd it."
              }},
              "defaultConfiguration": {{
                "level": "warning"
              }}
            }},
            {{
              "id": "X1",
              "name": "mystery"
            }}
          ]
        }}
      }},
      "columnKind": "unicodeCodePoints",
      "results": [
        {{
          "ruleId": "ACME001",
          "ruleIndex": 0,
          "level": "warning",
          "message": {{
            "text": "Deployment/web has no team label"
          }},
          "locations": [
            {{
              "physicalLocation": {{
                "artifactLocation": {{
                  "uri": "charts/my%20chart/templates/web%231.yaml",
                  "uriBaseId": "%SRCROOT%"
                }},
                "region": {{
                  "startLine": 4,
                  "startColumn": 3,
                  "endLine": 4,
                  "endColumn": 3
                }}
              }}
            }}
          ],
          "partialFingerprints": {{
            "driftgate/v1": "{fp1}"
          }},
          "properties": {{}}
        }},
        {{
          "ruleId": "X1",
          "ruleIndex": 1,
          "level": "note",
          "message": {{
            "text": "no location"
          }},
          "partialFingerprints": {{
            "driftgate/v1": "{fp2}"
          }},
          "properties": {{}}
        }}
      ]
    }}
  ]
}}
"#,
            version = env!("CARGO_PKG_VERSION")
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn a_builtin_rule_result_carries_locations_related_places_and_properties() {
        let text = to_string(&[parity(), parity()], &RunScope::default(), Default::default());
        let log: serde_json::Value = serde_json::from_str(&text).unwrap();
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 1, "a rule is described once however many results it has");
        assert_eq!(rules[0]["id"], "DG201");
        assert_eq!(rules[0]["name"], "env-var-parity");
        assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
        let info = crate::policy::lookup("DG201").unwrap();
        assert_eq!(rules[0]["shortDescription"]["text"], info.summary.trim());
        assert!(
            rules[0]["fullDescription"]["text"].as_str().unwrap().starts_with("Compares the environment variables")
        );
        assert_eq!(rules[0]["help"]["markdown"], info.docs.trim());
        let result = &run["results"][1];
        assert_eq!(result["ruleIndex"], 0);
        assert_eq!(
            result["locations"][0]["physicalLocation"],
            serde_json::json!({
                "artifactLocation": {"uri": "charts/shop/values-prod.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 4}
            })
        );
        assert_eq!(
            result["relatedLocations"],
            serde_json::json!([{
                "id": 0,
                "physicalLocation": {
                    "artifactLocation": {"uri": "charts/shop/values-dev.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 3, "startColumn": 3}
                },
                "message": {"text": "set here for dev"}
            }])
        );
        assert_eq!(
            result["properties"],
            serde_json::json!({
                "chart": "charts/shop",
                "environment": "prod",
                "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
                "path": "spec.template.spec.containers[app].env[SENTRY_DSN]"
            })
        );
    }

    /// Validates a log against the official SARIF 2.1.0 schema (testdata/sarif/).
    fn assert_valid(text: &str) {
        let schema_text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/sarif/sarif-schema-2.1.0.json"))
                .unwrap();
        let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let log: serde_json::Value = serde_json::from_str(text).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "invalid SARIF: {errors:#?}\n{text}");
    }

    #[test]
    fn output_is_valid_against_the_sarif_schema() {
        let mut without_location = Diagnostic::new("DG401", "chart-version-unpinned", Severity::Warning, "x");
        without_location.chart = Some("charts/shop".into());
        let scope = RunScope { charts: Vec::new(), user_rules: vec![user_rule()] };
        assert_valid(&to_string(&[parity(), without_location], &scope, Default::default()));
        assert_valid(&to_string(&[], &RunScope::default(), Default::default()));
    }

    #[test]
    fn the_schema_rejects_a_broken_log() {
        // The validation above is only worth something if the schema catches mistakes.
        let schema_text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/sarif/sarif-schema-2.1.0.json"))
                .unwrap();
        let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let mut log: serde_json::Value =
            serde_json::from_str(&to_string(&[parity()], &RunScope::default(), Default::default())).unwrap();
        log["runs"][0]["results"][0]["level"] = "fatal".into();
        assert!(!validator.is_valid(&log));
    }
}
