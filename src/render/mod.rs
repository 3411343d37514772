//! Chart + values -> ordered manifests, exactly as `helm template` prints them.
//!
//! A chart's templates are parsed once ([`ParsedChart`]) and executed for every environment.
//! Each template's output keeps the segments the engine recorded, so a rendered field can be
//! traced back to the template line (and values path) that wrote it. This module knows nothing
//! about policies.

pub mod objects;
pub mod order;

use std::sync::Arc;

use crate::chart::{Chart, TemplateSource};
use crate::diagnostic::{Diagnostic, Location, ResourceId, Severity};
use crate::model::{RenderOutcome, RenderedResource, RenderedTemplate};
use crate::provenance::template_location;
use crate::source::{Pos, Sources, Span};
use crate::template::value::{Map, MapRef, MapType, Value};
use crate::template::{TemplateError, Templates};
use crate::yaml::{Node, NodeValue};
use objects::{Capabilities, ChartObject, Files};
use order::TemplateOutput;

/// A chart whose templates are parsed, ready to render any number of environments.
pub struct ParsedChart<'a> {
    pub chart: &'a Chart,
    templates: Templates,
    files_object: Value,
}


/// The release an environment is rendered as.
#[derive(Debug, Clone)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub kube_version: String,
}

/// Parses every template of `chart` in Helm's order; a syntax error is a DG001 finding.
pub fn parse_chart<'a>(chart: &'a Chart, sources: &Sources) -> Result<ParsedChart<'a>, Diagnostic> {
    let mut templates = Templates::new();
    for template in helm_parse_order(&chart.templates) {
        templates
            .add(&template.name, &template.text, template.file)
            .map_err(|e| template_error(&e, sources))?;
    }
    Ok(ParsedChart {
        chart,
        templates,
        files_object: Value::Object(Arc::new(Files::new(chart.files.clone()))),
    })
}

/// Helm parses (and then renders) the deepest paths first, so that a chart's own `define`s win
/// over its subcharts' ones of the same name.
fn helm_parse_order(templates: &[TemplateSource]) -> Vec<&TemplateSource> {
    let mut sorted: Vec<&TemplateSource> = templates.iter().collect();
    sorted.sort_by(|a, b| {
        let depth = |t: &TemplateSource| t.name.matches('/').count();
        depth(a).cmp(&depth(b)).then_with(|| a.name.cmp(&b.name))
    });
    sorted.reverse();
    sorted
}

impl ParsedChart<'_> {
    /// Renders the chart with `values` (already coalesced with the chart's defaults).
    /// `env_label` names the environment in the virtual file names of the rendered output.
    ///
    /// As in Helm, every template of one render sees the same `.Values` map (and the same top-level
    /// map), rendered in Helm's order, so a template that changes `.Values` (`set .Values ...`)
    /// is seen by the templates rendered after it. Each render gets its own maps.
    pub fn render(&self, values: &Node, release: &Release, env_label: &str, sources: &Sources) -> RenderOutcome {
        let values = match crate::values::to_template_value(values) {
            Value::Map(map) => Value::Map(map.as_type(MapType::Values)),
            other => other,
        };
        let capabilities = Value::Object(Arc::new(Capabilities::new(&release.kube_version)));
        let mut release_map = Map::new();
        release_map.insert("Name".into(), Value::str(release.name.as_str()));
        release_map.insert("Namespace".into(), Value::str(release.namespace.as_str()));
        release_map.insert("IsInstall".into(), Value::Bool(true));
        release_map.insert("IsUpgrade".into(), Value::Bool(false));
        release_map.insert("Revision".into(), Value::Int(1));
        release_map.insert("Service".into(), Value::str("Helm"));
        let release_value = Value::map(release_map);

        let mut data = Map::new();
        data.insert("Values".into(), values);
        data.insert("Release".into(), release_value);
        // Per render: `.Chart.Annotations` is a map a template could change.
        data.insert("Chart".into(), Value::Object(Arc::new(ChartObject::new(&self.chart.metadata))));
        data.insert("Capabilities".into(), capabilities);
        data.insert("Files".into(), self.files_object.clone());
        data.insert("Subcharts".into(), Value::map(Map::new()));
        let data = MapRef::new(data);
        let top = Value::Map(data.clone());

        let mut outcome = RenderOutcome::default();
        let mut outputs = Vec::new();
        let mut rendered = Vec::new();
        for template in helm_parse_order(&self.chart.templates).into_iter().filter(|t| t.is_rendered()) {
            let mut template_info = Map::new();
            template_info.insert("Name".into(), Value::str(template.name.as_str()));
            template_info.insert("BasePath".into(), Value::str(format!("{}/templates", self.chart.metadata.name)));
            data.insert("Template".into(), Value::map(template_info));
            match self.templates.execute(&template.name, &top) {
                Ok(output) => {
                    let output = output.without_no_value();
                    let (text, segments) = (output.text, output.segments);
                    let file = sources.add(
                        format!("{} (rendered for {env_label})", sources.path(template.file)),
                        text.as_str(),
                    );
                    rendered.push(Arc::new(RenderedTemplate {
                        name: template.name.clone(),
                        template_file: template.file,
                        file,
                        segments,
                    }));
                    outputs.push(TemplateOutput { name: template.name.clone(), text, file });
                }
                Err(e) => outcome.diagnostics.push(template_error(&e, sources)),
            }
        }
        if !outcome.diagnostics.is_empty() {
            // Helm renders nothing when any template fails.
            outcome.failed = true;
            return outcome;
        }
        let manifests = match order::sort_manifests(&outputs) {
            Ok(m) => m,
            Err(e) => {
                // Helm refuses to print a release with a document it cannot read.
                let location = rendered
                    .iter()
                    .find(|r| r.name == e.template)
                    .map(|output| template_location(sources, output, Span { start: Pos::at_offset(&sources.get(output.file).text, e.offset), end: Pos::at_offset(&sources.get(output.file).text, e.offset) }));
                outcome.diagnostics.push(invalid_manifest(e.to_string(), location));
                outcome.failed = true;
                return outcome;
            }
        };
        outcome.manifest = order::print(&manifests);
        let mut seen: Vec<ResourceId> = Vec::new();
        for manifest in manifests {
            let Some(output) = rendered.iter().find(|r| r.name == manifest.source) else { continue };
            let doc = manifest.doc;
            if matches!(doc.value, NodeValue::Null) {
                continue;
            }
            let location = template_location(sources, output, Span { start: doc.span.start, end: doc.span.start });
            match resource_id(&doc, &release.namespace) {
                Ok(id) => {
                    if seen.contains(&id) {
                        outcome.diagnostics.push(invalid_manifest(
                            format!("{} {} is rendered more than once (again in {})", id.kind, id.name, manifest.source),
                            Some(location),
                        ));
                        continue;
                    }
                    seen.push(id.clone());
                    outcome.resources.push(RenderedResource { id, doc, output: output.clone() });
                }
                Err(missing) => outcome.diagnostics.push(invalid_manifest(
                    format!("a document rendered by {} has no {missing}", manifest.source),
                    Some(location),
                )),
            }
        }
        outcome
    }
}
/// The identity of a rendered document, or the name of the field it lacks.
fn resource_id(doc: &Node, default_namespace: &str) -> Result<ResourceId, &'static str> {
    let text = |node: Option<&Node>| node.and_then(Node::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let api_version = text(doc.get("apiVersion")).ok_or("apiVersion")?;
    let kind = text(doc.get("kind")).ok_or("kind")?;
    let metadata = doc.get("metadata");
    let name = text(metadata.and_then(|m| m.get("name"))).ok_or("metadata.name")?;
    let namespace = text(metadata.and_then(|m| m.get("namespace"))).or_else(|| Some(default_namespace.to_string()));
    Ok(ResourceId { api_version, kind, namespace, name })
}

fn template_error(e: &TemplateError, sources: &Sources) -> Diagnostic {
    let mut d = Diagnostic::new("DG001", "render-error", Severity::Error, e.message.clone());
    d.location = Some(Location::point(sources.path(e.file), e.pos.line, e.pos.column));
    d.help = Some("fix the template, or the values it reads, so that `helm template` succeeds".into());
    d
}

fn invalid_manifest(message: String, location: Option<Location>) -> Diagnostic {
    let mut d = Diagnostic::new("DG003", "invalid-manifest", Severity::Error, message);
    d.location = location;
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    /// Templates of one render share `.Values` (a template sees what an earlier one set), while
    /// renders of one parsed chart, even in parallel, never see each other's changes.
    #[test]
    fn each_render_has_its_own_shared_values() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/render/shared-maps");
        let sources = Sources::new();
        let chart = crate::chart::load(&root, "chart", &sources).unwrap();
        let parsed = parse_chart(&chart, &sources).unwrap();
        let text = std::fs::read_to_string(root.join("values-prod.yaml")).unwrap();
        let file = sources.add("values-prod.yaml", text.as_str());
        let overrides = crate::values::load_values(&text, file).unwrap();
        let values = crate::values::coalesce("shop", &chart.defaults, &overrides).values;
        let release = Release { name: "shop".into(), namespace: "shop".into(), kube_version: "1.33.0".into() };
        let want = std::fs::read_to_string(root.join("expected.yaml")).unwrap();
        let manifests: Vec<String> = (0..6)
            .into_par_iter()
            .map(|i| parsed.render(&values, &release, &format!("env{i}"), &sources).manifest)
            .collect();
        for manifest in manifests {
            assert_eq!(manifest, want);
        }
    }
}
