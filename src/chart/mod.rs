//! Charts as Helm loads them: `Chart.yaml`, `values.yaml`, templates and the other files
//! (`.Files`).
//!
//! Loading reads the chart directory once; the result is shared by every environment.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::discover::paths;
use crate::source::{FileId, Sources, Span};
use crate::yaml::{self, Node, NodeValue};

/// Most files a chart may hold before loading stops with a diagnostic.
const MAX_CHART_FILES: usize = 5_000;

/// A chart loaded from disk.
#[derive(Debug)]
pub struct Chart {
    /// The chart directory relative to the root.
    pub dir: String,
    pub metadata: Metadata,
    pub chart_yaml: FileId,
    /// The chart's `values.yaml` (an empty mapping when absent).
    pub defaults: Node,
    /// Templates in `templates/`, partials included, sorted by name.
    pub templates: Vec<TemplateSource>,
    /// Every other file, for `.Files`, keyed by path relative to the chart directory.
    pub files: Vec<(String, Arc<[u8]>)>,
}

/// `Chart.yaml`, as far as templates and rules read it.
#[derive(Debug, Clone)]
pub struct Metadata {
    pub name: String,
    pub version: String,
    /// Where `version` is written.
    pub version_span: Option<Span>,
    pub app_version: String,
    pub api_version: String,
    pub description: String,
    pub kube_version: String,
    pub chart_type: String,
    /// The whole document, for fields templates read rarely (`.Chart.Annotations`, ...).
    pub raw: Node,
}

/// One template file.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// Helm's name for it: `<chart name>/templates/<path>`.
    pub name: String,
    pub file: FileId,
    pub text: Arc<str>,
}

impl TemplateSource {
    /// Partials (`_helpers.tpl`) are parsed but never rendered; neither is `NOTES.txt`.
    pub fn is_rendered(&self) -> bool {
        let base = self.name.rsplit('/').next().unwrap_or_default();
        !base.starts_with('_') && !base.eq_ignore_ascii_case("NOTES.txt")
    }
}

/// Loads the chart in `root/dir`. A chart that cannot be loaded is a finding, not a crash.
pub fn load(root: &Path, dir: &str, sources: &Sources) -> Result<Chart, Diagnostic> {
    let chart_dir = root.join(dir);
    let rel = |name: &str| if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };

    let chart_yaml_rel = rel("Chart.yaml");
    let text = read_chart_file(&chart_dir.join("Chart.yaml")).map_err(|e| {
        render_error(format!("cannot read Chart.yaml: {e}"), Location::point(&chart_yaml_rel, 1, 1))
    })?;
    let chart_yaml = sources.add(chart_yaml_rel.clone(), text.as_str());
    let metadata = parse_metadata(&text, chart_yaml, &chart_yaml_rel)?;

    let (defaults, _) = load_defaults(&chart_dir, &rel("values.yaml"), sources)?;

    let mut templates = Vec::new();
    let mut files = Vec::new();
    let mut walker = walkdir::WalkDir::new(&chart_dir).sort_by_file_name().into_iter();
    let mut count = 0usize;
    while let Some(entry) = walker.next() {
        let Ok(entry) = entry else { continue };
        let Ok(inside) = entry.path().strip_prefix(&chart_dir) else { continue };
        let inside = paths::to_slash(inside);
        if entry.file_type().is_dir() {
            // Subcharts are loaded on their own; hidden directories are never chart content.
            if inside == "charts" || (entry.depth() > 0 && inside.rsplit('/').next().is_some_and(|n| n.starts_with('.'))) {
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        count += 1;
        if count > MAX_CHART_FILES {
            return Err(render_error(
                format!("chart holds more than {MAX_CHART_FILES} files; refusing to load it"),
                Location::point(&chart_yaml_rel, 1, 1),
            ));
        }
        if inside == "Chart.yaml" || inside == "values.yaml" {
            continue;
        }
        if let Some(template_path) = inside.strip_prefix("templates/") {
            let file_rel = rel(&inside);
            let text = read_chart_file(entry.path()).map_err(|e| {
                render_error(format!("cannot read template: {e}"), Location::point(&file_rel, 1, 1))
            })?;
            let text: Arc<str> = text.into();
            let file = sources.add(file_rel, text.clone());
            templates.push(TemplateSource {
                name: format!("{}/templates/{template_path}", metadata.name),
                file,
                text,
            });
        } else if entry.metadata().is_ok_and(|m| m.len() <= paths::MAX_FILE_BYTES)
            && let Ok(bytes) = std::fs::read(entry.path())
        {
            const BOM: &[u8] = "\u{feff}".as_bytes();
            let bytes = if bytes.starts_with(BOM) { bytes[BOM.len()..].to_vec() } else { bytes };
            files.push((inside, Arc::from(bytes)));
        }
    }
    templates.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Chart { dir: dir.to_string(), metadata, chart_yaml, defaults, templates, files })
}

/// The chart's `values.yaml`, or an empty mapping.
fn load_defaults(chart_dir: &Path, rel: &str, sources: &Sources) -> Result<(Node, Option<FileId>), Diagnostic> {
    let path = chart_dir.join("values.yaml");
    if !path.is_file() {
        return Ok((empty_map(FileId::default()), None));
    }
    let text = read_chart_file(&path)
        .map_err(|e| invalid_values(format!("cannot read values.yaml: {e}"), Location::point(rel, 1, 1)))?;
    let file = sources.add(rel, text.as_str());
    let node = crate::values::load_values(&text, file).map_err(|e| {
        invalid_values(e.message.clone(), Location::point(rel, e.pos.line, e.pos.column))
    })?;
    Ok((node, Some(file)))
}

/// Reads a chart file as Helm's loader does: a leading UTF-8 byte order mark is dropped.
fn read_chart_file(path: &Path) -> Result<String, String> {
    let text = paths::read_text(path)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// An empty mapping node.
pub fn empty_map(file: FileId) -> Node {
    Node { value: NodeValue::Map(Vec::new()), file, span: Span::default() }
}

fn parse_metadata(text: &str, file: FileId, rel: &str) -> Result<Metadata, Diagnostic> {
    let docs = yaml::parse_documents(text, file).map_err(|e| {
        render_error(format!("Chart.yaml is not valid YAML: {}", e.message), Location::point(rel, e.pos.line, e.pos.column))
    })?;
    let raw = docs.into_iter().next().unwrap_or_else(|| empty_map(file));
    if !matches!(raw.value, NodeValue::Map(_)) {
        return Err(render_error("Chart.yaml must be a mapping", Location::point(rel, raw.span.start.line, raw.span.start.column)));
    }
    let field = |key: &str| -> String {
        match raw.get(key).map(|n| &n.value) {
            Some(NodeValue::String(s)) => s.clone(),
            Some(NodeValue::Int(i)) => i.to_string(),
            Some(NodeValue::Float(f)) => crate::template::value::format_float_g(*f),
            _ => String::new(),
        }
    };
    let name = field("name");
    if name.is_empty() {
        return Err(render_error("Chart.yaml has no `name`", Location::point(rel, 1, 1)));
    }
    Ok(Metadata {
        version: field("version"),
        version_span: raw.get("version").map(|n| n.span),
        app_version: field("appVersion"),
        api_version: field("apiVersion"),
        description: field("description"),
        kube_version: field("kubeVersion"),
        chart_type: field("type"),
        name,
        raw,
    })
}

fn render_error(message: impl Into<String>, location: Location) -> Diagnostic {
    let mut d = Diagnostic::new("DG001", "render-error", Severity::Error, message);
    d.location = Some(location);
    d
}

fn invalid_values(message: impl Into<String>, location: Location) -> Diagnostic {
    let mut d = Diagnostic::new("DG002", "invalid-values", Severity::Error, message);
    d.location = Some(location);
    d
}
