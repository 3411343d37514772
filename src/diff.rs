//! What differs between two environments of one chart: resources present in only one of them,
//! and, for resources in both, the fields added, removed or changed, by driftgate field path.
//!
//! The comparison is semantic: lists of named items (containers, env vars) are matched by
//! `name`, other lists by index, and scalars are compared as YAML values (`"3"` is not `3`,
//! quoting style does not matter). Each difference says where each environment's value came
//! from (provenance). Secret material is never shown: Secret `data`/`stringData` and
//! credential-looking env vars appear as `<redacted>`.

use serde_json::json;

use crate::diagnostic::{Location, ResourceId};
use crate::model::{BaselineManifests, ChartRun, EnvRun, RenderedResource};
use crate::provenance::{self, PathStep};
use crate::source::Sources;
use crate::yaml::{Node, NodeValue};

/// Documents nested deeper than this are compared as a whole at that depth.
const MAX_DIFF_DEPTH: usize = 128;

/// What is shown instead of secret material.
pub const REDACTED: &str = "<redacted>";

/// Whether a field is present in A only, B only, or in both with different values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Present in B only.
    Added,
    /// Present in A only.
    Removed,
    /// Present in both with different values.
    Changed,
}

impl ChangeKind {
    /// `added`, `removed`, `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }

    pub fn sign(self) -> char {
        match self {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        }
    }
}

/// One field that differs between two documents.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange<'n> {
    /// Driftgate field path, e.g. `spec.template.spec.containers[web].env[SENTRY_DSN]`.
    pub path: String,
    pub kind: ChangeKind,
    /// The node in A (`None` when added).
    pub a: Option<&'n Node>,
    /// The node in B (`None` when removed).
    pub b: Option<&'n Node>,
}

/// Compares two documents field by field; differences come in document order (A's order, then
/// what only B has).
pub fn diff_nodes<'n>(a: &'n Node, b: &'n Node) -> Vec<FieldChange<'n>> {
    /// Work left to do, in a stack rather than by recursion: documents come from user files.
    enum Task<'n> {
        Compare(String, &'n Node, &'n Node, usize),
        Report(FieldChange<'n>),
    }
    let removed = |path: String, node: &'n Node| {
        Task::Report(FieldChange { path, kind: ChangeKind::Removed, a: Some(node), b: None })
    };
    let added = |path: String, node: &'n Node| {
        Task::Report(FieldChange { path, kind: ChangeKind::Added, a: None, b: Some(node) })
    };
    let mut changes = Vec::new();
    let mut stack: Vec<Task<'n>> = vec![Task::Compare(String::new(), a, b, 0)];
    while let Some(task) = stack.pop() {
        let (path, a, b, depth) = match task {
            Task::Report(change) => {
                changes.push(change);
                continue;
            }
            Task::Compare(path, a, b, depth) => (path, a, b, depth),
        };
        // This level's tasks in document order: A's entries, then what only B has.
        let mut next: Vec<Task<'n>> = Vec::new();
        match (&a.value, &b.value) {
            (NodeValue::Map(left), NodeValue::Map(right)) if depth < MAX_DIFF_DEPTH => {
                for (key, value) in left {
                    let here = join_key(&path, &key.name);
                    next.push(match right.iter().find(|(k, _)| k.name == key.name) {
                        Some((_, other)) => Task::Compare(here, value, other, depth + 1),
                        None => removed(here, value),
                    });
                }
                for (key, value) in right {
                    if !left.iter().any(|(k, _)| k.name == key.name) {
                        next.push(added(join_key(&path, &key.name), value));
                    }
                }
            }
            (NodeValue::Seq(left), NodeValue::Seq(right)) if depth < MAX_DIFF_DEPTH => {
                match (item_names(left), item_names(right)) {
                    (Some(left_names), Some(right_names)) => {
                        for (name, item) in left_names.iter().zip(left) {
                            let here = format!("{path}[{name}]");
                            next.push(match right_names.iter().position(|n| n == name).and_then(|i| right.get(i)) {
                                Some(other) => Task::Compare(here, item, other, depth + 1),
                                None => removed(here, item),
                            });
                        }
                        for (name, item) in right_names.iter().zip(right) {
                            if !left_names.contains(name) {
                                next.push(added(format!("{path}[{name}]"), item));
                            }
                        }
                    }
                    _ => {
                        for index in 0..left.len().max(right.len()) {
                            let here = format!("{path}[{index}]");
                            match (left.get(index), right.get(index)) {
                                (Some(x), Some(y)) => next.push(Task::Compare(here, x, y, depth + 1)),
                                (Some(x), None) => next.push(removed(here, x)),
                                (None, Some(y)) => next.push(added(here, y)),
                                (None, None) => {}
                            }
                        }
                    }
                }
            }
            _ => {
                if !same_value(a, b, MAX_DIFF_DEPTH) {
                    changes.push(FieldChange { path, kind: ChangeKind::Changed, a: Some(a), b: Some(b) });
                }
            }
        }
        stack.extend(next.into_iter().rev());
    }
    changes
}

/// `path.key`, or `path[key]` when the key holds characters of the path syntax.
fn join_key(path: &str, key: &str) -> String {
    if key.contains(['.', '[', ']']) || key.is_empty() {
        format!("{path}[{key}]")
    } else if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The `name` of every item, when every item is a map with a distinct string name (an empty
/// list too).
fn item_names(items: &[Node]) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let name = item.get("name").and_then(Node::as_str)?;
        // Brackets in a name would make the path ambiguous; such lists are compared by index.
        if name.contains(['[', ']']) || names.iter().any(|n| n == name) {
            return None;
        }
        names.push(name.to_string());
    }
    // An empty list has no unnamed item: it pairs with a named list on the other side.
    Some(names)
}

/// Equality of YAML values, ignoring positions (named-list order ignored, map order ignored).
fn same_value(a: &Node, b: &Node, budget: usize) -> bool {
    if budget == 0 {
        return false;
    }
    match (&a.value, &b.value) {
        (NodeValue::Map(x), NodeValue::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| y.iter().any(|(k2, v2)| k.name == k2.name && same_value(v, v2, budget - 1)))
        }
        (NodeValue::Seq(x), NodeValue::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_value(v, w, budget - 1))
        }
        (x, y) => x == y,
    }
}

/// A resource with what differs about it between A and B.
#[derive(Debug)]
pub struct ResourceDiff<'p> {
    pub id: ResourceId,
    /// Present in A only (`Removed`), B only (`Added`), or in both (`Changed`, with fields).
    pub kind: ChangeKind,
    /// Where the resource comes from when it is in one environment only.
    pub location: Option<Location>,
    pub fields: Vec<FieldDiff<'p>>,
}

/// One differing field of a resource present in both environments, with provenance.
#[derive(Debug)]
pub struct FieldDiff<'p> {
    pub change: FieldChange<'p>,
    /// The values are secret material: show only that they differ.
    pub redacted: bool,
    /// Where A's value came from.
    pub a_location: Option<Location>,
    /// Where B's value came from.
    pub b_location: Option<Location>,
}

/// Everything that differs between environments `a` and `b` of one chart.
#[derive(Debug)]
pub struct EnvDiff<'p> {
    pub chart: String,
    pub a: String,
    pub b: String,
    /// In A's resource order, then B-only resources in B's order.
    pub resources: Vec<ResourceDiff<'p>>,
}

impl EnvDiff<'_> {
    /// No resource or field differs.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }
}

/// Compares two rendered environments of `chart`.
pub fn diff_envs<'p>(sources: &Sources, chart: &'p ChartRun, a: &'p EnvRun, b: &'p EnvRun) -> EnvDiff<'p> {
    let mut resources = Vec::new();
    for left in &a.render.resources {
        match b.render.resources.iter().find(|r| r.id == left.id) {
            None => resources.push(ResourceDiff {
                id: left.id.clone(),
                kind: ChangeKind::Removed,
                location: Some(provenance::resource_location(sources, chart, a, left)),
                fields: Vec::new(),
            }),
            Some(right) => {
                let fields: Vec<FieldDiff<'p>> = diff_nodes(&left.doc, &right.doc)
                    .into_iter()
                    .map(|change| locate(sources, chart, (a, left), (b, right), change))
                    .collect();
                if !fields.is_empty() {
                    resources.push(ResourceDiff {
                        id: left.id.clone(),
                        kind: ChangeKind::Changed,
                        location: None,
                        fields,
                    });
                }
            }
        }
    }
    for right in &b.render.resources {
        if !a.render.resources.iter().any(|r| r.id == right.id) {
            resources.push(ResourceDiff {
                id: right.id.clone(),
                kind: ChangeKind::Added,
                location: Some(provenance::resource_location(sources, chart, b, right)),
                fields: Vec::new(),
            });
        }
    }
    EnvDiff { chart: chart.path.clone(), a: a.name.clone(), b: b.name.clone(), resources }
}

/// What the environment's render changes against the plain manifests it replaces
/// (`baseline:`): A is the baseline, B the render. Differences Kubernetes makes meaningless are
/// left out (see [`tolerated`]).
pub fn diff_baseline<'p>(
    sources: &Sources,
    chart: &'p ChartRun,
    env: &'p EnvRun,
    baseline: &'p BaselineManifests,
) -> EnvDiff<'p> {
    let mut resources = Vec::new();
    for left in &baseline.resources {
        match env.render.resources.iter().find(|r| r.id == left.id) {
            None => resources.push(ResourceDiff {
                id: left.id.clone(),
                kind: ChangeKind::Removed,
                location: Some(sources.locate(left.doc.file_span())),
                fields: Vec::new(),
            }),
            Some(right) => {
                // A namespace written out as the release namespace is the namespace left out.
                let implied_namespace = |change: &FieldChange| {
                    change.path == "metadata.namespace"
                        && change.a.or(change.b).and_then(Node::as_str) == left.id.namespace.as_deref()
                };
                let fields: Vec<FieldDiff<'p>> = diff_nodes(&left.doc, &right.doc)
                    .into_iter()
                    .filter(|change| !tolerated(change, baseline.ignore_helm_labels) && !implied_namespace(change))
                    .map(|change| {
                        let redacted = is_secret_field(&left.id, &change.path);
                        let a_location = change.a.map(|node| sources.locate(node.file_span()));
                        let b_location =
                            change.b.map(|_| provenance::field_location(sources, chart, env, right, &change.path));
                        FieldDiff { change, redacted, a_location, b_location }
                    })
                    .collect();
                if !fields.is_empty() {
                    resources.push(ResourceDiff {
                        id: left.id.clone(),
                        kind: ChangeKind::Changed,
                        location: None,
                        fields,
                    });
                }
            }
        }
    }
    for right in &env.render.resources {
        if !baseline.resources.iter().any(|r| r.id == right.id) {
            resources.push(ResourceDiff {
                id: right.id.clone(),
                kind: ChangeKind::Added,
                location: Some(provenance::resource_location(sources, chart, env, right)),
                fields: Vec::new(),
            });
        }
    }
    EnvDiff { chart: chart.path.clone(), a: format!("baseline {}", baseline.dir), b: env.name.clone(), resources }
}

/// Fields the cluster writes, which manifests kept from a cluster may hold.
const CLUSTER_FIELDS: &[&str] = &[
    "status",
    "metadata.creationTimestamp",
    "metadata.resourceVersion",
    "metadata.uid",
    "metadata.generation",
    "metadata.managedFields",
    "metadata.selfLink",
    "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]",
    "metadata.annotations[deployment.kubernetes.io/revision]",
];

/// Labels and annotations Helm itself adds (`baselineIgnore: [helm-labels]`).
const HELM_KEYS: &[&str] = &[
    "labels[helm.sh/chart]",
    "labels[app.kubernetes.io/managed-by]",
    "annotations[meta.helm.sh/release-name]",
    "annotations[meta.helm.sh/release-namespace]",
];

/// Differences between a baseline manifest and a render that change nothing in the cluster:
/// fields the cluster writes; an empty map, list or null against an absent field; a number
/// against a string of the same text (`8080` / `"8080"`: int-or-string fields read both
/// alike); and with `helm_labels`, Helm's own labels and annotations.
pub fn tolerated(change: &FieldChange, helm_labels: bool) -> bool {
    if CLUSTER_FIELDS.iter().any(|f| change.path == *f || change.path.starts_with(&format!("{f}."))) {
        return true;
    }
    if helm_labels && HELM_KEYS.iter().any(|k| change.path.ends_with(&format!(".{k}"))) {
        return true;
    }
    let empty = |node: &Node| match &node.value {
        NodeValue::Null => true,
        NodeValue::Map(entries) => entries.is_empty(),
        NodeValue::Seq(items) => items.is_empty(),
        _ => false,
    };
    match (change.a, change.b) {
        (Some(node), None) | (None, Some(node)) => empty(node),
        (Some(a), Some(b)) => same_number_text(a, b) || same_number_text(b, a),
        (None, None) => true,
    }
}

/// `number` is a number and `text` a string spelling the same value.
fn same_number_text(number: &Node, text: &Node) -> bool {
    let NodeValue::String(s) = &text.value else { return false };
    match &number.value {
        NodeValue::Int(i) => s.trim() == i.to_string(),
        NodeValue::Float(f) => s.trim().parse::<f64>().is_ok_and(|v| v == *f),
        _ => false,
    }
}

fn locate<'p>(
    sources: &Sources,
    chart: &ChartRun,
    (env_a, res_a): (&EnvRun, &RenderedResource),
    (env_b, res_b): (&EnvRun, &RenderedResource),
    change: FieldChange<'p>,
) -> FieldDiff<'p> {
    let redacted = is_secret_field(&res_a.id, &change.path);
    let a_location = change.a.map(|_| provenance::field_location(sources, chart, env_a, res_a, &change.path));
    let b_location = change.b.map(|_| provenance::field_location(sources, chart, env_b, res_b, &change.path));
    FieldDiff { change, redacted, a_location, b_location }
}

/// Whether the field at `path` of a resource holds secret material: anything under a Secret's
/// `data`/`stringData`, the literal value of a credential-looking env var (a whole env item
/// added or removed is shown with its value hidden by [`show_value`]).
pub fn is_secret_field(id: &ResourceId, path: &str) -> bool {
    let steps = provenance::parse_path(path);
    if id.kind == "Secret" {
        if let Some(PathStep::Field(first) | PathStep::Select(first)) = steps.first() {
            if first == "data" || first == "stringData" {
                return true;
            }
        }
    }
    // The literal `value` only: `valueFrom.secretKeyRef` names a Secret, it holds no secret.
    steps.windows(3).any(|steps| {
        matches!(steps, [PathStep::Field(list), PathStep::Select(name), PathStep::Field(field)]
            if list == "env" && field == "value" && is_credential_name(name))
    })
}

/// Whether an env var name looks like a credential: the words DG302 secret-in-env uses.
pub fn is_credential_name(name: &str) -> bool {
    crate::secrets::is_credential_env_name(name)
}

/// Whether a string is a URL carrying a password (`scheme://user:password@host`).
pub fn is_url_with_password(text: &str) -> bool {
    crate::secrets::url_with_password().is_match(text)
}

/// Longest value text shown on one line of human output.
const MAX_SHOWN_CHARS: usize = 120;

/// A node in one line of flow YAML (`{name: X, value: "1"}`), secret material redacted, cut
/// at [`MAX_SHOWN_CHARS`].
pub fn show_value(node: &Node) -> String {
    let mut out = String::new();
    write_flow(node, &mut out, 0);
    if out.chars().count() > MAX_SHOWN_CHARS {
        let cut: String = out.chars().take(MAX_SHOWN_CHARS - 3).collect();
        return format!("{cut}...");
    }
    out
}

fn write_flow(node: &Node, out: &mut String, depth: usize) {
    if depth > MAX_DIFF_DEPTH || out.len() > MAX_SHOWN_CHARS * 4 {
        out.push_str("...");
        return;
    }
    match &node.value {
        NodeValue::Null => out.push_str("null"),
        NodeValue::Bool(b) => out.push_str(&b.to_string()),
        NodeValue::Int(i) => out.push_str(&i.to_string()),
        // `1.0` rather than `1`, so a float does not look like an integer.
        NodeValue::Float(f) if f.is_finite() => out.push_str(&format!("{f:?}")),
        NodeValue::Float(f) if f.is_nan() => out.push_str(".nan"),
        NodeValue::Float(f) => out.push_str(if *f > 0.0 { ".inf" } else { "-.inf" }),
        NodeValue::String(s) if is_url_with_password(s) => out.push_str(REDACTED),
        NodeValue::String(s) => out.push_str(&quote_string(s)),
        NodeValue::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(item, out, depth + 1);
            }
            out.push(']');
        }
        NodeValue::Map(entries) => {
            // An env var entry with a credential-looking name keeps its value hidden.
            let credential = node.get("name").and_then(Node::as_str).is_some_and(is_credential_name);
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quote_string(&key.name));
                out.push_str(": ");
                if credential && key.name == "value" {
                    out.push_str(REDACTED);
                } else {
                    write_flow(value, out, depth + 1);
                }
            }
            out.push('}');
        }
    }
}

/// A string as YAML shows it unambiguously: plain when it reads back as the same string,
/// double-quoted otherwise (so `"3"` and `3` look different).
fn quote_string(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:@".contains(c))
        && !text.starts_with(['-', ':', '@', '.'])
        && !text.ends_with(':')
        && !text.contains(": ")
        && crate::yaml::parse_first_document_go_error(text).is_ok_and(|n| n.as_str() == Some(text));
    if plain { text.to_string() } else { serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}")) }
}

/// A node as JSON (`null` past the depth limit), secret material redacted.
/// A rendered value as JSON for reports, credentials in it redacted, nesting bounded.
pub fn json_value(node: &Node, depth: usize) -> serde_json::Value {
    if depth > MAX_DIFF_DEPTH {
        return serde_json::Value::Null;
    }
    match &node.value {
        NodeValue::Null => serde_json::Value::Null,
        NodeValue::Bool(b) => json!(b),
        NodeValue::Int(i) => json!(i),
        NodeValue::Float(f) => json!(f),
        NodeValue::String(s) if is_url_with_password(s) => json!(REDACTED),
        NodeValue::String(s) => json!(s),
        NodeValue::Seq(items) => serde_json::Value::Array(items.iter().map(|i| json_value(i, depth + 1)).collect()),
        NodeValue::Map(entries) => {
            let credential = node.get("name").and_then(Node::as_str).is_some_and(is_credential_name);
            let mut object = serde_json::Map::new();
            for (key, value) in entries {
                let shown =
                    if credential && key.name == "value" { json!(REDACTED) } else { json_value(value, depth + 1) };
                object.insert(key.name.clone(), shown);
            }
            serde_json::Value::Object(object)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn doc(text: &str) -> Node {
        match crate::yaml::parse_first_document(text, FileId(0)) {
            Ok(node) => node,
            Err(e) => panic!("test YAML does not parse: {e}"),
        }
    }

    /// `kind path: a -> b` per change, values in flow YAML.
    fn changes(a: &str, b: &str) -> Vec<String> {
        let (a, b) = (doc(a), doc(b));
        diff_nodes(&a, &b)
            .iter()
            .map(|c| {
                let show = |n: Option<&Node>| n.map(show_value).unwrap_or_else(|| "_".to_string());
                format!("{} {}: {} -> {}", c.kind.as_str(), c.path, show(c.a), show(c.b))
            })
            .collect()
    }

    #[test]
    fn identical_documents_differ_in_nothing_whatever_the_formatting() {
        let a = "spec:\n  replicas: 2\n  labels: {a: x, b: 'y'}\n";
        let b = "spec:\n  labels:\n    b: \"y\"\n    a: x\n  replicas: 0x2\n";
        assert_eq!(changes(a, b), Vec::<String>::new());
    }

    #[test]
    fn nested_maps_report_added_removed_and_changed_leaves() {
        let a = "spec:\n  replicas: 2\n  strategy: {type: Recreate}\n  old: 1\n";
        let b = "spec:\n  replicas: 6\n  strategy: {type: RollingUpdate}\n  new: true\n";
        assert_eq!(
            changes(a, b),
            vec![
                "changed spec.replicas: 2 -> 6",
                "changed spec.strategy.type: Recreate -> RollingUpdate",
                "removed spec.old: 1 -> _",
                "added spec.new: _ -> true",
            ]
        );
    }

    #[test]
    fn a_quoted_number_differs_from_the_number() {
        assert_eq!(changes("replicas: \"3\"\n", "replicas: 3\n"), vec!["changed replicas: \"3\" -> 3"]);
        assert_eq!(changes("flag: \"true\"\n", "flag: yes\n"), vec!["changed flag: \"true\" -> true"]);
    }

    #[test]
    fn a_type_change_is_one_change_at_the_node() {
        assert_eq!(changes("x:\n  a: 1\n", "x: [1, 2]\n"), vec!["changed x: {a: 1} -> [1, 2]"]);
    }

    #[test]
    fn named_items_are_matched_by_name_whatever_their_order() {
        let a = "containers:\n- name: web\n  env:\n  - {name: A, value: \"1\"}\n  - {name: B, value: x}\n- name: sidecar\n  image: s:1\n";
        let b = "containers:\n- name: sidecar\n  image: s:2\n- name: web\n  env:\n  - {name: C, value: z}\n  - {name: A, value: \"2\"}\n";
        assert_eq!(
            changes(a, b),
            vec![
                "changed containers[web].env[A].value: \"1\" -> \"2\"",
                "removed containers[web].env[B]: {name: B, value: x} -> _",
                "added containers[web].env[C]: _ -> {name: C, value: z}",
                "changed containers[sidecar].image: s:1 -> s:2",
            ]
        );
    }

    #[test]
    fn a_named_list_against_an_empty_one_names_its_items() {
        assert_eq!(
            changes("env: []\n", "env: [{name: A, value: x}]\n"),
            vec!["added env[A]: _ -> {name: A, value: x}"]
        );
        assert_eq!(changes("l: []\n", "l: [a]\n"), vec!["added l[0]: _ -> a"]);
    }

    #[test]
    fn numbers_show_their_type() {
        assert_eq!(changes("x: 1\n", "x: 1.0\n"), vec!["changed x: 1 -> 1.0"]);
        assert_eq!(changes("x: 0.5\n", "x: .inf\n"), vec!["changed x: 0.5 -> .inf"]);
    }

    #[test]
    fn unnamed_lists_are_compared_by_index() {
        assert_eq!(
            changes("args: [a, b, c]\n", "args: [a, x]\n"),
            vec!["changed args[1]: b -> x", "removed args[2]: c -> _"]
        );
        // One item without a name: the whole list goes by index.
        assert_eq!(changes("l: [{name: a}, {v: 1}]\n", "l: [{name: a}, {v: 2}]\n"), vec!["changed l[1].v: 1 -> 2"]);
    }

    #[test]
    fn dotted_keys_are_selected_in_brackets() {
        assert_eq!(
            changes("labels:\n  app.kubernetes.io/name: a\n", "labels:\n  app.kubernetes.io/name: b\n"),
            vec!["changed labels[app.kubernetes.io/name]: a -> b"]
        );
    }

    #[test]
    fn secret_data_and_credential_env_vars_are_secret_fields() {
        let secret = ResourceId { api_version: "v1".into(), kind: "Secret".into(), namespace: None, name: "s".into() };
        let deployment = ResourceId { kind: "Deployment".into(), ..secret.clone() };
        assert!(is_secret_field(&secret, "data[tls.crt]"));
        assert!(is_secret_field(&secret, "stringData.password"));
        assert!(!is_secret_field(&secret, "metadata.name"));
        assert!(is_secret_field(&deployment, "spec.template.spec.containers[web].env[DB_PASSWORD].value"));
        assert!(!is_secret_field(
            &deployment,
            "spec.template.spec.containers[web].env[API_TOKEN].valueFrom.secretKeyRef.name"
        ));
        assert!(!is_secret_field(&deployment, "spec.template.spec.containers[web].env[SITE_URL].value"));
        assert!(!is_secret_field(&deployment, "data.password"));
    }

    #[test]
    fn shown_values_hide_credentials_inside_added_items() {
        let node = doc("{name: DB_PASSWORD, value: hunter2}\n");
        assert_eq!(show_value(&node), "{name: DB_PASSWORD, value: <redacted>}");
        let url = doc("{name: DATABASE_URL, value: \"mysql://u:pw@db/x\"}\n");
        assert_eq!(show_value(&url), "{name: DATABASE_URL, value: <redacted>}");
        assert_eq!(json_value(&node, 0), json!({"name": "DB_PASSWORD", "value": "<redacted>"}));
    }
}
