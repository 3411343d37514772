//! Charts as Helm loads them: `Chart.yaml`, `values.yaml`, `values.schema.json`, templates, the
//! other files (`.Files`) and subcharts under `charts/` (directories and `.tgz` archives).
//!
//! Loading reads the chart directory once (applying `.helmignore`) and every archive once; the
//! result is shared by every environment.

pub mod archive;
pub mod ignore;

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location};
use crate::paths;
use crate::source::{FileId, FileSpan, Sources, Span};
use crate::yaml::{self, Node, NodeValue};
use ignore::IgnoreRules;

/// Most files a chart and its subcharts may hold before loading stops with a diagnostic.
const MAX_CHART_FILES: usize = 20_000;
/// Deepest nesting of subcharts (a chart inside a chart inside ...) loading accepts.
const MAX_SUBCHART_DEPTH: usize = 16;

/// A chart loaded from disk.
#[derive(Debug)]
pub struct Chart {
    /// Where the chart lives, relative to the root: its directory, or for a packed subchart
    /// the archive's path.
    pub dir: String,
    pub metadata: Metadata,
    pub chart_yaml: FileId,
    /// The chart's `values.yaml` (an empty mapping when absent).
    pub defaults: Node,
    /// Templates in `templates/`, partials included, sorted by name.
    pub templates: Vec<TemplateSource>,
    /// Every other file, for `.Files`, keyed by path relative to the chart directory.
    pub files: Vec<(String, Arc<[u8]>)>,
    /// `dependencies` of `Chart.yaml`, in order.
    pub dependencies: Vec<Dependency>,
    /// Charts found under `charts/`, sorted by their directory or archive name.
    pub subcharts: Vec<Chart>,
    /// `values.schema.json`, compiled.
    pub schema: Option<ValuesSchema>,
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

impl Metadata {
    /// A library chart only lends its `define`s to other charts.
    pub fn is_library(&self) -> bool {
        self.chart_type == "library"
    }
}

/// One entry of `dependencies` in `Chart.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    pub name: String,
    /// The version range the subchart must satisfy (empty: any).
    pub version: String,
    pub repository: String,
    /// Comma-separated values paths; the first that holds a boolean decides.
    pub condition: String,
    pub tags: Vec<String>,
    /// The name the subchart is rendered under, when set.
    pub alias: Option<String>,
    pub import_values: Vec<ImportValue>,
    /// The entry in `Chart.yaml`.
    pub at: FileSpan,
}

impl Dependency {
    /// The name the subchart's values and templates live under.
    pub fn effective_name(&self) -> &str {
        self.alias.as_deref().filter(|a| !a.is_empty()).unwrap_or(&self.name)
    }
}

/// One `import-values` entry.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportValue {
    /// `- name`: the child's `exports.name` merged at the parent's top level.
    Export(String),
    /// `- {child: a.b, parent: c}`: the child's table `a.b` placed at the parent's `c`.
    Map { child: String, parent: String },
}

/// A compiled `values.schema.json`.
pub struct ValuesSchema {
    pub file: FileId,
    pub validator: Arc<jsonschema::Validator>,
    /// The schema document, for the wording of findings.
    pub json: Arc<serde_json::Value>,
}

impl std::fmt::Debug for ValuesSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValuesSchema").field("file", &self.file).finish_non_exhaustive()
    }
}

/// One template file.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// Helm's name for it in a chart rendered on its own: `<chart name>/templates/<path>`.
    pub name: String,
    /// The path inside the chart: `templates/<path>`.
    pub path: String,
    pub file: FileId,
    pub text: Arc<str>,
}

impl TemplateSource {
    /// Whether the file is a partial (its base name starts with `_`).
    pub fn is_partial(&self) -> bool {
        self.path.rsplit('/').next().unwrap_or_default().starts_with('_')
    }
}

/// A file read for a chart: its path inside the chart and where it came from.
struct InputFile {
    name: String,
    data: Arc<[u8]>,
}

/// Where a chart's files come from, for the names diagnostics show.
#[derive(Clone)]
struct Origin {
    /// The chart's directory (or archive path) relative to the root; files are shown below it.
    display: String,
    depth: usize,
    /// Decompressed bytes that archives anywhere in the top chart may still hold.
    archive_budget: Arc<std::sync::atomic::AtomicU64>,
}

impl Origin {
    fn path_of(&self, name: &str) -> String {
        if self.display.is_empty() { name.to_string() } else { format!("{}/{name}", self.display) }
    }
}

/// Loads the chart in `root/dir` with its subcharts. A chart that cannot be loaded is a
/// finding, not a crash.
pub fn load(root: &Path, dir: &str, sources: &Sources) -> Result<Chart, Box<Diagnostic>> {
    let (files, origin) = read_chart_dir(root, dir)?;
    build(files, &origin, sources)
}

/// One file of a chart: its path inside the chart and its bytes.
pub type ChartFile = (String, Arc<[u8]>);

/// The files of the chart in `root/dir` that `.helmignore` keeps (what `helm package` packs),
/// by path relative to the chart directory, sorted.
pub fn content_files(root: &Path, dir: &str) -> Result<Vec<ChartFile>, Box<Diagnostic>> {
    Ok(read_chart_dir(root, dir)?.0.into_iter().map(|f| (f.name, f.data)).collect())
}

fn read_chart_dir(root: &Path, dir: &str) -> Result<(Vec<InputFile>, Origin), Box<Diagnostic>> {
    let chart_dir = root.join(dir);
    let origin = Origin {
        display: dir.to_string(),
        depth: 0,
        archive_budget: Arc::new(std::sync::atomic::AtomicU64::new(archive::MAX_ARCHIVE_BYTES)),
    };
    let rules = match std::fs::read(chart_dir.join(".helmignore")) {
        Ok(bytes) => IgnoreRules::parse(&String::from_utf8_lossy(&bytes))
            .map_err(|(line, e)| render_error(e, Location::point(origin.path_of(".helmignore"), line as u32, 1)))?,
        Err(_) => IgnoreRules::default(),
    }
    .with_defaults();
    if !chart_dir.join("Chart.yaml").is_file() {
        return Err(render_error("Chart.yaml file is missing", Location::start_of(origin.path_of("Chart.yaml"))));
    }
    let files = read_directory(&chart_dir, &rules, &origin)?;
    Ok((files, origin))
}

/// Every file under `chart_dir` that `.helmignore` keeps, sorted by path, read once.
fn read_directory(chart_dir: &Path, rules: &IgnoreRules, origin: &Origin) -> Result<Vec<InputFile>, Box<Diagnostic>> {
    let mut files = Vec::new();
    let mut walker = walkdir::WalkDir::new(chart_dir).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let Ok(entry) = entry else { continue };
        let Ok(inside) = entry.path().strip_prefix(chart_dir) else { continue };
        let inside = paths::to_slash(inside);
        if entry.depth() == 0 {
            continue;
        }
        if entry.file_type().is_dir() {
            // Hidden directories (.git, ...) are never chart content worth reading.
            let hidden = inside.rsplit('/').next().is_some_and(|n| n.starts_with('.'));
            if hidden || rules.ignores(&inside, true) {
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() || rules.ignores(&inside, false) {
            continue;
        }
        if files.len() >= MAX_CHART_FILES {
            return Err(render_error(
                format!("chart holds more than {MAX_CHART_FILES} files; refusing to load it"),
                Location::start_of(origin.path_of("Chart.yaml")),
            ));
        }
        if entry.metadata().is_ok_and(|m| m.len() > paths::MAX_FILE_BYTES) {
            continue;
        }
        let Ok(bytes) = std::fs::read(entry.path()) else { continue };
        files.push(InputFile { name: inside, data: strip_bom(bytes).into() });
    }
    Ok(files)
}

fn strip_bom(bytes: Vec<u8>) -> Vec<u8> {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    if bytes.starts_with(BOM) { bytes[BOM.len()..].to_vec() } else { bytes }
}

fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Helm's `LoadFiles`: a chart from its files (paths relative to the chart).
fn build(files: Vec<InputFile>, origin: &Origin, sources: &Sources) -> Result<Chart, Box<Diagnostic>> {
    let chart_yaml_rel = origin.path_of("Chart.yaml");
    let Some(chart_yaml_file) = files.iter().find(|f| f.name == "Chart.yaml") else {
        return Err(render_error("Chart.yaml file is missing", Location::start_of(chart_yaml_rel)));
    };
    let text = text_of(&chart_yaml_file.data);
    let chart_yaml = sources.add(chart_yaml_rel.clone(), text.as_str());
    let metadata = parse_metadata(&text, chart_yaml, &chart_yaml_rel)?;
    let mut dependencies = parse_dependencies(&metadata.raw, chart_yaml, &chart_yaml_rel)?;
    let v1 = metadata.api_version == "v1";

    let mut defaults = empty_map(FileId::default());
    let mut schema = None;
    let mut templates = Vec::new();
    let mut chart_files = Vec::new();
    // Subcharts by their name under charts/, with their files (paths relative to the subchart).
    let mut packed: Vec<(String, Vec<InputFile>)> = Vec::new();
    for file in files {
        let name = file.name.as_str();
        match name {
            "Chart.yaml" | "Chart.lock" => {}
            // Charts of apiVersion v1 list dependencies in requirements.yaml; Helm reads it
            // (and keeps both files in `.Files`) for them, and still honours it for v2.
            "requirements.yaml" => {
                let rel = origin.path_of(name);
                let text = text_of(&file.data);
                let id = sources.add(rel.clone(), text.as_str());
                let doc = yaml::parse_documents(&text, id).map_err(|e| {
                    render_error(format!("cannot load requirements.yaml: {}", e.message), e.pos.in_file(rel.clone()))
                })?;
                if let Some(doc) = doc.first().filter(|d| d.get("dependencies").is_some()) {
                    dependencies = parse_dependencies(doc, id, &rel)?;
                }
                if v1 {
                    chart_files.push((file.name, file.data));
                }
            }
            "requirements.lock" => {
                if v1 {
                    chart_files.push((file.name, file.data));
                }
            }
            "values.yaml" => {
                let rel = origin.path_of("values.yaml");
                let text = text_of(&file.data);
                let id = sources.add(rel.clone(), text.as_str());
                defaults = crate::values::load_values(&text, id)
                    .map_err(|e| invalid_values(e.message.clone(), e.pos.in_file(rel)))?;
            }
            "values.schema.json" => schema = Some(compile_schema(&file.data, origin, sources)?),
            _ if name.starts_with("templates/") => {
                let rel = origin.path_of(name);
                let text: Arc<str> = text_of(&file.data).into();
                let id = sources.add(rel, text.clone());
                templates.push(TemplateSource {
                    name: format!("{}/{name}", metadata.name),
                    path: name.to_string(),
                    file: id,
                    text,
                });
            }
            _ if name.starts_with("charts/") && !name.ends_with(".prov") => {
                let inside = &name["charts/".len()..];
                // Helm skips entries of charts/ whose name starts with `.` or `_`.
                if inside.starts_with(['.', '_']) {
                    continue;
                }
                let (sub, rest) = inside.split_once('/').unwrap_or((inside, ""));
                let group = match packed.iter_mut().find(|(n, _)| n == sub) {
                    Some((_, group)) => group,
                    None => {
                        packed.push((sub.to_string(), Vec::new()));
                        let Some((_, group)) = packed.last_mut() else { continue };
                        group
                    }
                };
                if sub.ends_with(".tgz") && rest.is_empty() {
                    group.push(InputFile { name: sub.to_string(), data: file.data });
                } else if !rest.is_empty() {
                    group.push(InputFile { name: rest.to_string(), data: file.data });
                }
            }
            _ => chart_files.push((file.name, file.data)),
        }
    }
    templates.sort_by(|a, b| a.name.cmp(&b.name));

    let mut subcharts = Vec::new();
    packed.sort_by(|a, b| a.0.cmp(&b.0));
    for (sub, group) in packed {
        let sub_origin = Origin {
            display: origin.path_of(&format!("charts/{sub}")),
            depth: origin.depth + 1,
            archive_budget: origin.archive_budget.clone(),
        };
        if sub_origin.depth > MAX_SUBCHART_DEPTH {
            return Err(render_error(
                format!("subcharts are nested more than {MAX_SUBCHART_DEPTH} levels deep"),
                Location::start_of(sub_origin.display),
            ));
        }
        let loaded = if sub.ends_with(".tgz") && group.iter().any(|f| f.name == sub) {
            load_archive(&group, &sub, &sub_origin, sources)
        } else {
            build(group, &sub_origin, sources)
        };
        let subchart = loaded.map_err(|mut d| {
            // Helm's wording, with the nested reason kept.
            d.message = format!("error unpacking subchart {sub} in {}: {}", metadata.name, d.message);
            d
        })?;
        subcharts.push(subchart);
    }
    Ok(Chart {
        dir: origin.display.clone(),
        metadata,
        chart_yaml,
        defaults,
        templates,
        files: chart_files,
        dependencies,
        subcharts,
        schema,
    })
}

/// A `.tgz` subchart, read in memory.
fn load_archive(group: &[InputFile], name: &str, origin: &Origin, sources: &Sources) -> Result<Chart, Box<Diagnostic>> {
    let Some(file) = group.iter().find(|f| f.name == name) else {
        return Err(render_error("no files in chart archive", Location::start_of(origin.display.clone())));
    };
    use std::sync::atomic::Ordering;
    let budget = origin.archive_budget.load(Ordering::Relaxed);
    let entries = archive::read_chart_archive_within(&file.data, budget)
        .map_err(|e| render_error(e, Location::start_of(origin.display.clone())))?;
    let used: u64 = entries.iter().map(|f| f.data.len() as u64).sum();
    origin.archive_budget.store(budget.saturating_sub(used), Ordering::Relaxed);
    let files = entries.into_iter().map(|f| InputFile { name: f.name, data: f.data.into() }).collect();
    build(files, origin, sources)
}

/// Parses and compiles `values.schema.json`; a schema that is not JSON or not a valid schema
/// is a DG002 finding at the schema file.
fn compile_schema(data: &[u8], origin: &Origin, sources: &Sources) -> Result<ValuesSchema, Box<Diagnostic>> {
    let rel = origin.path_of("values.schema.json");
    let text = text_of(data);
    let file = sources.add(rel.clone(), text.as_str());
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        invalid_values(
            format!("values.schema.json is not valid JSON: {e}"),
            Location::point(rel.clone(), e.line().max(1) as u32, e.column().max(1) as u32),
        )
    })?;
    let validator = jsonschema::validator_for(&json).map_err(|e| {
        invalid_values(format!("values.schema.json is not a valid JSON schema: {e}"), Location::start_of(rel))
    })?;
    Ok(ValuesSchema { file, validator: Arc::new(validator), json: Arc::new(json) })
}

/// An empty mapping node.
pub fn empty_map(file: FileId) -> Node {
    Node { value: NodeValue::Map(Vec::new()), file, span: Span::default() }
}

/// A scalar read into a Go `string` field of `Chart.yaml`, as `sigs.k8s.io/yaml` converts it:
/// YAML 1.1 booleans (`yes`, `off`) become `true`/`false`, floats Go's 32-bit shortest form
/// (`appVersion: 1.10` is `1.1`).
pub fn text_field(node: &Node) -> Option<String> {
    match &node.value {
        NodeValue::String(s) => Some(s.to_string()),
        NodeValue::Int(i) => Some(i.to_string()),
        NodeValue::Float(f) => Some(yaml::format_float32_g(*f)),
        NodeValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn parse_dependencies(raw: &Node, file: FileId, rel: &str) -> Result<Vec<Dependency>, Box<Diagnostic>> {
    let Some(list) = raw.get("dependencies") else { return Ok(Vec::new()) };
    let items = match &list.value {
        NodeValue::Seq(items) => items.as_slice(),
        NodeValue::Null => &[],
        _ => {
            return Err(render_error("Chart.yaml `dependencies` must be a list", list.span.start.in_file(rel)));
        }
    };
    let scalar = |node: &Node, key: &str| node.get(key).and_then(text_field).unwrap_or_default();
    let mut out = Vec::new();
    for item in items {
        if !matches!(item.value, NodeValue::Map(_)) {
            continue;
        }
        let tags = match item.get("tags").map(|n| &n.value) {
            Some(NodeValue::Seq(tags)) => tags.iter().filter_map(text_field).collect(),
            _ => Vec::new(),
        };
        let mut import_values = Vec::new();
        if let Some(NodeValue::Seq(imports)) = item.get("import-values").map(|n| &n.value) {
            for import in imports {
                match &import.value {
                    NodeValue::String(s) => import_values.push(ImportValue::Export(s.to_string())),
                    NodeValue::Map(_) => import_values
                        .push(ImportValue::Map { child: scalar(import, "child"), parent: scalar(import, "parent") }),
                    _ => {}
                }
            }
        }
        let alias = scalar(item, "alias");
        out.push(Dependency {
            name: scalar(item, "name"),
            version: scalar(item, "version"),
            repository: scalar(item, "repository"),
            condition: scalar(item, "condition"),
            tags,
            alias: (!alias.is_empty()).then_some(alias),
            import_values,
            at: FileSpan { file, span: item.span },
        });
    }
    Ok(out)
}

fn parse_metadata(text: &str, file: FileId, rel: &str) -> Result<Metadata, Box<Diagnostic>> {
    let docs = yaml::parse_documents(text, file)
        .map_err(|e| render_error(format!("Chart.yaml is not valid YAML: {}", e.message), e.pos.in_file(rel)))?;
    let raw = docs.into_iter().next().unwrap_or_else(|| empty_map(file));
    if !matches!(raw.value, NodeValue::Map(_)) {
        return Err(render_error("Chart.yaml must be a mapping", raw.span.start.in_file(rel)));
    }
    let field = |key: &str| raw.get(key).and_then(text_field).unwrap_or_default();
    let name = field("name");
    if name.is_empty() {
        return Err(render_error("Chart.yaml has no `name`", Location::start_of(rel)));
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

fn render_error(message: impl Into<String>, location: Location) -> Box<Diagnostic> {
    Box::new(Diagnostic::render_error(message, Some(location)))
}

fn invalid_values(message: impl Into<String>, location: Location) -> Box<Diagnostic> {
    Box::new(Diagnostic::invalid_values(message, Some(location)))
}
