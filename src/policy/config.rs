//! Rule configuration from `driftgate.yaml` (`policies.rules.<ID>`): severity overrides and
//! ignores, applied after evaluation.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Severity};

/// `policies.rules`: per-rule settings keyed by rule id (e.g. `DG201`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyConfig {
    pub rules: BTreeMap<String, RuleConfig>,
}

/// The settings of one rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleConfig {
    /// `severity:`; `None` keeps the rule's default.
    pub severity: Option<RuleLevel>,
    /// `ignore:` entries; a finding matching any of them is dropped.
    pub ignore: Vec<IgnoreEntry>,
}

/// A configured severity: a [`Severity`] or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Info,
    Warning,
    Error,
}

impl RuleLevel {
    /// Parses `error`, `warning`, `info` or `off`.
    pub fn parse(text: &str) -> Option<RuleLevel> {
        match text {
            "error" => Some(RuleLevel::Error),
            "warning" => Some(RuleLevel::Warning),
            "info" => Some(RuleLevel::Info),
            "off" => Some(RuleLevel::Off),
            _ => None,
        }
    }

    fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Off => None,
            RuleLevel::Info => Some(Severity::Info),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Error => Some(Severity::Error),
        }
    }
}

/// One `ignore:` entry. Every field given must match; an entry with no field matches nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IgnoreEntry {
    /// The environment of the finding, or one it relates to (`DG201`: the env that sets the var).
    pub env: Option<String>,
    /// The chart's path (`charts/bedrock`) or name (`bedrock`).
    pub chart: Option<String>,
    /// The finding's subject: env var, Secret, values key, image...
    pub name: Option<String>,
    /// The resource as `Kind/name` or `name`.
    pub resource: Option<String>,
    /// Why it is ignored (documentation only).
    pub reason: Option<String>,
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
        let env_ok = self.env.as_ref().is_none_or(|env| {
            d.environment.as_ref() == Some(env) || finding.related_envs.contains(env)
        });
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

impl PolicyConfig {
    /// Applies severities and ignores: drops ignored and `off` findings, overrides severities.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Diagnostic> {
        findings
            .into_iter()
            .filter_map(|finding| {
                let Some(rule) = self.rules.get(&finding.diagnostic.rule) else {
                    return Some(finding.diagnostic);
                };
                if rule.ignore.iter().any(|entry| entry.matches(&finding)) {
                    return None;
                }
                let mut diagnostic = finding.diagnostic;
                if let Some(level) = rule.severity {
                    diagnostic.severity = level.severity()?;
                }
                Some(diagnostic)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::ResourceId;

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
        let ignore = |entry: IgnoreEntry| config(RuleConfig { severity: None, ignore: vec![entry] }).apply(vec![finding()]).len();
        let entry = IgnoreEntry { env: Some("dev".into()), name: Some("DEBUG_TOOLBAR".into()), ..Default::default() };
        assert_eq!(ignore(entry), 0, "env matches the related environment");
        assert_eq!(ignore(IgnoreEntry { env: Some("stage".into()), ..Default::default() }), 1);
        assert_eq!(ignore(IgnoreEntry { chart: Some("web".into()), ..Default::default() }), 0);
        assert_eq!(ignore(IgnoreEntry { chart: Some("charts/web/".into()), ..Default::default() }), 0);
        assert_eq!(ignore(IgnoreEntry { resource: Some("Deployment/web".into()), ..Default::default() }), 0);
        assert_eq!(ignore(IgnoreEntry { resource: Some("Service/web".into()), ..Default::default() }), 1);
        assert_eq!(ignore(IgnoreEntry { name: Some("OTHER".into()), env: Some("dev".into()), ..Default::default() }), 1);
        assert_eq!(ignore(IgnoreEntry { reason: Some("only a reason".into()), ..Default::default() }), 1);
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
}
