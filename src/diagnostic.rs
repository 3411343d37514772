//! The one vocabulary of findings: [`Diagnostic`], [`Severity`], [`Location`], [`Related`].
//!
//! Every rule, the renderer and the config loader produce these; every report format is a view
//! of them. Paths are relative to the checked directory; lines and columns are 1-based.

use serde::Serialize;

/// How bad a finding is. `off` is a configuration value, never a finding's severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where in a file a finding is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Location {
    /// A location covering one point.
    pub fn point(file: impl Into<String>, line: u32, column: u32) -> Self {
        Location { file: file.into(), line, column, end_line: line, end_column: column }
    }

    /// The start of a file (line 1, column 1): where a finding about the whole file points.
    pub fn start_of(file: impl Into<String>) -> Self {
        Location::point(file, 1, 1)
    }
}

/// A secondary place that explains a finding ("set here for dev").
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Related {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl Related {
    /// The place `at` (its start), explained by `message`.
    pub fn new(at: Location, message: impl Into<String>) -> Self {
        Related { file: at.file, line: at.line, column: at.column, message: message.into() }
    }

    /// Where the related place is, as a point.
    pub fn location(&self) -> Location {
        Location::point(self.file.clone(), self.line, self.column)
    }
}

/// The identity of a rendered Kubernetes resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ResourceId {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ResourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind, self.name)
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub rule: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub chart: Option<String>,
    pub environment: Option<String>,
    pub resource: Option<ResourceId>,
    pub path: Option<String>,
    pub location: Option<Location>,
    pub related: Vec<Related>,
    /// A one-line hint on how to fix it (human output only).
    #[serde(skip)]
    pub help: Option<String>,
}

impl Diagnostic {
    /// DG001 render-error: a chart or template could not be rendered (made while loading and
    /// rendering, before any rule runs; the rule registry documents it).
    pub fn render_error(message: impl Into<String>, location: Option<Location>) -> Self {
        Diagnostic { location, ..Diagnostic::new("DG001", "render-error", Severity::Error, message) }
    }

    /// DG002 invalid-values: a values file cannot be read, or values fail a values schema.
    pub fn invalid_values(message: impl Into<String>, location: Option<Location>) -> Self {
        Diagnostic { location, ..Diagnostic::new("DG002", "invalid-values", Severity::Error, message) }
    }

    /// DG003 invalid-manifest: rendered output is not a readable, unique Kubernetes resource.
    pub fn invalid_manifest(message: impl Into<String>, location: Option<Location>) -> Self {
        Diagnostic { location, ..Diagnostic::new("DG003", "invalid-manifest", Severity::Error, message) }
    }

    /// A finding of `rule` with its registered name and default severity filled in by the caller.
    pub fn new(rule: &str, name: &str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            rule: rule.to_string(),
            name: name.to_string(),
            severity,
            message: message.into(),
            chart: None,
            environment: None,
            resource: None,
            path: None,
            location: None,
            related: Vec::new(),
            help: None,
        }
    }
}
