//! JUnit XML, the test-report format CI systems (GitLab, Jenkins, Azure DevOps, CircleCI) show
//! per merge request: one `<testsuite>` per chart, one `<testcase>` per diagnostic, a
//! `<failure>` for those at or above `--fail-on`, and one passing test case for a chart with no
//! findings. Findings without a chart (a bad `driftgate.yaml`) form a suite of their own.

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Severity};

use super::human::summary_line;
use crate::check::{RunScope, RunSummary};

/// The suite of findings that belong to no chart.
const PROJECT_SUITE: &str = "driftgate";

/// The report as an XML document ending in a newline.
pub fn to_string(diagnostics: &[Diagnostic], summary: &RunSummary, scope: &RunScope, fail_on: Severity) -> String {
    // Suites in the order the run checked the charts, then charts only findings mention.
    let mut suites: Vec<&str> = scope.charts.iter().map(String::as_str).collect();
    for diagnostic in diagnostics {
        let suite = diagnostic.chart.as_deref().unwrap_or(PROJECT_SUITE);
        if !suites.contains(&suite) {
            suites.push(suite);
        }
    }
    let failing = |d: &Diagnostic| d.severity >= fail_on;
    let mut body = String::new();
    let mut total_tests = 0;
    let mut total_failures = 0;
    for suite in suites {
        let members: Vec<&Diagnostic> =
            diagnostics.iter().filter(|d| d.chart.as_deref().unwrap_or(PROJECT_SUITE) == suite).collect();
        let tests = members.len().max(1);
        let failures = members.iter().filter(|d| failing(d)).count();
        total_tests += tests;
        total_failures += failures;
        body.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
            attribute(suite)
        ));
        if members.is_empty() {
            body.push_str(&format!("    <testcase name=\"no findings\" classname=\"{}\"/>\n", attribute(suite)));
        }
        for diagnostic in members {
            body.push_str(&testcase(diagnostic, suite, failing(diagnostic)));
        }
        body.push_str("  </testsuite>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"driftgate\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"0\">\n"
    ));
    out.push_str(&format!("  <!-- {} -->\n", comment(&summary_line(diagnostics, summary))));
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}

/// Writes the report to `out`.
pub fn write(
    out: &mut impl Write,
    diagnostics: &[Diagnostic],
    summary: &RunSummary,
    scope: &RunScope,
    fail_on: Severity,
) -> io::Result<()> {
    out.write_all(to_string(diagnostics, summary, scope, fail_on).as_bytes())
}

/// One finding: `DG201 env-var-parity (prod, Deployment/shop)`, with the location and related
/// places in the body; a finding below `--fail-on` passes and keeps its text as output.
fn testcase(diagnostic: &Diagnostic, suite: &str, failing: bool) -> String {
    let mut name = format!("{} {}", diagnostic.rule, diagnostic.name);
    let context: Vec<String> =
        diagnostic.environment.iter().cloned().chain(diagnostic.resource.iter().map(ToString::to_string)).collect();
    if !context.is_empty() {
        name.push_str(&format!(" ({})", context.join(", ")));
    }
    let mut open = format!("    <testcase name=\"{}\" classname=\"{}\"", attribute(&name), attribute(suite));
    let mut details = String::new();
    if let Some(location) = &diagnostic.location {
        open.push_str(&format!(" file=\"{}\" line=\"{}\"", attribute(&location.file), location.line));
        details.push_str(&format!("{}:{}:{}: ", location.file, location.line, location.column));
    }
    details.push_str(&format!("{}: {}", diagnostic.severity.as_str(), diagnostic.message));
    for related in &diagnostic.related {
        details.push_str(&format!("\n{}:{}:{}: {}", related.file, related.line, related.column, related.message));
    }
    if failing {
        format!(
            "{open}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
            attribute(&diagnostic.message),
            attribute(&diagnostic.rule),
            text(&details)
        )
    } else {
        format!("{open}>\n      <system-out>{}</system-out>\n    </testcase>\n", text(&details))
    }
}

/// Character data: `&`, `<`, `>` escaped; characters XML 1.0 forbids become U+FFFD.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// An attribute value in double quotes; line breaks and tabs as references, which attribute
/// normalization would otherwise turn into spaces.
fn attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// A comment's text: `--` may not appear inside one.
fn comment(value: &str) -> String {
    text(value).replace("--", "- -")
}

fn xml_char(c: char) -> char {
    let allowed = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    if allowed { c } else { '\u{FFFD}' }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Location, Related, ResourceId};

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
            namespace: None,
            name: "shop".into(),
        });
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

    fn warning() -> Diagnostic {
        let mut d = Diagnostic::new("DG401", "chart-version-unpinned", Severity::Warning, "version is not pinned");
        d.chart = Some("charts/shop".into());
        d
    }

    fn scope() -> RunScope {
        RunScope { charts: vec!["charts/shop".into(), "charts/clean".into()], user_rules: Vec::new() }
    }

    const SUMMARY: RunSummary =
        RunSummary { charts: 2, environments: 4, resources: 5, suppressed: 0, exceptions: 0, baselined: 0, fixed: 0 };

    #[test]
    fn a_suite_per_chart_a_case_per_finding_and_a_passing_case_for_a_clean_chart() {
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="driftgate" tests="3" failures="1" errors="0">
  <!-- 1 error, 1 warning in 2 charts, 4 environments, 5 resources -->
  <testsuite name="charts/shop" tests="2" failures="1" errors="0" skipped="0">
    <testcase name="DG201 env-var-parity (prod, Deployment/shop)" classname="charts/shop" file="charts/shop/values-prod.yaml" line="1">
      <failure message="env var SENTRY_DSN is set in dev but not in prod" type="DG201">charts/shop/values-prod.yaml:1:1: error: env var SENTRY_DSN is set in dev but not in prod
charts/shop/values-dev.yaml:3:3: set here for dev</failure>
    </testcase>
    <testcase name="DG401 chart-version-unpinned" classname="charts/shop">
      <system-out>warning: version is not pinned</system-out>
    </testcase>
  </testsuite>
  <testsuite name="charts/clean" tests="1" failures="0" errors="0" skipped="0">
    <testcase name="no findings" classname="charts/clean"/>
  </testsuite>
</testsuites>
"#;
        assert_eq!(to_string(&[parity(), warning()], &SUMMARY, &scope(), Severity::Error), expected);
    }

    #[test]
    fn fail_on_warning_makes_warnings_failures() {
        let text = to_string(&[parity(), warning()], &SUMMARY, &scope(), Severity::Warning);
        assert!(text.contains("<testsuites name=\"driftgate\" tests=\"3\" failures=\"2\" errors=\"0\">\n"), "{text}");
        assert!(
            text.contains(
                "    <testcase name=\"DG401 chart-version-unpinned\" classname=\"charts/shop\">\n      \
             <failure message=\"version is not pinned\" type=\"DG401\">warning: version is not pinned</failure>\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn findings_without_a_chart_form_their_own_suite_and_everything_is_escaped() {
        let mut d =
            Diagnostic::new("DG000", "config", Severity::Error, "bad <key> & \"quote\" 'x'\nnext\u{1}line -- end");
        d.location = Some(Location::point("driftgate.yaml", 2, 1));
        let text = to_string(&[d], &RunSummary::default(), &RunScope::default(), Severity::Error);
        let expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<testsuites name=\"driftgate\" tests=\"1\" failures=\"1\" errors=\"0\">
  <!-- 1 error, 0 warnings in 0 charts, 0 environments, 0 resources -->
  <testsuite name=\"driftgate\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">
    <testcase name=\"DG000 config\" classname=\"driftgate\" file=\"driftgate.yaml\" line=\"2\">
      <failure message=\"bad &lt;key&gt; &amp; &quot;quote&quot; &apos;x&apos;&#10;next\u{FFFD}line -- end\" type=\"DG000\">\
driftgate.yaml:2:1: error: bad &lt;key&gt; &amp; \"quote\" 'x'
next\u{FFFD}line -- end</failure>
    </testcase>
  </testsuite>
</testsuites>
";
        assert_eq!(text, expected);
    }

    #[test]
    fn comments_never_contain_a_double_hyphen() {
        assert_eq!(comment("a -- b <c>"), "a - - b &lt;c&gt;");
    }
}
