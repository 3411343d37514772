//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per diagnostic,
//! which the runner turns into annotations on the pull request, then the summary line.
//!
//! Escaping follows GitHub's workflow-command rules: `%`, `\r` and `\n` are percent-encoded in
//! the message, and also `:` and `,` in property values (which would otherwise end them).

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Severity};

use super::human::summary_line;
use crate::check::RunSummary;

/// The report as workflow-command lines.
pub fn to_string(diagnostics: &[Diagnostic], summary: &RunSummary) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&command(diagnostic));
        out.push('\n');
    }
    out.push_str(&summary_line(diagnostics, summary));
    out.push('\n');
    out
}

/// Writes the report to `out`.
pub fn write(out: &mut impl Write, diagnostics: &[Diagnostic], summary: &RunSummary) -> io::Result<()> {
    out.write_all(to_string(diagnostics, summary).as_bytes())
}

/// One workflow command; related places follow the message on their own lines, since an
/// annotation has a single location.
fn command(diagnostic: &Diagnostic) -> String {
    let level = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut properties = Vec::new();
    if let Some(location) = &diagnostic.location {
        properties.push(format!("file={}", escape_property(&location.file)));
        properties.push(format!("line={}", location.line));
        properties.push(format!("col={}", location.column));
        properties.push(format!("endLine={}", location.end_line));
        properties.push(format!("endColumn={}", location.end_column));
    }
    properties.push(format!("title={}", escape_property(&format!("{} {}", diagnostic.rule, diagnostic.name))));
    let mut message = diagnostic.message.clone();
    for related in &diagnostic.related {
        message.push_str(&format!("\n{}:{}:{}: {}", related.file, related.line, related.column, related.message));
    }
    format!("::{level} {}::{}", properties.join(","), escape_data(&message))
}

/// A message: `%`, `\r`, `\n` percent-encoded (`%` first, so the others stay single-encoded).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: as a message, plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Location, Related};

    fn parity() -> Diagnostic {
        let mut d = Diagnostic::new(
            "DG201",
            "env-var-parity",
            Severity::Error,
            "env var SENTRY_DSN is set in dev but not in prod",
        );
        d.chart = Some("charts/shop".into());
        d.environment = Some("prod".into());
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

    #[test]
    fn one_command_per_diagnostic_then_the_summary() {
        let mut warning =
            Diagnostic::new("DG401", "chart-version-unpinned", Severity::Warning, "chart version is not pinned");
        warning.location = Some(Location::point("driftgate.yaml", 4, 7));
        let info = Diagnostic::new("DG999", "note", Severity::Info, "nothing to pin");
        let summary = RunSummary {
            charts: 1,
            environments: 3,
            resources: 3,
            suppressed: 0,
            exceptions: 0,
            baselined: 0,
            fixed: 0,
        };
        let expected = "\
::error file=charts/shop/values-prod.yaml,line=1,col=1,endLine=1,endColumn=4,title=DG201 env-var-parity::env var SENTRY_DSN is set in dev but not in prod%0Acharts/shop/values-dev.yaml:3:3: set here for dev
::warning file=driftgate.yaml,line=4,col=7,endLine=4,endColumn=7,title=DG401 chart-version-unpinned::chart version is not pinned
::notice title=DG999 note::nothing to pin
1 error, 1 warning, 1 info in 1 chart, 3 environments, 3 resources
";
        assert_eq!(to_string(&[parity(), warning, info], &summary), expected);
    }

    #[test]
    fn escapes_messages_and_properties() {
        let mut d = parity();
        d.message = "100% sure:\r\nline two, really".into();
        d.related.clear();
        d.location = Some(Location::point("charts/a,b/values:x%.yaml", 2, 5));
        d.name = "odd:name,here".into();
        assert_eq!(
            command(&d),
            "::error file=charts/a%2Cb/values%3Ax%25.yaml,line=2,col=5,endLine=2,endColumn=5,\
             title=DG201 odd%3Aname%2Chere::100%25 sure:%0D%0Aline two, really"
        );
    }

    #[test]
    fn a_clean_run_prints_only_the_summary() {
        let summary = RunSummary {
            charts: 2,
            environments: 4,
            resources: 9,
            suppressed: 0,
            exceptions: 0,
            baselined: 0,
            fixed: 0,
        };
        assert_eq!(to_string(&[], &summary), "0 errors, 0 warnings in 2 charts, 4 environments, 9 resources\n");
    }
}
