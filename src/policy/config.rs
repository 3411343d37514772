//! Rule configuration from `driftgate.yaml` (`policies.rules.<ID>`): severity overrides and
//! ignores (optionally until a date), applied after evaluation together with inline suppression
//! comments ([`super::suppress`]).

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Location, Related, Severity};

use super::suppress::Suppressions;

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
    /// The last day the entry applies; from the day after, matching findings are reported again.
    pub until: Option<Date>,
    /// Where the entry is written, for "this ignore expired" notes.
    pub at: Option<Location>,
}

/// A calendar day (`YYYY-MM-DD`), as written in `until:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// The environment variable that overrides today's date (`YYYY-MM-DD`), for tests and replays.
pub const TODAY_ENV: &str = "DRIFTGATE_TODAY";

impl Date {
    /// Parses exactly `YYYY-MM-DD` with a day that exists (leap years included).
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = text.get(range)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days_in_month).then_some(Date { year, month: month as u8, day: day as u8 })
    }

    /// Today in UTC, or the date in `DRIFTGATE_TODAY` when that is set and valid.
    pub fn today() -> Date {
        Date::checked_today().unwrap_or_else(|_| Date::clock_today())
    }

    /// [`today`](Self::today), but a `DRIFTGATE_TODAY` that is not a date is an error.
    pub fn checked_today() -> Result<Date, String> {
        match std::env::var(TODAY_ENV) {
            Ok(text) => Date::parse(text.trim())
                .ok_or_else(|| format!("{TODAY_ENV} must be a date written YYYY-MM-DD, found `{text}`")),
            Err(_) => Ok(Date::clock_today()),
        }
    }

    fn clock_today() -> Date {
        let seconds =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
        Date::from_days_since_epoch((seconds / 86_400) as i64)
    }

    /// The civil date of a day count since 1970-01-01 (proleptic Gregorian calendar).
    fn from_days_since_epoch(days: i64) -> Date {
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_index + 2) / 5 + 1;
        let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date { year: year.clamp(0, 9999) as u16, month: month as u8, day: day as u8 }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Findings after configuration: what is reported, and how many findings were suppressed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gated {
    pub diagnostics: Vec<Diagnostic>,
    /// Findings silenced by an `ignore:` entry or an inline `driftgate:ignore` comment.
    pub suppressed: usize,
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
                let d = finding.diagnostic;
                suppressed.insert((d.rule, d.chart, d.location, d.message));
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
    fn dates_parse_strictly_and_order_by_day() {
        assert_eq!(date("2024-02-29"), Date { year: 2024, month: 2, day: 29 });
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-04-31",
            "2026-4-01",
            "26-04-01",
            "2026-04-01x",
            "2026/04/01",
            "",
            "+026-04-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(date("2026-06-30") < date("2026-07-01"));
        assert_eq!(date("2026-06-30").to_string(), "2026-06-30");
        assert_eq!(Date::from_days_since_epoch(0), date("1970-01-01"));
        assert_eq!(Date::from_days_since_epoch(19_782), date("2024-02-29"));
        assert_eq!(Date::from_days_since_epoch(20_635), date("2026-07-01"));
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
}
