//! A chart and its subcharts as Helm renders them: aliases applied, conditions and tags
//! deciding which subcharts are enabled, `import-values`, globals, and each chart's scope
//! (`.Values`, `.Chart`, `.Files`, `.Subcharts`).

use std::sync::Arc;

use crate::chart::{Chart, Dependency, ImportValue, TemplateSource};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::helm_version::HelmVersion;
use crate::source::{FileSpan, Sources, Span};
use crate::template::funcs::sprig::semver::{Constraints, Version};
use crate::value::{Map, MapRef, MapType, Value};
use crate::values::{ChartValues, coalesce_chart, lookup, merge_tables, to_template_value};
use crate::yaml::{Key, Node, NodeValue};

use super::objects::{ChartObject, Files};

/// Most charts (subcharts and their aliases counted) one tree may hold.
const MAX_TREE_NODES: usize = 2_000;

/// One chart of the tree: the top chart, or a subchart under the name it renders as.
pub struct TreeNode<'a> {
    pub chart: &'a Chart,
    /// The alias, or the chart's own name.
    pub name: String,
    /// Helm's full path: `top/charts/sub/charts/subsub`.
    pub full_path: String,
    /// Keys from the top chart's values down to this chart's values.
    pub values_path: Vec<String>,
    /// The chart this one is a subchart of (none for the top chart).
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// The `Chart.yaml` entry that brought the subchart in (none for the top chart and for
    /// subcharts that `dependencies` does not list).
    pub dependency: Option<&'a Dependency>,
    files_object: Value,
}

/// A chart with its subcharts, in depth-first order (a parent before its children).
pub struct ChartTree<'a> {
    pub nodes: Vec<TreeNode<'a>>,
    /// Whose `helm template` the tree renders like.
    pub helm: HelmVersion,
}

/// One environment's values for a tree.
#[derive(Debug, Clone)]
pub struct EnvValues {
    /// The coalesced values of the top chart (subcharts' under their names).
    pub values: Node,
    /// Which nodes of the tree are enabled, by index.
    pub enabled: Vec<bool>,
}

/// Masterminds `IsCompatibleRange`: false when either side does not parse.
fn compatible(constraint: &str, version: &str) -> bool {
    match (Constraints::parse(constraint), Version::parse(version)) {
        (Ok(c), Ok(v)) => c.check(&v),
        _ => false,
    }
}

impl<'a> ChartTree<'a> {
    /// The tree of `chart`: subcharts not listed in `dependencies` first, then each listed
    /// dependency (under its alias) whose chart is present in a compatible version.
    pub fn new(chart: &'a Chart, helm: HelmVersion) -> Result<ChartTree<'a>, Box<Diagnostic>> {
        let mut tree = ChartTree { nodes: Vec::new(), helm };
        tree.add(chart, chart.metadata.name.clone(), None, None)?;
        Ok(tree)
    }

    /// The top chart.
    pub fn root(&self) -> &TreeNode<'a> {
        &self.nodes[0]
    }

    fn add(
        &mut self,
        chart: &'a Chart,
        name: String,
        parent: Option<usize>,
        dependency: Option<&'a Dependency>,
    ) -> Result<usize, Box<Diagnostic>> {
        if self.nodes.len() >= MAX_TREE_NODES {
            let message =
                format!("the chart has more than {MAX_TREE_NODES} subcharts (aliases counted); refusing to render it");
            return Err(Box::new(Diagnostic::render_error(message, Some(Location::start_of(chart.dir.clone())))));
        }
        let (full_path, values_path) = match parent {
            None => (name.clone(), Vec::new()),
            Some(p) => {
                let parent = &self.nodes[p];
                let mut path = parent.values_path.clone();
                path.push(name.clone());
                (format!("{}/charts/{name}", parent.full_path), path)
            }
        };
        let index = self.nodes.len();
        self.nodes.push(TreeNode {
            chart,
            files_object: Value::Object(Arc::new(Files::new(chart.files.clone()))),
            name,
            full_path,
            values_path,
            parent,
            children: Vec::new(),
            dependency,
        });
        let mut children = Vec::new();
        for sub in &chart.subcharts {
            let listed = chart
                .dependencies
                .iter()
                .any(|d| d.name == sub.metadata.name && compatible(&d.version, &sub.metadata.version));
            if !listed {
                children.push(self.add(sub, sub.metadata.name.clone(), Some(index), None)?);
            }
        }
        for dep in &chart.dependencies {
            let found = chart
                .subcharts
                .iter()
                .find(|s| s.metadata.name == dep.name && compatible(&dep.version, &s.metadata.version));
            if let Some(sub) = found {
                children.push(self.add(sub, dep.effective_name().to_string(), Some(index), Some(dep))?);
            }
        }
        self.nodes[index].children = children;
        Ok(index)
    }

    /// Helm's check before rendering: every dependency of the top chart is present under
    /// `charts/` (by name).
    pub fn check_dependencies(&self, sources: &Sources) -> Option<Diagnostic> {
        let chart = self.root().chart;
        let missing: Vec<&Dependency> =
            chart.dependencies.iter().filter(|d| !chart.subcharts.iter().any(|s| s.metadata.name == d.name)).collect();
        let first = missing.first()?;
        let names: Vec<&str> = missing.iter().map(|d| d.name.as_str()).collect();
        let mut d = Diagnostic::new(
            "DG001",
            "render-error",
            Severity::Error,
            format!(
                "{} error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
                if self.helm.is_v4() { "an" } else { "An" },
                names.join(", ")
            ),
        );
        let at = FileSpan { file: first.at.file, span: Span { start: first.at.span.start, end: first.at.span.start } };
        d.location = Some(sources.locate(at));
        Some(d)
    }

    /// Helm's `kubeVersion` check of the top chart against the cluster version.
    pub fn check_kube_version(&self, kube_version: &str, sources: &Sources) -> Option<Diagnostic> {
        let chart = self.root().chart;
        let wanted = chart.metadata.kube_version.as_str();
        if wanted.is_empty() {
            return None;
        }
        let cluster = super::objects::KubeVersion::parse(kube_version).version().to_string();
        if compatible(wanted, &cluster) {
            return None;
        }
        let mut d = Diagnostic::new(
            "DG001",
            "render-error",
            Severity::Error,
            format!("chart requires kubeVersion: {wanted} which is incompatible with Kubernetes {cluster}"),
        );
        let span = chart.metadata.raw.get("kubeVersion").map(|n| n.span).unwrap_or_default();
        d.location = Some(sources.locate(FileSpan { file: chart.chart_yaml, span }));
        Some(d)
    }

    /// The values merge's view of the enabled part of the tree below `index`.
    fn chart_values<'t>(&'t self, index: usize, enabled: &[bool], defaults: &'t [Option<Node>]) -> ChartValues<'t> {
        let node = &self.nodes[index];
        ChartValues {
            name: &node.name,
            defaults: defaults.get(index).and_then(Option::as_ref).unwrap_or(&node.chart.defaults),
            subcharts: node
                .children
                .iter()
                .filter(|c| enabled.get(**c).copied().unwrap_or(false))
                .map(|c| self.chart_values(*c, enabled, defaults))
                .collect(),
        }
    }

    /// One environment's values: which subcharts are enabled (tags, then conditions, as Helm
    /// decides them on the values coalesced over the whole tree), values imported from
    /// children, then Helm's coalescing of `user` over every enabled chart.
    pub fn env_values(&self, user: &Node, sources: &Sources) -> Result<EnvValues, Box<Diagnostic>> {
        let count = self.nodes.len();
        let no_overrides: Vec<Option<Node>> = vec![None; count];
        let all = vec![true; count];
        let whole = coalesce_chart(&self.chart_values(0, &all, &no_overrides), user, false)
            .map_err(|e| values_error(e.message, e.at, sources))?;
        let enabled = self.resolve_enabled(&whole.values);
        let defaults = self.import_values(&enabled);
        let coalesced = coalesce_chart(&self.chart_values(0, &enabled, &defaults), user, false)
            .map_err(|e| values_error(e.message, e.at, sources))?;
        Ok(EnvValues { values: coalesced.values, enabled })
    }

    fn resolve_enabled(&self, values: &Node) -> Vec<bool> {
        let mut enabled = vec![false; self.nodes.len()];
        enabled[0] = true;
        let tags = values.get("tags").filter(|t| matches!(t.value, NodeValue::Map(_)));
        for index in 0..self.nodes.len() {
            if !enabled[index] {
                continue;
            }
            let node = &self.nodes[index];
            let prefix =
                if node.values_path.is_empty() { String::new() } else { format!("{}.", node.values_path.join(".")) };
            // Helm flags each `dependencies` entry, then removes every subchart whose name (alias
            // applied) is that of a disabled entry: also one that `dependencies` lists in a
            // version the charts/ copy does not satisfy, which renders under its own name.
            let disabled: Vec<&str> = node
                .chart
                .dependencies
                .iter()
                .filter(|dep| !dependency_enabled(dep, tags, values, &prefix))
                .map(|dep| dep.effective_name())
                .collect();
            for &child in &node.children {
                enabled[child] = !disabled.contains(&self.nodes[child].name.as_str());
            }
        }
        enabled
    }

    /// Per node, the defaults after `import-values` (None: the chart's own `values.yaml`).
    fn import_values(&self, enabled: &[bool]) -> Vec<Option<Node>> {
        let mut defaults: Vec<Option<Node>> = vec![None; self.nodes.len()];
        for index in (0..self.nodes.len()).rev() {
            let node = &self.nodes[index];
            let importing: Vec<(&str, &Dependency)> = node
                .children
                .iter()
                .filter(|c| enabled[**c])
                .filter_map(|c| self.nodes[*c].dependency.map(|d| (self.nodes[*c].name.as_str(), d)))
                .filter(|(_, d)| !d.import_values.is_empty())
                .collect();
            if !enabled[index] || importing.is_empty() {
                continue;
            }
            let empty = crate::chart::empty_map(node.chart.chart_yaml);
            let Ok(merged) = coalesce_chart(&self.chart_values(index, enabled, &defaults), &empty, true) else {
                continue;
            };
            let merged = merged.values;
            let mut imported = crate::chart::empty_map(node.chart.chart_yaml);
            for (child_name, dep) in importing {
                for import in &dep.import_values {
                    let (path, parent) = match import {
                        ImportValue::Map { child, parent } => (format!("{child_name}.{child}"), parent.as_str()),
                        ImportValue::Export(name) => (format!("{child_name}.exports.{name}"), "."),
                    };
                    // Helm logs and skips an import whose source is not a table.
                    let Some(table) = table_at(&merged, &path) else { continue };
                    imported = merge_tables(imported, path_to_map(parent, table.clone()));
                }
            }
            // The parent's own values win over what it imports. Only the parent's own defaults
            // take the imports: a copy of the whole merged tree there would shadow a user's
            // `null` for a subchart key, which Helm honours (testdata/render/subcharts-null-override).
            let own = defaults[index].take().unwrap_or_else(|| node.chart.defaults.clone());
            defaults[index] = Some(merge_tables(own, imported));
        }
        defaults
    }

    /// Names (Helm's) and sources of the templates the enabled charts contribute; a library
    /// chart contributes only its partials.
    pub fn template_names(&self, enabled: &[bool]) -> Vec<(String, &'a TemplateSource)> {
        let mut out = Vec::new();
        for (index, node) in self.nodes.iter().enumerate() {
            if !enabled.get(index).copied().unwrap_or(false) {
                continue;
            }
            for template in &node.chart.templates {
                if node.chart.metadata.is_library() && !template.is_partial() {
                    continue;
                }
                out.push((format!("{}/{}", node.full_path, template.path), template));
            }
        }
        out
    }

    /// The templates that produce output, with the node whose scope they render in, in
    /// Helm's rendering order (deepest paths first, then names in reverse order), so a template
    /// that changes a shared map is seen by the ones rendered after it.
    pub fn rendered_templates(&self, enabled: &[bool]) -> Vec<(String, &'a TemplateSource, usize)> {
        let mut out = Vec::new();
        for (index, node) in self.nodes.iter().enumerate() {
            if !enabled.get(index).copied().unwrap_or(false) || node.chart.metadata.is_library() {
                continue;
            }
            // NOTES.txt renders too (a failure there fails Helm); its output is never printed.
            for template in node.chart.templates.iter().filter(|t| !t.is_partial()) {
                out.push((format!("{}/{}", node.full_path, template.path), template, index));
            }
        }
        out.sort_by(|a, b| {
            let depth = |name: &str| name.matches('/').count();
            depth(&b.0).cmp(&depth(&a.0)).then_with(|| b.0.cmp(&a.0))
        });
        out
    }

    /// Each enabled node's top-level template data (`.Template` is set per template), by
    /// index. As in Helm, all templates of a chart share its map, a subchart's `.Values` is the
    /// very map under its name in the parent's `.Values`, and `.Subcharts.x` is the subchart's
    /// own top-level map; each call builds fresh maps, so renders never share them.
    pub fn scopes(&self, values: &EnvValues, release: &Value, capabilities: &Value) -> Vec<Option<MapRef>> {
        let root_values = match to_template_value(&values.values) {
            Value::Map(map) => Value::Map(map.as_type(MapType::Values(self.helm))),
            _ => Value::Map(MapRef::typed(Map::new(), MapType::Values(self.helm))),
        };
        // Each node's `.Values`, reached from the root so the maps are shared.
        let mut node_values: Vec<Option<Value>> = vec![None; self.nodes.len()];
        for index in 0..self.nodes.len() {
            if !values.enabled.get(index).copied().unwrap_or(false) {
                continue;
            }
            let parent_values = self.nodes[index].parent.and_then(|p| node_values.get(p).cloned().flatten());
            // Helm's `Values.Table`: the same entries, typed `chartutil.Values` again.
            node_values[index] = Some(match parent_values {
                None => root_values.clone(),
                Some(parent) => match parent.as_map().and_then(|m| m.get(&self.nodes[index].name)) {
                    Some(Value::Map(map)) => Value::Map(map.as_type(MapType::Values(self.helm))),
                    _ => Value::Map(MapRef::typed(Map::new(), MapType::Values(self.helm))),
                },
            });
        }
        let mut scopes: Vec<Option<MapRef>> = vec![None; self.nodes.len()];
        for index in (0..self.nodes.len()).rev() {
            let Some(own) = node_values[index].take() else { continue };
            let node = &self.nodes[index];
            let mut subcharts = Map::new();
            for &child in &node.children {
                if let Some(Some(scope)) = scopes.get(child) {
                    subcharts.insert(self.nodes[child].name.clone(), Value::Map(scope.clone()));
                }
            }
            let mut scope = Map::new();
            scope.insert("Values".into(), own);
            scope.insert("Release".into(), release.clone());
            // Per render: `.Chart.Annotations` is a map a template could change.
            let enabled: Vec<&Dependency> = node
                .chart
                .dependencies
                .iter()
                .filter(|d| {
                    node.children.iter().any(|&child| {
                        values.enabled.get(child).copied().unwrap_or(false)
                            && self.nodes[child].dependency.is_some_and(|c| std::ptr::eq(c, *d))
                    })
                })
                .collect();
            let chart = ChartObject::for_chart(&node.chart.metadata, &node.name, index == 0, &enabled);
            scope.insert("Chart".into(), chart.for_helm(self.helm));
            scope.insert("Capabilities".into(), capabilities.clone());
            scope.insert("Files".into(), node.files_object.clone());
            scope.insert("Subcharts".into(), Value::map(subcharts));
            scopes[index] = Some(MapRef::new(scope));
        }
        scopes
    }

    /// The `crds/` files of the enabled charts as `helm template --include-crds` prints them:
    /// each chart's own, then its subcharts'.
    pub fn crds_text(&self, enabled: &[bool]) -> String {
        let mut out = String::new();
        for (index, node) in self.nodes.iter().enumerate() {
            if !enabled.get(index).copied().unwrap_or(false) {
                continue;
            }
            for (name, data) in &node.chart.files {
                let manifest = [".yaml", ".yml", ".json"].iter().any(|ext| name.ends_with(ext));
                if name.starts_with("crds/") && manifest {
                    out.push_str("---\n# Source: ");
                    out.push_str(&node.full_path);
                    out.push('/');
                    out.push_str(name);
                    out.push('\n');
                    out.push_str(&String::from_utf8_lossy(data));
                    out.push('\n');
                }
            }
        }
        out
    }

    /// Helm's `ValidateAgainstSchema`: each enabled chart with a `values.schema.json` checks
    /// its own values. One DG002 finding per violation, at the value that violates it (or at
    /// the schema when the value is missing).
    pub fn validate(&self, values: &EnvValues, sources: &Sources) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (index, node) in self.nodes.iter().enumerate() {
            if !values.enabled.get(index).copied().unwrap_or(false) {
                continue;
            }
            let Some(schema) = &node.chart.schema else { continue };
            let path: Vec<&str> = node.values_path.iter().map(String::as_str).collect();
            let Some(own) = lookup(&values.values, &path) else { continue };
            let instance = own.to_json();
            for error in schema.validator.iter_errors(&instance) {
                let pointer: Vec<String> = error
                    .instance_path()
                    .as_str()
                    .split('/')
                    .skip(1)
                    .map(|s| s.replace("~1", "/").replace("~0", "~"))
                    .collect();
                let field = if pointer.is_empty() { "(root)".to_string() } else { pointer.join(".") };
                let written = schema.json.pointer(error.schema_path().as_str());
                let text = schema_message(error.kind(), &field, error.instance(), written);
                let message = format!(
                    "values don't meet the specifications of the schema(s) in the following chart(s):\n{}:\n- {field}: {text}",
                    node.name
                );
                let segments: Vec<&str> = pointer.iter().map(String::as_str).collect();
                let location = match crate::values::lookup_entry(own, &segments) {
                    Some((key, _)) if key.span != Span::default() => {
                        let file = lookup(own, &segments).map_or(schema.file, |n| n.file);
                        sources.locate(FileSpan { file, span: key.span })
                    }
                    _ => match lookup(own, &segments).filter(|n| n.span != Span::default()) {
                        Some(n) => sources.locate(n.file_span()),
                        None => sources.start_of(schema.file),
                    },
                };
                let mut d = Diagnostic::invalid_values(message, Some(location));
                d.help = Some(format!("the values of chart `{}` must satisfy its values.schema.json", node.name));
                out.push(d);
            }
        }
        out
    }
}

/// Helm's tags, then conditions (the first condition path that holds a boolean decides).
fn dependency_enabled(dep: &Dependency, tags: Option<&Node>, values: &Node, prefix: &str) -> bool {
    let mut enabled = true;
    if let Some(tags) = tags {
        let (mut any_true, mut any_false) = (false, false);
        for tag in &dep.tags {
            match tags.get(tag).map(|n| &n.value) {
                Some(NodeValue::Bool(true)) => any_true = true,
                Some(NodeValue::Bool(false)) => any_false = true,
                _ => {}
            }
        }
        enabled = any_true || !any_false;
    }
    for condition in dep.condition.trim().split(',') {
        if condition.is_empty() {
            continue;
        }
        if let Some(NodeValue::Bool(b)) = path_value(values, &format!("{prefix}{condition}")).map(|n| &n.value) {
            return *b;
        }
    }
    enabled
}

/// Helm's `Values.PathValue`: the non-table value at a dotted path.
fn path_value<'n>(values: &'n Node, path: &str) -> Option<&'n Node> {
    let (parents, key) = match path.rsplit_once('.') {
        Some((parents, key)) => (Some(parents), key),
        None => (None, path),
    };
    let table = match parents {
        Some(parents) => table_at(values, parents)?,
        None => values,
    };
    table.get(key).filter(|n| !matches!(n.value, NodeValue::Map(_)))
}

/// Helm's `Values.Table`: the mapping at a dotted path.
fn table_at<'n>(values: &'n Node, path: &str) -> Option<&'n Node> {
    let mut current = values;
    for segment in path.split('.') {
        current = current.get(segment)?;
        if !matches!(current.value, NodeValue::Map(_)) {
            return None;
        }
    }
    Some(current)
}

/// Helm's `pathToMap`: `data` nested under a dotted path (`.` is the top level).
fn path_to_map(path: &str, data: Node) -> Node {
    if path == "." {
        return data;
    }
    let mut current = data;
    for segment in path.split('.').rev() {
        let (file, span) = (current.file, current.span);
        current = Node {
            value: NodeValue::Map(vec![(Key { name: segment.to_string(), span: Span::default() }, current)]),
            file,
            span,
        };
    }
    current
}

/// gojsonschema's wording (which Helm 3.17 prints) for one violation. `written` is the schema
/// keyword's value as the schema writes it (for the order of a list of types).
fn schema_message(
    kind: &jsonschema::error::ValidationErrorKind,
    field: &str,
    instance: &serde_json::Value,
    written: Option<&serde_json::Value>,
) -> String {
    use jsonschema::error::{TypeKind, ValidationErrorKind as K};
    let number = |v: &serde_json::Value| v.to_string();
    match kind {
        K::Required { property } => format!("{} is required", property.as_str().unwrap_or_default()),
        K::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => {
                    let names: Vec<String> = match written.and_then(|w| w.as_array()) {
                        Some(list) => list.iter().filter_map(|t| t.as_str().map(str::to_string)).collect(),
                        None => set.iter().map(|t| t.to_string()).collect(),
                    };
                    format!("[{}]", names.join(","))
                }
            };
            format!("Invalid type. Expected: {expected}, given: {}", json_type(instance))
        }
        K::AdditionalProperties { unexpected } => {
            format!("Additional property {} is not allowed", unexpected.first().map(String::as_str).unwrap_or_default())
        }
        K::Enum { options } => {
            let allowed: Vec<String> =
                options.as_array().map(|a| a.iter().map(|v| v.to_string()).collect()).unwrap_or_default();
            let name = field.rsplit('.').next().unwrap_or(field);
            format!("{name} must be one of the following: {}", allowed.join(", "))
        }
        K::Constant { expected_value } => {
            let name = field.rsplit('.').next().unwrap_or(field);
            format!("{name} does not match: {expected_value}")
        }
        K::Maximum { limit } => format!("Must be less than or equal to {}", number(limit)),
        K::Minimum { limit } => format!("Must be greater than or equal to {}", number(limit)),
        K::ExclusiveMaximum { limit } => format!("Must be less than {}", number(limit)),
        K::ExclusiveMinimum { limit } => format!("Must be greater than {}", number(limit)),
        K::MaxLength { limit } => format!("String length must be less than or equal to {limit}"),
        K::MinLength { limit } => format!("String length must be greater than or equal to {limit}"),
        K::MaxItems { limit } => format!("Array must have at most {limit} items"),
        K::MinItems { limit } => format!("Array must have at least {limit} items"),
        K::MaxProperties { limit } => format!("Must have at most {limit} properties"),
        K::MinProperties { limit } => format!("Must have at least {limit} properties"),
        K::Pattern { pattern } => format!("Does not match pattern '{pattern}'"),
        K::Format { format } => format!("Does not match format '{format}'"),
        K::UniqueItems => {
            let items = instance.as_array().map(Vec::as_slice).unwrap_or_default();
            let pair = (0..items.len())
                .flat_map(|j| (0..j).map(move |i| (i, j)))
                .find(|(i, j)| items[*i] == items[*j])
                .unwrap_or((0, 0));
            format!("array items[{},{}] must be unique", pair.0, pair.1)
        }
        K::AnyOf { .. } => "Must validate at least one schema (anyOf)".to_string(),
        K::OneOfNotValid { .. } | K::OneOfMultipleValid { .. } => {
            "Must validate one and only one schema (oneOf)".to_string()
        }
        K::Not { .. } => "Must not validate the schema (not)".to_string(),
        K::Contains => "At least one of the items must match".to_string(),
        K::FalseSchema => "False always fails validation".to_string(),
        other => format!("{other:?}"),
    }
}

/// gojsonschema's name for a value's type (integral numbers are `integer`).
fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) => {
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                "integer"
            } else {
                "number"
            }
        }
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn values_error(message: String, at: FileSpan, sources: &Sources) -> Diagnostic {
    let mut d = Diagnostic::invalid_values(message, Some(sources.locate(at)));
    d.help = Some("the values under a subchart's name are that subchart's values and must be a mapping".into());
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn dependency(condition: &str, tags: &[&str]) -> Dependency {
        Dependency {
            name: "db".into(),
            version: String::new(),
            repository: String::new(),
            condition: condition.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            alias: None,
            import_values: Vec::new(),
            at: FileSpan::default(),
        }
    }

    fn values(text: &str) -> Node {
        crate::values::load_values(text, FileId(1)).unwrap()
    }

    #[test]
    fn any_true_tag_enables_and_only_false_tags_disable() {
        let v = values("tags:\n  a: true\n  b: false\n  c: text\n");
        let tags = v.get("tags");
        assert!(dependency_enabled(&dependency("", &["a", "b"]), tags, &v, ""));
        assert!(!dependency_enabled(&dependency("", &["b"]), tags, &v, ""));
        // A non-boolean tag and an unknown tag decide nothing.
        assert!(dependency_enabled(&dependency("", &["c", "missing"]), tags, &v, ""));
    }

    #[test]
    fn first_boolean_condition_wins_over_tags() {
        let v = values("tags:\n  a: false\ndb:\n  enabled: \"yes\"\n  table: {x: 1}\nglobal:\n  db: true\n");
        let tags = v.get("tags");
        // A string, a table and a missing path are skipped; the global decides.
        let dep = dependency("db.enabled,db.table,nowhere.x,global.db", &["a"]);
        assert!(dependency_enabled(&dep, tags, &v, ""));
        // No condition resolves: the false tag decides.
        assert!(!dependency_enabled(&dependency("db.enabled", &["a"]), tags, &v, ""));
        // Conditions of a nested chart are read below its parent's values.
        let nested = values("mid:\n  db:\n    enabled: false\n");
        assert!(!dependency_enabled(&dependency("db.enabled", &[]), None, &nested, "mid."));
    }

    #[test]
    fn import_paths_nest_like_helm() {
        let table = values("a: 1\n");
        let nested = path_to_map("x.y", table.clone());
        assert_eq!(serde_json::to_string(&nested.to_json()).unwrap(), r#"{"x":{"y":{"a":1}}}"#);
        assert_eq!(serde_json::to_string(&path_to_map(".", table).to_json()).unwrap(), r#"{"a":1}"#);
        let v = values("sub:\n  data: {k: v}\n  scalar: 1\n");
        assert!(table_at(&v, "sub.data").is_some());
        assert!(table_at(&v, "sub.scalar").is_none());
        assert!(path_value(&v, "sub.scalar").is_some());
        assert!(path_value(&v, "sub.data").is_none());
    }

    #[test]
    fn schema_messages_use_gojsonschema_wording() {
        // Messages helm v3.17.2 printed for the same schema and values (with `n` quoted in the
        // values file: unquoted, YAML 1.1 reads that key as `false`).
        let schema = serde_json::json!({"properties": {
            "n": {"type": "integer"}, "s": {"pattern": "^a"}, "l": {"maxItems": 1}, "f": {"exclusiveMinimum": 2},
            "u": {"uniqueItems": true}, "o": {"minProperties": 1}, "m": {"type": "string"},
            "k": {"type": ["string", "boolean"]}, "b": {"type": "integer"}
        }});
        let validator = jsonschema::validator_for(&schema).unwrap();
        let instance = serde_json::json!({"n": 1.5, "s": "b", "l": [1, 2], "f": 2, "u": [3, 1, 3], "o": {}, "m": 1.5, "k": 2, "b": true});
        let mut messages: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| schema_message(e.kind(), "x", e.instance(), schema.pointer(e.schema_path().as_str())))
            .collect();
        messages.sort();
        assert_eq!(
            messages,
            [
                "Array must have at most 1 items",
                "Does not match pattern '^a'",
                "Invalid type. Expected: [string,boolean], given: integer",
                "Invalid type. Expected: integer, given: boolean",
                "Invalid type. Expected: integer, given: number",
                "Invalid type. Expected: string, given: number",
                "Must be greater than 2",
                "Must have at least 1 properties",
                "array items[0,2] must be unique",
            ]
        );
    }
}
