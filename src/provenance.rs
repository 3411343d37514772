//! Provenance: turns "environment E, resource R, field path P" into the file and line to fix.
//!
//! A rendered value came from somewhere: a `.Values` entry the template read (recorded in the
//! output segments), a values scalar with the same text, or the template text itself. This module
//! is the one place that follows that chain back, in that order of preference, and falls back to
//! the environment's last override file. It knows nothing about particular rules.

use crate::diagnostic::{Location, ResourceId};
use crate::model::{ChartRun, EnvRun, RenderedResource};
pub use crate::render::template_location;
use crate::source::{FileId, FileSpan, Sources, Span};
use crate::template::OutputSegment;
use crate::yaml::{Key, Node, NodeValue};

/// Nodes deeper than this are not searched (values trees come from user files).
const MAX_SEARCH_DEPTH: usize = 64;

/// One step of a field path such as `spec.template.spec.containers[web].env[SENTRY_DSN]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// `.field`: a mapping key.
    Field(String),
    /// `[x]`: a list item whose `name` is x (or index x, or scalar x), or the mapping key x.
    Select(String),
}

/// Splits a field path into steps; `[...]` may contain dots.
pub fn parse_path(path: &str) -> Vec<PathStep> {
    let mut steps = Vec::new();
    let mut field = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !field.is_empty() {
                    steps.push(PathStep::Field(std::mem::take(&mut field)));
                }
            }
            '[' => {
                if !field.is_empty() {
                    steps.push(PathStep::Field(std::mem::take(&mut field)));
                }
                let selector: String = chars.by_ref().take_while(|&c| c != ']').collect();
                steps.push(PathStep::Select(selector));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() {
        steps.push(PathStep::Field(field));
    }
    steps
}

/// The node at `path` inside a rendered document.
pub fn resolve_path<'n>(doc: &'n Node, path: &str) -> Option<&'n Node> {
    let mut node = doc;
    for step in parse_path(path) {
        node = match (&step, &node.value) {
            (PathStep::Field(key), NodeValue::Map(_)) => node.get(key)?,
            (PathStep::Select(key), NodeValue::Map(_)) => node.get(key)?,
            (PathStep::Select(selector), NodeValue::Seq(items)) => select_item(items, selector)?,
            _ => return None,
        };
    }
    Some(node)
}

fn select_item<'n>(items: &'n [Node], selector: &str) -> Option<&'n Node> {
    items
        .iter()
        .find(|item| item.get("name").and_then(scalar_text).as_deref() == Some(selector))
        .or_else(|| selector.parse::<usize>().ok().and_then(|i| items.get(i)))
        .or_else(|| items.iter().find(|item| scalar_text(item).as_deref() == Some(selector)))
}

/// The rendered resource of `env` with this identity (namespace compared only when both know it).
pub fn find_resource<'e>(env: &'e EnvRun, id: &ResourceId) -> Option<&'e RenderedResource> {
    env.render.resources.iter().find(|resource| {
        let have = &resource.id;
        have.kind == id.kind
            && have.name == id.name
            && (id.api_version.is_empty() || have.api_version == id.api_version)
            && match (&have.namespace, &id.namespace) {
                (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => a == b,
                _ => true,
            }
    })
}

/// Line 1 of the environment's last override file, else of the chart's values.yaml, else Chart.yaml:
/// where something missing from an environment is to be added.
pub fn override_location(sources: &Sources, chart: &ChartRun, env: &EnvRun) -> Location {
    let file = env.override_files.last().copied().unwrap_or_else(|| {
        if chart.defaults.span == Span::default() && matches!(&chart.defaults.value, NodeValue::Map(m) if m.is_empty())
        {
            chart.chart_yaml
        } else {
            chart.defaults.file
        }
    });
    sources.start_of(file)
}

/// Where the value at `path` of `resource` (rendered for `env`) came from.
pub fn field_location(
    sources: &Sources,
    chart: &ChartRun,
    env: &EnvRun,
    resource: &RenderedResource,
    path: &str,
) -> Location {
    let hints = field_hints(path);
    match resolve_path(&resource.doc, path) {
        Some(node) => node_location(sources, chart, env, resource, node, &hints),
        None => override_location(sources, chart, env),
    }
}

/// Where `env` would set what another environment sets at `setter` (a values location): the
/// deepest key of the same key path that `env`'s override files already have (`env:` for an env
/// var), else line 1 of its last override file.
pub fn counterpart_location(sources: &Sources, chart: &ChartRun, env: &EnvRun, setter: &Location) -> Location {
    let fallback = override_location(sources, chart, env);
    let Some(path) = key_path_at(sources, chart, setter) else { return fallback };
    let mut best: Option<(usize, Location)> = None;
    for (file, root) in env.override_files.iter().zip(&env.overrides) {
        let mut node = root;
        let mut deepest = None;
        for (depth, step) in path.iter().enumerate() {
            let NodeValue::Map(entries) = &node.value else { break };
            let Some((key, value)) = entries.iter().find(|(k, _)| k.name == *step) else { break };
            deepest = Some((depth + 1, key.span));
            node = value;
        }
        // Later files win ties: they are where the environment's own settings go.
        if let Some((depth, span)) = deepest {
            if best.as_ref().is_none_or(|(d, _)| depth >= *d) {
                best = Some((depth, sources.locate(FileSpan { file: *file, span })));
            }
        }
    }
    best.map_or(fallback, |(_, location)| location)
}

/// The values key path of the entry at a location in one of the chart's values files.
fn key_path_at(sources: &Sources, chart: &ChartRun, at: &Location) -> Option<Vec<String>> {
    let files = chart
        .environments
        .iter()
        .flat_map(|env| env.override_files.iter().copied().zip(&env.overrides))
        .chain(std::iter::once((chart.defaults.file, &chart.defaults)));
    for (file, root) in files {
        if sources.path(file) == at.file {
            if let Some(path) = find_key_path(root, at.line, at.column) {
                return Some(path);
            }
        }
    }
    None
}

fn find_key_path(root: &Node, line: u32, column: u32) -> Option<Vec<String>> {
    let starts_here = |span: &Span| span.start.line == line && span.start.column == column;
    let mut stack: Vec<(&Node, Vec<String>)> = vec![(root, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        if path.len() >= MAX_SEARCH_DEPTH {
            continue;
        }
        match &node.value {
            NodeValue::Map(entries) => {
                for (key, value) in entries {
                    let mut here = path.clone();
                    here.push(key.name.clone());
                    if starts_here(&key.span) || starts_here(&value.span) {
                        return Some(here);
                    }
                    stack.push((value, here));
                }
            }
            NodeValue::Seq(items) => {
                for (index, item) in items.iter().enumerate() {
                    let mut here = path.clone();
                    here.push(index.to_string());
                    if starts_here(&item.span) {
                        return Some(here);
                    }
                    stack.push((item, here));
                }
            }
            _ => {}
        }
    }
    None
}

/// The template text or action that wrote the node at `path` (the resource's start when the path
/// does not resolve): for findings about something the template leaves out.
pub fn path_template_location(
    sources: &Sources,
    chart: &ChartRun,
    env: &EnvRun,
    resource: &RenderedResource,
    path: Option<&str>,
) -> Location {
    match path.and_then(|p| resolve_path(&resource.doc, p)) {
        Some(node) => {
            let start = Span { start: node.span.start, end: node.span.start };
            template_location(sources, &resource.output, start)
        }
        None => resource_location(sources, chart, env, resource),
    }
}

/// Where a rendered resource as a whole came from: the template position that wrote its first line.
pub fn resource_location(sources: &Sources, chart: &ChartRun, env: &EnvRun, resource: &RenderedResource) -> Location {
    if resource.output.segments.is_empty() {
        return override_location(sources, chart, env);
    }
    let start = Span { start: resource.doc.span.start, end: resource.doc.span.start };
    template_location(sources, &resource.output, start)
}

/// Keys of values entries that most likely supplied the field at the end of `path`.
fn field_hints(path: &str) -> Vec<String> {
    let steps = parse_path(path);
    let last = steps.iter().rev().find_map(|step| match step {
        PathStep::Field(name) => Some(name.clone()),
        PathStep::Select(_) => None,
    });
    let selected = match steps.last() {
        Some(PathStep::Select(key)) => Some(key.clone()),
        _ => None,
    };
    let mut hints = Vec::new();
    hints.extend(selected);
    match last.as_deref() {
        // An image is usually `repository:tag`; the tag is what pins it.
        Some("image") => hints.extend(["tag".to_string(), "image".to_string()]),
        Some(name) => hints.push(name.to_string()),
        None => {}
    }
    hints
}

/// Where a rendered node came from: recorded `.Values` reads, then a values scalar with the same
/// text, then the template position, then the environment's override file.
pub fn node_location(
    sources: &Sources,
    chart: &ChartRun,
    env: &EnvRun,
    resource: &RenderedResource,
    node: &Node,
    hints: &[String],
) -> Location {
    let target = Target::of(node);
    let segments = covering_segments(&resource.output.segments, node.span);

    // 1. The .Values paths the actions that wrote this node read.
    let mut read: Vec<&Node> = Vec::new();
    for segment in &segments {
        for path in &segment.values_paths {
            if let Some(found) = lookup_values(&env.values, path) {
                read.push(found);
            }
        }
    }
    if let Some(origin) = best_origin(&read, &target, hints) {
        return origin.location(sources);
    }

    // 2. A values entry whose text is the rendered text.
    if let Some(origin) = target.as_ref().and_then(|t| search(&env.values, t, hints, true)) {
        return origin.location(sources);
    }

    // 3. The template text or action that wrote it.
    if !segments.is_empty() {
        return template_location(sources, &resource.output, node.span);
    }
    override_location(sources, chart, env)
}

/// The text a values entry must have to have produced a rendered node.
#[derive(Debug)]
struct Target {
    text: String,
    /// Short or non-string scalars match only under a hinted key (too many false friends).
    needs_hint: bool,
}

impl Target {
    fn of(node: &Node) -> Option<Target> {
        // A list item like `{name: SENTRY_DSN, value: ...}` (or a volume's `secret`) is
        // identified by its name.
        let subject = match node.value {
            NodeValue::Map(_) => node.get("name").or_else(|| node.get("secretName"))?,
            _ => node,
        };
        let text = scalar_text(subject)?;
        let needs_hint = !matches!(subject.value, NodeValue::String(_)) || text.chars().count() < 3;
        Some(Target { text, needs_hint })
    }
}

/// A values node (or one of its keys) that supplied a rendered value.
struct Origin<'n> {
    file: FileId,
    span: Span,
    _node: &'n Node,
}

impl Origin<'_> {
    fn location(&self, sources: &Sources) -> Location {
        sources.locate(FileSpan { file: self.file, span: self.span })
    }
}

fn best_origin<'n>(candidates: &[&'n Node], target: &Option<Target>, hints: &[String]) -> Option<Origin<'n>> {
    if candidates.is_empty() {
        return None;
    }
    if let Some(target) = target {
        // A read scalar with exactly the rendered text; else a match inside a read collection.
        if let Some(node) = candidates.iter().find(|n| scalar_text(n).as_deref() == Some(&target.text)) {
            return Some(Origin { file: node.file, span: node.span, _node: node });
        }
        for node in candidates {
            if let Some(origin) = search(node, target, hints, false) {
                return Some(origin);
            }
        }
    }
    // A rendered value built from several reads (`repo:tag`): the hinted key, else the last read.
    let node = candidates.last()?;
    Some(Origin { file: node.file, span: node.span, _node: node })
}

/// Searches `root` for a scalar (or mapping key) equal to the target text, preferring entries
/// under a hinted key. With `strict`, short or non-string targets need a hinted key.
fn search<'n>(root: &'n Node, target: &Target, hints: &[String], strict: bool) -> Option<Origin<'n>> {
    let mut best: Option<(bool, Origin<'n>)> = None;
    let mut stack: Vec<(&'n Node, Option<&'n Key>, usize)> = vec![(root, None, 0)];
    while let Some((node, key, depth)) = stack.pop() {
        let hinted = key.is_some_and(|k| hints.iter().any(|h| h == &k.name));
        if let Some(k) = key {
            // A mapping key that names the thing: `env: {SENTRY_DSN: ...}`.
            if k.name == target.text && best.as_ref().is_none_or(|(h, _)| !h) {
                best = Some((true, Origin { file: node.file, span: k.span, _node: node }));
            }
        }
        if scalar_text(node).as_deref() == Some(&target.text) && !(strict && target.needs_hint && !hinted) {
            match &best {
                Some((true, _)) => {}
                _ => best = Some((hinted, Origin { file: node.file, span: node.span, _node: node })),
            }
        }
        if depth >= MAX_SEARCH_DEPTH {
            continue;
        }
        // Pushed in reverse so that document order is visited first.
        match &node.value {
            NodeValue::Map(entries) => {
                for (k, v) in entries.iter().rev() {
                    stack.push((v, Some(k), depth + 1));
                }
            }
            NodeValue::Seq(items) => {
                for item in items.iter().rev() {
                    stack.push((item, key, depth + 1));
                }
            }
            _ => {}
        }
    }
    best.map(|(_, origin)| origin)
}

/// The node of the merged values at a `.Values` path (list indexes as numbers).
pub fn lookup_values<'n>(values: &'n Node, path: &[String]) -> Option<&'n Node> {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    crate::values::lookup(values, &path)
}

/// The output segments that wrote any part of `span` (in output order).
fn covering_segments(segments: &[OutputSegment], span: Span) -> Vec<&OutputSegment> {
    let start = span.start.offset;
    let end = span.end.offset.max(start + 1);
    let first = segments.partition_point(|s| s.offset <= start).saturating_sub(1);
    segments.get(first..).unwrap_or_default().iter().take_while(|s| s.offset < end).collect()
}

/// The text of a scalar node as a template would print it.
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        NodeValue::String(s) => Some(s.to_string()),
        NodeValue::Int(i) => Some(i.to_string()),
        NodeValue::Float(f) => Some(f.to_string()),
        NodeValue::Bool(b) => Some(b.to_string()),
        NodeValue::Null | NodeValue::Seq(_) | NodeValue::Map(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_on_dots_outside_brackets() {
        use PathStep::*;
        assert_eq!(
            parse_path("spec.containers[web].env[A.B]"),
            vec![
                Field("spec".into()),
                Field("containers".into()),
                Select("web".into()),
                Field("env".into()),
                Select("A.B".into())
            ]
        );
        assert_eq!(parse_path("data[tls.crt]"), vec![Field("data".into()), Select("tls.crt".into())]);
        assert_eq!(parse_path(""), vec![]);
        assert_eq!(parse_path("a[unclosed"), vec![Field("a".into()), Select("unclosed".into())]);
    }

    fn node(value: NodeValue, offset: usize) -> Node {
        let pos = crate::source::Pos { line: 1, column: offset as u32 + 1, offset };
        Node { value, file: FileId(0), span: Span { start: pos, end: pos } }
    }

    #[test]
    fn paths_select_by_name_index_scalar_and_key() {
        let text = |s: &str| node(NodeValue::String(s.into()), 0);
        let named =
            |n: &str| node(NodeValue::Map(vec![(Key { name: "name".into(), span: Span::default() }, text(n))]), 0);
        let doc = node(
            NodeValue::Map(vec![
                (
                    Key { name: "list".into(), span: Span::default() },
                    node(NodeValue::Seq(vec![named("a"), named("b"), text("c")]), 0),
                ),
                (
                    Key { name: "data".into(), span: Span::default() },
                    node(NodeValue::Map(vec![(Key { name: "tls.crt".into(), span: Span::default() }, text("x"))]), 0),
                ),
            ]),
            0,
        );
        assert_eq!(resolve_path(&doc, "list[b]"), Some(&named("b")));
        assert_eq!(resolve_path(&doc, "list[0]"), Some(&named("a")));
        assert_eq!(resolve_path(&doc, "list[c]"), Some(&text("c")));
        assert_eq!(resolve_path(&doc, "data[tls.crt]"), Some(&text("x")));
        assert_eq!(resolve_path(&doc, "list[zz]"), None);
        assert_eq!(resolve_path(&doc, "data.missing.deeper"), None);
    }

    #[test]
    fn segments_cover_a_span_from_the_one_it_starts_in() {
        let segment = |offset| OutputSegment {
            offset,
            file: FileId(1),
            pos: Default::default(),
            values_paths: vec![],
            literal: false,
        };
        let segments = [segment(0), segment(10), segment(20), segment(30)];
        let span = |a, b| Span {
            start: crate::source::Pos { offset: a, ..Default::default() },
            end: crate::source::Pos { offset: b, ..Default::default() },
        };
        let offsets = |s: Span| covering_segments(&segments, s).iter().map(|s| s.offset).collect::<Vec<_>>();
        assert_eq!(offsets(span(12, 25)), [10, 20]);
        assert_eq!(offsets(span(20, 20)), [20]);
        assert_eq!(offsets(span(35, 40)), [30]);
        assert_eq!(covering_segments(&[], span(1, 2)).len(), 0);
    }

    #[test]
    fn hints_follow_the_field() {
        assert_eq!(field_hints("spec.containers[web].image"), vec!["tag", "image"]);
        assert_eq!(field_hints("spec.containers[web].env[X]"), vec!["X", "env"]);
        assert_eq!(field_hints("data[password]"), vec!["password", "data"]);
    }
}
