//! The terminal report: each diagnostic with its rule id, message, a source snippet labelled at
//! the location, related places as secondary snippets and a fix hint, then a summary line.
//!
//! Rendering uses miette's graphical handler; colors only on a terminal. Snippets of rules that
//! concern secret values show only the located lines, with the value replaced by `<redacted>`.

use std::fmt;
use std::io::{self, Write};

use std::sync::OnceLock;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use regex::Regex;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::policy::registry;
use crate::source::Sources;

use super::count_severities;
use crate::check::{BaselineOutcome, RunSummary};

/// How to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HumanOptions {
    /// ANSI colors (only when writing to a terminal).
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
    /// `--quiet`: the findings only, without notes and the summary line.
    pub quiet: bool,
}

impl HumanOptions {
    /// Colors on a terminal, plain text otherwise; 100 columns.
    pub fn for_output(is_terminal: bool) -> Self {
        HumanOptions { color: is_terminal, width: 100, quiet: false }
    }
}

/// The whole report as text; `baseline` adds the list of fixed baseline entries.
pub fn to_string(
    diagnostics: &[Diagnostic],
    summary: &RunSummary,
    sources: &Sources,
    options: HumanOptions,
    extras: super::Extras,
) -> String {
    let baseline = extras.baseline;
    let mut out = String::new();
    let render = |out: &mut String, diagnostic: &Diagnostic| {
        let redact = registry::lookup(&diagnostic.rule).is_some_and(|rule| rule.redacts_values);
        let report = build(diagnostic, sources, redact);
        let theme = if options.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(options.width)
            .with_links(false)
            .with_show_related_as_nested(true)
            .with_context_lines(1);
        // Writing into a String cannot fail; a miette error would only lose this one snippet.
        if handler.render_report(out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", diagnostic.rule, diagnostic.message));
        }
        out.push('\n');
    };
    for diagnostic in diagnostics {
        render(&mut out, diagnostic);
    }
    if let Some(silenced) = extras.suppressed.filter(|s| !s.is_empty()) {
        // Each says why it is silenced in its help line.
        out.push_str(&format!("suppressed ({}):\n\n", silenced.len()));
        for diagnostic in silenced {
            render(&mut out, diagnostic);
        }
    }
    if options.quiet {
        return out;
    }
    if let Some(outcome) = baseline.filter(|b| !b.fixed.is_empty()) {
        out.push_str(&fixed_note(outcome));
    }
    out.push_str(&summary_line(diagnostics, summary));
    out.push('\n');
    out
}

/// The baseline entries no finding matches any more, so the file can be brought up to date.
fn fixed_note(outcome: &BaselineOutcome) -> String {
    const SHOWN: usize = 20;
    let n = outcome.fixed.len();
    let mut out = format!(
        "note: {n} finding{} of the baseline {} {} fixed; remove {} with `driftgate check --write-baseline {}`\n",
        if n == 1 { "" } else { "s" },
        outcome.file,
        if n == 1 { "is" } else { "are" },
        if n == 1 { "it" } else { "them" },
        outcome.file
    );
    for entry in outcome.fixed.iter().take(SHOWN) {
        let place: Vec<&str> = [entry.chart.as_deref(), entry.environment.as_deref(), entry.path.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        out.push_str(&format!("  fixed {} {}: {}\n", entry.rule, place.join(" "), entry.message));
    }
    if n > SHOWN {
        out.push_str(&format!("  ... and {} more\n", n - SHOWN));
    }
    out.push('\n');
    out
}

/// Writes the report to `out`.
pub fn write(
    out: &mut impl Write,
    diagnostics: &[Diagnostic],
    summary: &RunSummary,
    sources: &Sources,
    options: HumanOptions,
    extras: super::Extras,
) -> io::Result<()> {
    out.write_all(to_string(diagnostics, summary, sources, options, extras).as_bytes())
}

/// `2 errors, 1 warning in 1 chart, 4 environments, 36 resources`; infos and suppressed
/// findings are mentioned when there are any (`..., 3 suppressed in ...`).
pub fn summary_line(diagnostics: &[Diagnostic], summary: &RunSummary) -> String {
    let (errors, warnings, infos) = count_severities(diagnostics);
    let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
    let mut counts = vec![plural(errors, "error"), plural(warnings, "warning")];
    if infos > 0 {
        counts.push(plural(infos, "info"));
    }
    if summary.suppressed > 0 {
        counts.push(format!("{} suppressed", summary.suppressed));
    }
    match (summary.baselined, summary.fixed) {
        (0, 0) => {}
        (baselined, 0) => counts.push(format!("{baselined} baselined")),
        (baselined, fixed) => counts.push(format!("{baselined} baselined ({fixed} fixed)")),
    }
    // conftest's tally of rules its `exception` rules exempted.
    if summary.exceptions > 0 {
        counts.push(plural(summary.exceptions, "exception"));
    }
    format!(
        "{} in {}, {}, {}",
        counts.join(", "),
        plural(summary.charts, "chart"),
        plural(summary.environments, "environment"),
        plural(summary.resources, "resource")
    )
}

/// One diagnostic in miette's terms.
#[derive(Debug)]
struct Report {
    code: Option<String>,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Snippet>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

/// A file's text for snippets. A redacted snippet shows only the lines of its label: no
/// neighbouring line, which could hold another secret.
#[derive(Debug)]
struct Snippet {
    source: NamedSource<String>,
    only_labelled_lines: bool,
}

impl miette::SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        if !self.only_labelled_lines {
            return self.source.read_span(span, context_lines_before, context_lines_after);
        }
        // Whole lines, no context: miette would otherwise cut the line at the span's start.
        let text = self.source.inner().as_str();
        let start = text[..span.offset().min(text.len())].rfind('\n').map_or(0, |i| i + 1);
        let end_at = (span.offset() + span.len()).min(text.len());
        let end = text[end_at..].find('\n').map_or(text.len(), |i| end_at + i);
        let lines = self.source.read_span(&SourceSpan::new(start.into(), end - start), 0, 0)?;
        // The header names the label's column, not the start of the shown line.
        let column = text[start..span.offset().min(text.len())].chars().count();
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.source.name().to_string(),
            lines.data(),
            *lines.span(),
            lines.line(),
            column,
            lines.line_count(),
        )))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

fn build(diagnostic: &Diagnostic, sources: &Sources, redact: bool) -> Report {
    let severity = match diagnostic.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let label = diagnostic.environment.clone();
    let (source, labels) = match &diagnostic.location {
        Some(location) => snippet(location, label, sources, redact),
        None => (None, Vec::new()),
    };
    let related = diagnostic
        .related
        .iter()
        .map(|r| {
            let location = Location::point(r.file.clone(), r.line, r.column);
            let (source, labels) = snippet(&location, None, sources, false);
            Report {
                code: None,
                message: r.message.clone(),
                severity: miette::Severity::Advice,
                help: None,
                source,
                labels,
                related: Vec::new(),
            }
        })
        .collect();
    Report {
        code: Some(format!("{} {}", diagnostic.rule, diagnostic.name)),
        message: diagnostic.message.clone(),
        severity,
        help: diagnostic.help.clone(),
        source,
        labels,
        related,
    }
}

/// The named source and the label for a location; no snippet when the file is unknown.
fn snippet(
    location: &Location,
    label: Option<String>,
    sources: &Sources,
    redact: bool,
) -> (Option<Snippet>, Vec<LabeledSpan>) {
    let Some((_, file)) = sources.find(&location.file) else { return (None, Vec::new()) };
    // Every snippet hides credential-looking values, not only those of secret rules: a context
    // line or a related place may show one too.
    let mut shown = mask_credentials(&file.text);
    let Some(start) = byte_offset(&shown, location.line, location.column) else { return (None, Vec::new()) };
    let mut end = byte_offset(&shown, location.end_line, location.end_column).unwrap_or(start).max(start);
    if redact {
        // The located value and whatever follows it on its line.
        end = shown[start..].find('\n').map_or(shown.len(), |i| start + i);
        shown.replace_range(start..end, REDACTED);
        end = start + REDACTED.len();
    }
    let span = SourceSpan::new(start.into(), end - start);
    let labels = vec![LabeledSpan::new_primary_with_span(label, span)];
    let source = NamedSource::new(location.file.clone(), shown).with_language("yaml");
    (Some(Snippet { source, only_labelled_lines: redact }), labels)
}

const REDACTED: &str = "<redacted>";

/// `text` with the values of credential-looking YAML entries replaced by `<redacted>`, line by
/// line: `password: ...`, `apiToken: ...`, a URL with a password, and the `value:` that follows
/// `name: DB_PASSWORD` in an env list. Lines stay lines, and text before a value is unchanged.
pub fn mask_credentials(text: &str) -> String {
    static ENTRY: OnceLock<Regex> = OnceLock::new();
    let entry = ENTRY.get_or_init(|| {
        Regex::new(r#"^(\s*(?:-\s+)?)(["']?)([A-Za-z0-9_.\-]+)(["']?\s*:[ \t]+)(\S.*?)\s*$"#)
            .unwrap_or_else(|_| unreachable!())
    });
    let url = crate::secrets::url_with_password();
    let mut out = String::with_capacity(text.len());
    // The column of a `name:` whose value names a credential, awaiting its `value:`.
    let mut pending_value_at: Option<usize> = None;
    // The indent under a credential key with a block scalar (`password: |`).
    let mut block_indent: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let newline = &line[body.len()..];
        let indent = body.len() - body.trim_start().len();
        if let Some(parent) = block_indent {
            if body.trim().is_empty() || indent > parent {
                out.push_str(&" ".repeat(indent));
                out.push_str(if body.trim().is_empty() { "" } else { REDACTED });
                out.push_str(newline);
                continue;
            }
            block_indent = None;
        }
        let Some(caps) = entry.captures(body) else {
            out.push_str(&url.replace_all(line, REDACTED));
            continue;
        };
        let (Some(lead), Some(key), Some(value)) = (caps.get(1), caps.get(3), caps.get(5)) else {
            out.push_str(line);
            continue;
        };
        let key_column = lead.end();
        let value_text = value.as_str();
        let template = value_text.starts_with("{{");
        let mut mask = !template && (credential_name(key.as_str()) || url.is_match(value_text));
        if key.as_str() == "value" && pending_value_at == Some(key_column) {
            mask = !template;
        }
        pending_value_at = if key.as_str() == "name" && credential_name(value_text.trim_matches(['"', '\''])) {
            Some(key_column)
        } else if pending_value_at == Some(key_column) || pending_value_at.is_some_and(|c| key_column < c) {
            None
        } else {
            pending_value_at
        };
        if mask && matches!(value_text.chars().next(), Some('|' | '>')) {
            block_indent = Some(indent);
            mask = false;
        }
        if mask {
            out.push_str(&body[..value.start()]);
            out.push_str(REDACTED);
        } else {
            out.push_str(body);
        }
        out.push_str(newline);
    }
    out
}

/// Whether a key or env var name names a credential (its last word or two decide, so
/// `secretName` and `passwordKey` do not).
fn credential_name(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            words.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    words.extend((!current.is_empty()).then_some(current));
    let Some(last) = words.last().map(String::as_str) else { return false };
    if words.first().is_some_and(|w| w == "existing") {
        return false;
    }
    let pair = words.len().checked_sub(2).map(|i| format!("{}_{}", words[i], words[i + 1]));
    matches!(last, "password" | "passwd" | "pwd" | "token" | "secret" | "credential" | "credentials" | "apikey")
        || pair.is_some_and(|p| {
            matches!(p.as_str(), "api_key" | "secret_key" | "private_key" | "access_key" | "auth_token")
        })
}

/// The byte offset of a 1-based line and character column, clamped to the line's end.
fn byte_offset(text: &str, line: u32, column: u32) -> Option<usize> {
    let line_start = if line <= 1 { 0 } else { text.match_indices('\n').nth(line as usize - 2).map(|(i, _)| i + 1)? };
    let line_text = &text[line_start..];
    let line_len = line_text.find('\n').unwrap_or(line_text.len());
    let within =
        line_text[..line_len].char_indices().nth(column.saturating_sub(1) as usize).map_or(line_len, |(i, _)| i);
    Some(line_start + within)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Related, ResourceId};

    fn sources() -> Sources {
        let sources = Sources::new();
        sources.add("charts/web/values-prod-iowa.yaml", "replicaCount: 3\nimage:\n  tag: 1.2.3\n");
        sources.add(
            "charts/web/values-dev.yaml",
            "replicaCount: 1\nenv:\n  SENTRY_DSN: https://sentry.example/1\n  DEBUG: \"1\"\n",
        );
        sources.add(
            "charts/web/values-stage.yaml",
            "env:\n  LOG: info\n  DB_PASSWORD: hunter2-long\n  OTHER_PASSWORD: xyz\n",
        );
        sources
    }

    fn parity() -> Diagnostic {
        let mut d = Diagnostic::new(
            "DG201",
            "env-var-parity",
            Severity::Error,
            "env var SENTRY_DSN is set in dev but not in prod-iowa",
        );
        d.chart = Some("charts/web".into());
        d.environment = Some("prod-iowa".into());
        d.resource = Some(ResourceId {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: None,
            name: "web".into(),
        });
        d.location = Some(Location::start_of("charts/web/values-prod-iowa.yaml"));
        d.related = vec![Related {
            file: "charts/web/values-dev.yaml".into(),
            line: 3,
            column: 3,
            message: "set here for dev".into(),
        }];
        d.help = Some("set the variable in this environment too".into());
        d
    }

    #[test]
    fn renders_snippet_related_help_and_summary() {
        let summary = RunSummary {
            charts: 1,
            environments: 4,
            resources: 36,
            suppressed: 0,
            exceptions: 0,
            baselined: 0,
            fixed: 0,
        };
        let mut warning = Diagnostic::new(
            "DG205",
            "unknown-values-key",
            Severity::Warning,
            "values key replicas is neither declared in values.yaml nor read by any template",
        );
        warning.location = Some(Location {
            file: "charts/web/values-prod-iowa.yaml".into(),
            line: 3,
            column: 3,
            end_line: 3,
            end_column: 6,
        });
        warning.help = Some("did you mean `replicaCount`?".into());
        let text =
            to_string(&[parity(), warning], &summary, &sources(), HumanOptions::for_output(false), Default::default());
        let expected = "DG201 env-var-parity

  × env var SENTRY_DSN is set in dev but not in prod-iowa
   ╭─[charts/web/values-prod-iowa.yaml:1:1]
 1 │ replicaCount: 3
   · ▲
   · ╰── prod-iowa
 2 │ image:
   ╰────
  help: set the variable in this environment too
  ╰─▶   ☞ set here for dev
         ╭─[charts/web/values-dev.yaml:3:3]
       2 │ env:
       3 │   SENTRY_DSN: https://sentry.example/1
         ·   ▲
       4 │   DEBUG: \"1\"
         ╰────

DG205 unknown-values-key

  ⚠ values key replicas is neither declared in values.yaml nor read by any template
   ╭─[charts/web/values-prod-iowa.yaml:3:3]
 2 │ image:
 3 │   tag: 1.2.3
   ·   ───
   ╰────
  help: did you mean `replicaCount`?

1 error, 1 warning in 1 chart, 4 environments, 36 resources
";
        assert_eq!(text, expected);
    }

    #[test]
    fn secret_values_never_reach_the_snippet() {
        let mut d = Diagnostic::new(
            "DG302",
            "secret-in-env",
            Severity::Error,
            "env var DB_PASSWORD of container web has a literal value (<redacted>) instead of valueFrom.secretKeyRef",
        );
        d.environment = Some("stage".into());
        d.location = Some(Location {
            file: "charts/web/values-stage.yaml".into(),
            line: 3,
            column: 16,
            end_line: 3,
            end_column: 28,
        });
        let text = to_string(
            &[d.clone()],
            &RunSummary::default(),
            &sources(),
            HumanOptions::for_output(false),
            Default::default(),
        );
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("xyz"), "{text}");
        let expected = "DG302 secret-in-env

  × env var DB_PASSWORD of container web has a literal value (<redacted>) instead of
  │ valueFrom.secretKeyRef
   ╭─[charts/web/values-stage.yaml:3:16]
 3 │   DB_PASSWORD: <redacted>
   ·                ─────┬────
   ·                     ╰── stage
   ╰────

1 error, 0 warnings in 0 charts, 0 environments, 0 resources
";
        assert_eq!(text, expected);
        // A point location redacts the rest of the line.
        d.location = Some(Location::point("charts/web/values-stage.yaml", 3, 3));
        let text =
            to_string(&[d], &RunSummary::default(), &sources(), HumanOptions::for_output(false), Default::default());
        assert!(text.contains(" 3 │   <redacted>\n"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn summary_line_pluralizes_and_mentions_infos_only_when_present() {
        let mut summary = RunSummary {
            charts: 2,
            environments: 1,
            resources: 0,
            suppressed: 0,
            exceptions: 0,
            baselined: 0,
            fixed: 0,
        };
        assert_eq!(summary_line(&[], &summary), "0 errors, 0 warnings in 2 charts, 1 environment, 0 resources");
        let info = Diagnostic::new("DG999", "x", Severity::Info, "m");
        assert_eq!(
            summary_line(std::slice::from_ref(&info), &summary),
            "0 errors, 0 warnings, 1 info in 2 charts, 1 environment, 0 resources"
        );
        summary.suppressed = 3;
        assert_eq!(
            summary_line(&[info], &summary),
            "0 errors, 0 warnings, 1 info, 3 suppressed in 2 charts, 1 environment, 0 resources"
        );
    }

    #[test]
    fn unknown_files_and_positions_render_without_snippet() {
        let mut d = parity();
        d.location = Some(Location::point("nowhere.yaml", 9, 9));
        d.related.clear();
        let text =
            to_string(&[d], &RunSummary::default(), &sources(), HumanOptions::for_output(false), Default::default());
        assert_eq!(
            text,
            "DG201 env-var-parity\n\n  × env var SENTRY_DSN is set in dev but not in prod-iowa\n  help: set the variable in this environment too\n\n\
             1 error, 0 warnings in 0 charts, 0 environments, 0 resources\n"
        );
    }

    #[test]
    fn credentials_are_masked_in_every_snippet() {
        let text = "db:\n  adminPassword: hunter2\n  secretName: web-db\n  url: mysql://app:pw@db/app\nenv:\n  - name: API_TOKEN\n    value: \"tok-123\"\n  - name: LOG_LEVEL\n    value: debug\nkey: |\n  plain\napiKey: |\n  line-one\n  line-two\nafter: 1\ntemplated: {{ .Values.password }}\n";
        let masked = mask_credentials(text);
        assert_eq!(
            masked,
            "db:\n  adminPassword: <redacted>\n  secretName: web-db\n  url: <redacted>\nenv:\n  - name: API_TOKEN\n    value: <redacted>\n  - name: LOG_LEVEL\n    value: debug\nkey: |\n  plain\napiKey: |\n  <redacted>\n  <redacted>\nafter: 1\ntemplated: {{ .Values.password }}\n"
        );
        assert_eq!(masked.lines().count(), text.lines().count());
        assert!(credential_name("DB_PASSWORD") && credential_name("clientSecret") && credential_name("SECRET_KEY"));
        assert!(
            !credential_name("secretName") && !credential_name("passwordKey") && !credential_name("existingSecret")
        );
    }

    #[test]
    fn related_snippets_of_other_rules_hide_credentials_too() {
        let mut d = parity();
        d.related = vec![Related {
            file: "charts/web/values-stage.yaml".into(),
            line: 2,
            column: 3,
            message: "set here for stage".into(),
        }];
        let text =
            to_string(&[d], &RunSummary::default(), &sources(), HumanOptions::for_output(false), Default::default());
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("DB_PASSWORD: <redacted>"), "{text}");
    }

    #[test]
    fn byte_offsets_follow_characters() {
        let text = "a: 1\nbé: x\n";
        assert_eq!(byte_offset(text, 2, 5), Some(text.find('x').unwrap()));
        assert_eq!(byte_offset(text, 2, 99), Some(text.len() - 1));
        assert_eq!(byte_offset(text, 9, 1), None);
    }
}
