//! Test fixtures: a builder for `Project`s from YAML texts, parsed and merged by the product's
//! own `yaml` and `values` modules.

use std::sync::Arc;

use crate::diagnostic::ResourceId;
use crate::diagnostic::{Diagnostic, Location};
use crate::model::{
    ChartRun, EnvRun, Inventory, InventoryEntry, Pinned, Project, RenderOutcome, RenderedResource, RenderedTemplate,
    TemplateFile,
};
use crate::source::{FileId, FileSpan, Pos, Sources, Span};
use crate::template::OutputSegment;
use crate::yaml::{Node, NodeValue};

/// Parses every document of a fixture text with the product's YAML parser.
pub fn parse_docs(text: &str, file: FileId) -> Vec<Node> {
    crate::yaml::parse_documents(text, file)
        .unwrap_or_else(|err| panic!("fixture: {err}"))
        .into_iter()
        .filter(|doc| doc.value != NodeValue::Null)
        .collect()
}

/// Loads a values-like fixture (an empty text is an empty map).
pub fn parse(text: &str, file: FileId) -> Node {
    crate::values::load_values(text, file).unwrap_or_else(|err| panic!("fixture: {err}"))
}

/// Builds a [`Project`] from fixture texts.
pub struct ProjectBuilder {
    sources: Sources,
    promotion: Vec<String>,
    charts: Vec<ChartRun>,
    config_file: Option<FileId>,
}

/// One environment to add to a chart.
pub struct EnvSpec<'a> {
    pub name: &'a str,
    pub stage: &'a str,
    /// (path relative to the root, text)
    pub overrides: &'a [(&'a str, &'a str)],
    /// Rendered output of each template: (template name, output text, reads).
    pub rendered: &'a [(&'a str, &'a str, &'a [Read<'a>])],
    /// (path, text) of the secret inventory.
    pub inventory: Option<(&'a str, &'a str)>,
    /// The pinned version and the text of driftgate.yaml it is written in (first match).
    pub version: Option<&'a str>,
}

impl Default for EnvSpec<'_> {
    fn default() -> Self {
        EnvSpec { name: "dev", stage: "dev", overrides: &[], rendered: &[], inventory: None, version: None }
    }
}

/// A stretch of rendered output written by an action that read `.Values` paths.
#[derive(Clone, Copy)]
pub struct Read<'a> {
    /// Text in the rendered output the action wrote (first occurrence).
    pub output: &'a str,
    /// Text in the template where the action is (first occurrence).
    pub action: &'a str,
    /// The `.Values` path it read, dotted (`image.tag`); empty for none.
    pub values: &'a str,
}

impl ProjectBuilder {
    pub fn new(promotion: &[&str]) -> Self {
        ProjectBuilder {
            sources: Sources::new(),
            promotion: promotion.iter().map(|s| s.to_string()).collect(),
            charts: Vec::new(),
            config_file: None,
        }
    }

    /// Registers `driftgate.yaml`.
    pub fn config(mut self, text: &str) -> Self {
        self.config_file = Some(self.sources.add("driftgate.yaml", text));
        self
    }

    /// Adds a chart at `path` with its values.yaml and templates (name relative to the chart).
    pub fn chart(mut self, path: &str, defaults: &str, templates: &[(&str, &str)], envs: &[EnvSpec]) -> Self {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        let chart_yaml = self.sources.add(format!("{path}/Chart.yaml"), format!("name: {name}\nversion: 1.0.0\n"));
        let defaults_file = self.sources.add(format!("{path}/values.yaml"), defaults);
        let defaults = parse(defaults, defaults_file);
        let templates: Vec<TemplateFile> = templates
            .iter()
            .map(|(file, text)| TemplateFile {
                name: format!("{name}/{file}"),
                file: self.sources.add(format!("{path}/{file}"), *text),
            })
            .collect();
        let environments = envs.iter().map(|spec| self.env(path, &name, &defaults, &templates, spec)).collect();
        self.charts.push(ChartRun {
            path: path.to_string(),
            name: name.clone(),
            chart_version: None,
            chart_yaml,
            release: name.clone(),
            namespace: "default".to_string(),
            defaults,
            templates,
            environments,
        });
        self
    }

    fn env(&self, path: &str, chart: &str, defaults: &Node, templates: &[TemplateFile], spec: &EnvSpec) -> EnvRun {
        let mut override_files = Vec::new();
        let mut overrides = Vec::new();
        for (file, text) in spec.overrides {
            let id = self.file_id(&format!("{path}/{file}"), text);
            override_files.push(id);
            overrides.push(parse(text, id));
        }
        let values = crate::values::coalesce(chart, defaults, &crate::values::merge_overrides(&overrides)).values;
        let mut resources = Vec::new();
        for (template, output, reads) in spec.rendered {
            let template_name = format!("{chart}/{template}");
            let template_file = templates
                .iter()
                .find(|t| t.name == template_name)
                .map(|t| t.file)
                .unwrap_or_else(|| panic!("no template {template_name}"));
            let template_text = self.sources.get(template_file).text.clone();
            let out_file = self.sources.add(format!("<rendered {}/{template_name}>", spec.name), *output);
            let mut segments = vec![OutputSegment {
                offset: 0,
                file: template_file,
                pos: Pos { line: 1, column: 1, offset: 0 },
                values_paths: vec![],
                literal: true,
            }];
            for read in reads.iter() {
                // A read whose text this output lacks (an env var not rendered here) is skipped.
                let Some(offset) = output.find(read.output) else { continue };
                let action =
                    template_text.find(read.action).unwrap_or_else(|| panic!("{:?} not in template", read.action));
                let values_paths = if read.values.is_empty() {
                    vec![]
                } else {
                    vec![read.values.split('.').map(str::to_string).collect()]
                };
                segments.push(OutputSegment {
                    offset,
                    file: template_file,
                    pos: Pos::at_offset(&template_text, action),
                    values_paths,
                    literal: false,
                });
                segments.push(OutputSegment {
                    offset: offset + read.output.len(),
                    file: template_file,
                    pos: Pos::at_offset(&template_text, action + read.action.len()),
                    values_paths: vec![],
                    literal: true,
                });
            }
            segments.sort_by_key(|s| s.offset);
            let rendered = Arc::new(RenderedTemplate { name: template_name, template_file, file: out_file, segments });
            for doc in parse_docs(output, out_file) {
                let text = |node: Option<&Node>| node.and_then(Node::as_str).unwrap_or_default().to_string();
                let metadata = doc.get("metadata");
                let id = ResourceId {
                    api_version: text(doc.get("apiVersion")),
                    kind: text(doc.get("kind")),
                    namespace: metadata.and_then(|m| m.get("namespace")).and_then(Node::as_str).map(str::to_string),
                    name: text(metadata.and_then(|m| m.get("name"))),
                };
                resources.push(RenderedResource { id, doc, output: rendered.clone() });
            }
        }
        let secrets = spec.inventory.map(|(file, text)| {
            let id = self.file_id(file, text);
            let node = parse(text, id);
            let entries = |key: &str| -> Vec<InventoryEntry> {
                match node.get(key).map(|n| &n.value) {
                    Some(NodeValue::Seq(items)) => items
                        .iter()
                        .map(|item| InventoryEntry {
                            name: item.get("name").and_then(Node::as_str).unwrap_or_default().to_string(),
                            keys: item.get("keys").map(|k| match &k.value {
                                NodeValue::Seq(keys) => {
                                    keys.iter().filter_map(Node::as_str).map(str::to_string).collect()
                                }
                                _ => Vec::new(),
                            }),
                            at: FileSpan { file: id, span: item.get("name").map_or(item.span, |n| n.span) },
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            };
            Inventory { file: id, secrets: entries("secrets"), config_maps: entries("configMaps") }
        });
        let version = spec.version.map(|v| {
            let config = self.config_file.expect("a pinned version needs driftgate.yaml");
            let text = self.sources.get(config).text.clone();
            let needle = format!("{}: {{ version: {v} }}", spec.name);
            let at = text.find(&needle).unwrap_or_else(|| panic!("{needle:?} not in driftgate.yaml")) + needle.len()
                - v.len()
                - 2;
            let span = Span { start: Pos::at_offset(&text, at), end: Pos::at_offset(&text, at + v.len()) };
            Pinned { version: v.to_string(), at: FileSpan { file: config, span } }
        });
        let stage_index = self.promotion.iter().position(|s| s == spec.stage);
        EnvRun {
            name: spec.name.to_string(),
            stage: spec.stage.to_string(),
            stage_index,
            override_files,
            overrides,
            values,
            secrets,
            version,
            render: RenderOutcome { resources, ..RenderOutcome::default() },
            baseline: None,
        }
    }

    /// A file shared by environments is registered once.
    fn file_id(&self, path: &str, text: &str) -> FileId {
        self.sources.find(path).map(|(id, _)| id).unwrap_or_else(|| self.sources.add(path, text))
    }

    pub fn build(self) -> Project {
        Project {
            root: "/repo".into(),
            sources: self.sources,
            promotion: self.promotion,
            kube_version: "1.33".into(),
            charts: self.charts,
            config_file: self.config_file,
            crd_dirs: Vec::new(),
            chart_repository: None,
        }
    }
}

// Findings made on the way, as the evaluation reports them (with their rule's hint).

/// `made` placed in `chart` (its path) and `environment`, at `location`, with its rule's hint.
fn on_the_way(mut made: Diagnostic, chart: &str, environment: &str, location: Option<Location>) -> Diagnostic {
    made.chart = Some(chart.to_string());
    made.environment = Some(environment.to_string());
    made.location = location;
    made.help = crate::policy::rules::pipeline_hint(&made.rule).map(str::to_string);
    made
}

/// A DG001 finding of `chart` in `environment`, at the template position that failed.
pub fn render_error(chart: &str, environment: &str, message: &str, location: Option<Location>) -> Diagnostic {
    on_the_way(Diagnostic::render_error(message, None), chart, environment, location)
}

/// A DG002 finding of `chart` in `environment`, at the position reading stopped.
pub fn invalid_values(chart: &str, environment: &str, message: &str, location: Option<Location>) -> Diagnostic {
    on_the_way(Diagnostic::invalid_values(message, None), chart, environment, location)
}

/// A DG003 finding of `chart` in `environment` about `resource`.
pub fn invalid_manifest(
    chart: &str,
    environment: &str,
    message: &str,
    resource: Option<ResourceId>,
    location: Option<Location>,
) -> Diagnostic {
    let mut made = on_the_way(Diagnostic::invalid_manifest(message, None), chart, environment, location);
    made.resource = resource;
    made
}
