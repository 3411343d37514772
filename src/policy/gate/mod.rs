//! The gate configuration: `driftgate.yaml`'s `policies.rules.<ID>` (read by [`crate::config`]),
//! severity overrides and ignores (optionally until a date), applied after evaluation together
//! with the inline suppression comments of values files ([`suppress`]).

use crate::config::{Date, IgnoreEntry, PolicyConfig, RuleLevel};
use crate::diagnostic::{Diagnostic, Related};

pub mod suppress;

use suppress::Suppressions;

/// Findings after configuration: what is reported, and how many findings were suppressed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gated {
    pub diagnostics: Vec<Diagnostic>,
    /// Findings silenced by an `ignore:` entry or an inline `driftgate:ignore` comment.
    pub suppressed: usize,
    /// Those findings, each once, with why it is silenced in its `help` (`--show-suppressed`).
    pub silenced: Vec<Diagnostic>,
    /// Rule evaluations a user policy's conftest `exception` rule exempted.
    pub exceptions: usize,
}

/// A diagnostic with the facts ignores match on that the diagnostic itself does not carry.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    /// The subject the finding is about (matched by `ignore: [{name}]`).
    pub subject: Option<String>,
    /// Other environments the finding involves (matched by `ignore: [{env}]`).
    pub related_envs: Vec<String>,
    /// The chart's name (its path is `diagnostic.chart`).
    pub chart_name: Option<String>,
}

impl Finding {
    /// A finding with no extra facts.
    pub fn new(diagnostic: Diagnostic) -> Self {
        Finding { diagnostic, subject: None, related_envs: Vec::new(), chart_name: None }
    }
}

impl IgnoreEntry {
    /// Whether this entry silences `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        let d = &finding.diagnostic;
        if self.env.is_none() && self.chart.is_none() && self.name.is_none() && self.resource.is_none() {
            return false;
        }
        let env_ok = self
            .env
            .as_ref()
            .is_none_or(|env| d.environment.as_ref() == Some(env) || finding.related_envs.contains(env));
        let chart_ok = self.chart.as_ref().is_none_or(|chart| {
            let chart = chart.trim_end_matches('/');
            d.chart.as_deref() == Some(chart) || finding.chart_name.as_deref() == Some(chart)
        });
        let name_ok = self.name.as_ref().is_none_or(|name| finding.subject.as_ref() == Some(name));
        let resource_ok = self.resource.as_ref().is_none_or(|wanted| {
            d.resource.as_ref().is_some_and(|r| *wanted == r.name || *wanted == format!("{}/{}", r.kind, r.name))
        });
        env_ok && chart_ok && name_ok && resource_ok
    }
}

impl IgnoreEntry {
    /// Whether the entry no longer applies on `today` (it applies through its `until` day).
    pub fn expired(&self, today: Date) -> bool {
        self.until.is_some_and(|until| today > until)
    }
}

impl PolicyConfig {
    /// Applies severities and ignores: drops ignored and `off` findings, overrides severities.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Diagnostic> {
        self.gate(findings, &Suppressions::default(), Date::today()).diagnostics
    }

    /// [`apply`](Self::apply) with inline suppressions, counting what was suppressed. A finding
    /// matched only by expired ignores is kept and says so.
    pub fn gate(&self, findings: Vec<Finding>, suppressions: &Suppressions, today: Date) -> Gated {
        let mut gated = Gated::default();
        // Counted once per distinct finding, as reports show them (see `policy::finish`).
        let mut suppressed = std::collections::HashSet::new();
        for finding in findings {
            let rule = self.rules.get(&finding.diagnostic.rule);
            let level = rule.and_then(|rule| rule.severity);
            if level == Some(RuleLevel::Off) {
                continue;
            }
            let ignores = rule.map_or(&[][..], |rule| rule.ignore.as_slice());
            let (expired, live): (Vec<&IgnoreEntry>, Vec<&IgnoreEntry>) =
                ignores.iter().filter(|entry| entry.matches(&finding)).partition(|entry| entry.expired(today));
            if !live.is_empty() || suppressions.silences(&finding.diagnostic) {
                let mut d = finding.diagnostic;
                if suppressed.insert((d.rule.clone(), d.chart.clone(), d.location.clone(), d.message.clone())) {
                    d.help = Some(match live.first() {
                        Some(entry) => match &entry.reason {
                            Some(reason) => format!("ignored in driftgate.yaml: {reason}"),
                            None => "ignored in driftgate.yaml".to_string(),
                        },
                        None => "suppressed by a `driftgate:ignore` comment".to_string(),
                    });
                    if let Some(severity) = level.and_then(RuleLevel::severity) {
                        d.severity = severity;
                    }
                    gated.silenced.push(d);
                }
                continue;
            }
            let mut diagnostic = finding.diagnostic;
            if let Some(entry) = expired.first() {
                note_expired(&mut diagnostic, entry);
            }
            if let Some(severity) = level.and_then(RuleLevel::severity) {
                diagnostic.severity = severity;
            }
            gated.diagnostics.push(diagnostic);
        }
        gated.suppressed = suppressed.len();
        gated
    }
}

/// Says in the finding that the ignore which silenced it has expired, and where it is written.
fn note_expired(diagnostic: &mut Diagnostic, entry: &IgnoreEntry) {
    let Some(until) = entry.until else { return };
    diagnostic.message.push_str(&format!(" (its ignore expired on {until})"));
    if let Some(at) = &entry.at {
        let reason = entry.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
        diagnostic.related.push(Related::new(at.clone(), format!("ignored until {until}{reason}")));
    }
    diagnostic
        .help
        .get_or_insert_with(|| "fix the finding, or extend `until` if the exception still holds".to_string());
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::RuleConfig;
    use crate::diagnostic::{Location, ResourceId, Severity};
    use crate::policy::registry::BuiltinRules;
    use crate::source::Sources;
    use crate::yaml::{self, NodeValue};

    fn finding() -> Finding {
        let mut d = Diagnostic::new("DG201", "env-var-parity", Severity::Error, "m");
        d.environment = Some("prod".into());
        d.chart = Some("charts/web".into());
        d.resource = Some(ResourceId {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: None,
            name: "web".into(),
        });
        Finding {
            diagnostic: d,
            subject: Some("DEBUG_TOOLBAR".into()),
            related_envs: vec!["dev".into()],
            chart_name: Some("web".into()),
        }
    }

    fn config(rule: RuleConfig) -> PolicyConfig {
        PolicyConfig { rules: BTreeMap::from([("DG201".to_string(), rule)]) }
    }

    #[test]
    fn ignore_matches_every_given_field() {
        let ignore = |entry: IgnoreEntry| {
            config(RuleConfig { severity: None, ignore: vec![entry] }).apply(vec![finding()]).len()
        };
        let entry = IgnoreEntry { env: Some("dev".into()), name: Some("DEBUG_TOOLBAR".into()), ..Default::default() };
        assert_eq!(ignore(entry), 0, "env matches the related environment");
        assert_eq!(ignore(IgnoreEntry { env: Some("stage".into()), ..Default::default() }), 1);
        assert_eq!(ignore(IgnoreEntry { chart: Some("web".into()), ..Default::default() }), 0);
        assert_eq!(ignore(IgnoreEntry { chart: Some("charts/web/".into()), ..Default::default() }), 0);
        assert_eq!(ignore(IgnoreEntry { resource: Some("Deployment/web".into()), ..Default::default() }), 0);
        assert_eq!(ignore(IgnoreEntry { resource: Some("Service/web".into()), ..Default::default() }), 1);
        assert_eq!(
            ignore(IgnoreEntry { name: Some("OTHER".into()), env: Some("dev".into()), ..Default::default() }),
            1
        );
        assert_eq!(ignore(IgnoreEntry { reason: Some("only a reason".into()), ..Default::default() }), 1);
    }

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn until_keeps_an_ignore_through_its_day_then_reports_and_explains() {
        let entry = IgnoreEntry {
            env: Some("dev".into()),
            until: Some(date("2026-06-30")),
            reason: Some("dev only".into()),
            at: Some(Location::point("driftgate.yaml", 9, 11)),
            ..Default::default()
        };
        let config = config(RuleConfig { severity: None, ignore: vec![entry] });
        let gated = config.gate(vec![finding(), finding()], &Suppressions::default(), date("2026-06-30"));
        assert_eq!(gated.diagnostics, vec![]);
        assert_eq!(gated.suppressed, 1, "identical findings count once");
        let gated = config.gate(vec![finding()], &Suppressions::default(), date("2026-07-01"));
        assert_eq!(gated.suppressed, 0);
        let d = &gated.diagnostics[0];
        assert_eq!(d.message, "m (its ignore expired on 2026-06-30)");
        assert_eq!(
            d.related,
            vec![Related {
                file: "driftgate.yaml".into(),
                line: 9,
                column: 11,
                message: "ignored until 2026-06-30: dev only".into()
            }]
        );
    }

    #[test]
    fn severity_override_and_off() {
        let out = config(RuleConfig { severity: Some(RuleLevel::Warning), ignore: vec![] }).apply(vec![finding()]);
        assert_eq!(out[0].severity, Severity::Warning);
        let out = config(RuleConfig { severity: Some(RuleLevel::Off), ignore: vec![] }).apply(vec![finding()]);
        assert!(out.is_empty());
        assert_eq!(RuleLevel::parse("off"), Some(RuleLevel::Off));
        assert_eq!(RuleLevel::parse("fatal"), None);
    }

    /// The bundled JSON schema (for editors) and the `driftgate.yaml` reader, given the rule
    /// catalogue, must agree on every example.
    #[test]
    fn bundled_schema_accepts_what_the_reader_accepts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("schemas/driftgate.schema.json")).unwrap())
                .unwrap();
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        let mut configs = vec![root.join("examples/driftgate.yaml")];
        for entry in std::fs::read_dir(root.join("testdata/check")).unwrap().flatten() {
            let path = entry.path().join(crate::config::CONFIG_FILE);
            if path.is_file() {
                configs.push(path);
            }
        }
        assert!(configs.len() > 5);
        for path in configs {
            let text = std::fs::read_to_string(&path).unwrap();
            let sources = Sources::new();
            let file = sources.add(crate::config::CONFIG_FILE, text.as_str());
            let reader_ok = crate::config::parse(&sources, file, &text, &BuiltinRules).is_ok();
            let doc = yaml::parse_first_document(&text, file).unwrap();
            let json = if matches!(doc.value, NodeValue::Null) { serde_json::json!({}) } else { doc.to_json() };
            let schema_ok = validator.is_valid(&json);
            // The reader also checks files exist; the schema only the shape, so the schema may
            // accept more, never less.
            assert!(schema_ok || !reader_ok, "{}: the reader accepts it but the schema does not", path.display());
            if path.to_string_lossy().contains("bad-config-unknown-key")
                || path.to_string_lossy().contains("bad-config-wrong-type")
            {
                assert!(!schema_ok, "{}: the schema must reject it", path.display());
            }
        }
    }
}
