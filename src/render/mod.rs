//! Chart + values -> ordered manifests, exactly as `helm template` prints them.
//!
//! A chart and its subcharts form a [`ChartTree`] (aliases applied), built once per chart. For
//! each environment the tree decides which subcharts are enabled (conditions, tags), imports
//! values from children (`import-values`), coalesces the values of every chart with its
//! `global`s, and checks them against each chart's `values.schema.json`. Templates are parsed
//! once ([`ParsedChart`]) and executed for every environment. Each template's output keeps the
//! segments the engine recorded, so a rendered field can be traced back to the template line
//! (and values path) that wrote it. This module knows nothing about policies.

pub mod objects;
pub mod order;
mod tree;

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location, ResourceId};
use crate::model::{RenderOutcome, RenderedResource, RenderedTemplate};
use crate::source::{FileSpan, Pos, Sources, Span};
use crate::template::{TemplateError, Templates};
use crate::value::{Map, MapRef, MapType, Value};
use crate::yaml::{Node, NodeValue};
use objects::Capabilities;
use order::TemplateOutput;
pub use tree::{ChartTree, EnvValues};

/// A chart whose templates are parsed, ready to render any number of environments.
pub struct ParsedChart<'a> {
    pub tree: &'a ChartTree<'a>,
    /// Templates of every chart in the tree; used when every subchart is enabled.
    templates: Templates,
    /// Templates of the enabled charts, per set of disabled subcharts met so far (environments
    /// often share one).
    subsets: std::sync::Mutex<Vec<(Vec<bool>, Arc<Templates>)>>,
}

/// The release an environment is rendered as.
#[derive(Debug, Clone)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub kube_version: String,
}

/// What to print besides the rendered templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Print the charts' `crds/` files first, as `helm template --include-crds` does.
    pub include_crds: bool,
}

/// Parses every template of the tree in Helm's order; a syntax error is a DG001 finding.
pub fn parse_chart<'a>(tree: &'a ChartTree<'a>, sources: &Sources) -> Result<ParsedChart<'a>, Box<Diagnostic>> {
    let enabled = vec![true; tree.nodes.len()];
    let templates = parse_templates(tree, &enabled, sources)?;
    Ok(ParsedChart { tree, templates, subsets: std::sync::Mutex::new(Vec::new()) })
}

/// Parses the templates of the enabled charts, deepest paths first, so that a chart's own
/// `define`s win over its subcharts' ones of the same name (Helm's order).
fn parse_templates(tree: &ChartTree<'_>, enabled: &[bool], sources: &Sources) -> Result<Templates, Box<Diagnostic>> {
    let mut all = tree.template_names(enabled);
    all.sort_by(|(a, _), (b, _)| {
        let depth = |name: &str| name.matches('/').count();
        depth(a).cmp(&depth(b)).then_with(|| a.cmp(b))
    });
    all.reverse();
    let mut templates = Templates::for_helm(tree.helm);
    for (name, template) in all {
        templates.add(&name, &template.text, template.file).map_err(|e| template_error(&e, sources))?;
    }
    Ok(templates)
}

impl ParsedChart<'_> {
    /// The templates of the charts `enabled` marks, parsed once per distinct set.
    fn subset(&self, enabled: &[bool], sources: &Sources) -> Result<Arc<Templates>, Box<Diagnostic>> {
        let cached = |subsets: &Vec<(Vec<bool>, Arc<Templates>)>| {
            subsets.iter().find(|(mask, _)| mask.as_slice() == enabled).map(|(_, t)| t.clone())
        };
        if let Some(found) = self.subsets.lock().ok().and_then(|s| cached(&s)) {
            return Ok(found);
        }
        let parsed = Arc::new(parse_templates(self.tree, enabled, sources)?);
        if let Ok(mut subsets) = self.subsets.lock() {
            subsets.push((enabled.to_vec(), parsed.clone()));
        }
        Ok(parsed)
    }

    /// Renders the chart with `values` (the environment's coalesced values, with the enabled
    /// subcharts). `env_label` names the environment in the virtual file names of the output.
    pub fn render(
        &self,
        values: &EnvValues,
        release: &Release,
        options: RenderOptions,
        env_label: &str,
        sources: &Sources,
    ) -> RenderOutcome {
        let mut outcome = RenderOutcome::default();
        let subset;
        let templates = if values.enabled.iter().all(|e| *e) {
            &self.templates
        } else {
            // A disabled subchart lends no `define`s: parse the enabled charts only.
            subset = match self.subset(&values.enabled, sources) {
                Ok(t) => t,
                Err(d) => {
                    outcome.diagnostics.push(*d);
                    outcome.failed = true;
                    return outcome;
                }
            };
            subset.as_ref()
        };
        let capabilities = Value::Object(Arc::new(Capabilities::new(&release.kube_version, self.tree.helm)));
        let mut release_map = Map::new();
        release_map.insert("Name".into(), Value::str(release.name.as_str()));
        release_map.insert("Namespace".into(), Value::str(release.namespace.as_str()));
        release_map.insert("IsInstall".into(), Value::Bool(true));
        release_map.insert("IsUpgrade".into(), Value::Bool(false));
        release_map.insert("Revision".into(), Value::Int(1));
        release_map.insert("Service".into(), Value::str("Helm"));
        let release_value = Value::map(release_map);
        let scopes = self.tree.scopes(values, &release_value, &capabilities);

        let mut outputs = Vec::new();
        let mut rendered = Vec::new();
        for (name, template, node) in self.tree.rendered_templates(&values.enabled) {
            let Some(scope) = scopes.get(node).and_then(|s| s.as_ref()) else { continue };
            let mut template_info = Map::new();
            template_info.insert("Name".into(), Value::str(name.as_str()));
            template_info
                .insert("BasePath".into(), Value::str(format!("{}/templates", self.tree.nodes[node].full_path)));
            scope.insert("Template".into(), Value::Map(MapRef::typed(template_info, MapType::Values(self.tree.helm))));
            match templates.execute(&name, &Value::Map(scope.clone())) {
                Ok(output) => {
                    let output = output.without_no_value();
                    let (text, mut segments) = (output.text, output.segments);
                    // A subchart's `.Values` is its part of the environment's values: record
                    // the reads as paths from the top, where provenance looks them up.
                    let prefix = &self.tree.nodes[node].values_path;
                    if !prefix.is_empty() {
                        for segment in &mut segments {
                            for path in &mut segment.values_paths {
                                path.splice(0..0, prefix.iter().cloned());
                            }
                        }
                    }
                    let file = sources
                        .add(format!("{} (rendered for {env_label})", sources.path(template.file)), text.as_str());
                    rendered.push(Arc::new(RenderedTemplate {
                        name: name.clone(),
                        template_file: template.file,
                        file,
                        segments,
                    }));
                    outputs.push(TemplateOutput { name, text, file });
                }
                Err(e) => outcome.diagnostics.push(template_error(&e, sources)),
            }
        }
        if !outcome.diagnostics.is_empty() {
            // Helm renders nothing when any template fails.
            outcome.failed = true;
            return outcome;
        }
        let manifests = match order::sort_manifests(&outputs, self.tree.helm) {
            Ok(m) => m,
            Err(e) => {
                // Helm refuses to print a release with a document it cannot read.
                let location = rendered.iter().find(|r| r.name == e.template).map(|output| {
                    template_location(
                        sources,
                        output,
                        Span {
                            start: Pos::at_offset(&sources.get(output.file).text, e.offset),
                            end: Pos::at_offset(&sources.get(output.file).text, e.offset),
                        },
                    )
                });
                outcome.diagnostics.push(invalid_manifest(e.to_string(), location));
                outcome.failed = true;
                return outcome;
            }
        };
        let crds = if options.include_crds { self.tree.crds_text(&values.enabled) } else { String::new() };
        outcome.manifest = order::print_after(&crds, &manifests);
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
                        let mut d = invalid_manifest(
                            format!(
                                "{} {} is rendered more than once (again in {})",
                                id.kind, id.name, manifest.source
                            ),
                            Some(location),
                        );
                        // The rule stage relocates it to where the repeated name comes from.
                        d.resource = Some(id);
                        d.path = Some("metadata.name".to_string());
                        outcome.diagnostics.push(d);
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
/// The template place that wrote `span` of a template's rendered output: for verbatim template
/// text the exact span in the template file, for an action the action itself.
pub fn template_location(sources: &Sources, output: &RenderedTemplate, span: Span) -> Location {
    let Some(segment) = output.segments.iter().take_while(|s| s.offset <= span.start.offset).last() else {
        return sources.start_of(output.template_file);
    };
    if segment.literal {
        let template = sources.get(segment.file);
        // Literal text is copied byte for byte, so offsets carry over from output to template.
        let start = segment.pos.offset + (span.start.offset - segment.offset);
        let end = start + span.end.offset.saturating_sub(span.start.offset);
        if end <= template.text.len() && template.text.is_char_boundary(start) && template.text.is_char_boundary(end) {
            let from = Pos::at_offset(&template.text, start);
            let to = Pos::at_offset(&template.text, end);
            return sources.locate(FileSpan { file: segment.file, span: Span { start: from, end: to } });
        }
    }
    Location::point(sources.path(segment.file), segment.pos.line.max(1), segment.pos.column.max(1))
}

pub fn resource_id(doc: &Node, default_namespace: &str) -> Result<ResourceId, &'static str> {
    let text = |node: Option<&Node>| node.and_then(Node::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let api_version = text(doc.get("apiVersion")).ok_or("apiVersion")?;
    let kind = text(doc.get("kind")).ok_or("kind")?;
    let metadata = doc.get("metadata");
    let name = text(metadata.and_then(|m| m.get("name"))).ok_or("metadata.name")?;
    let namespace = text(metadata.and_then(|m| m.get("namespace"))).or_else(|| Some(default_namespace.to_string()));
    Ok(ResourceId { api_version, kind, namespace, name })
}

fn template_error(e: &TemplateError, sources: &Sources) -> Diagnostic {
    let at = e.pos.in_file(sources.path(e.file));
    Diagnostic::render_error(e.message.clone(), Some(at))
}

fn invalid_manifest(message: String, location: Option<Location>) -> Diagnostic {
    Diagnostic::invalid_manifest(message, location)
}

#[cfg(test)]
mod shared_values_tests {
    use super::*;
    use rayon::prelude::*;

    /// Templates of one render share `.Values` (a template sees what an earlier one set), while
    /// renders of one parsed chart, even in parallel, never see each other's changes.
    #[test]
    fn each_render_has_its_own_shared_values() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/render/shared-maps");
        let sources = Sources::new();
        let chart = crate::chart::load(&root, "chart", &sources).unwrap();
        let tree = ChartTree::new(&chart, crate::helm_version::HelmVersion::V3).unwrap();
        let parsed = parse_chart(&tree, &sources).unwrap();
        let text = std::fs::read_to_string(root.join("values-prod.yaml")).unwrap();
        let file = sources.add("values-prod.yaml", text.as_str());
        let overrides = crate::values::load_values(&text, file).unwrap();
        let values = tree.env_values(&overrides, &sources).unwrap();
        let release = Release { name: "shop".into(), namespace: "shop".into(), kube_version: "1.33.0".into() };
        let want = std::fs::read_to_string(root.join("expected.yaml")).unwrap();
        let manifests: Vec<String> = (0..6)
            .into_par_iter()
            .map(|i| parsed.render(&values, &release, RenderOptions::default(), &format!("env{i}"), &sources).manifest)
            .collect();
        for manifest in manifests {
            assert_eq!(manifest, want);
        }
    }
}
