//! The Go objects Helm puts in front of templates: `.Chart`, `.Capabilities`, `.Files`.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::chart::{Dependency, ImportValue, Metadata};
use crate::helm_version::HelmVersion;
use crate::template::funcs::ParamType;
use crate::value::{List, ListType, Map, MapRef, MapType, Object, Value};
use crate::yaml::{Node, NodeValue};

/// `.Chart`: Helm's `*chart.Metadata`, fields named as in Go.
#[derive(Debug)]
pub struct ChartObject {
    fields: Map,
}

impl ChartObject {
    /// `.Chart` of a chart rendered on its own.
    #[cfg(test)]
    pub fn new(metadata: &Metadata) -> Self {
        Self::for_chart(metadata, &metadata.name, true, &[])
    }

    /// `.Chart` of a chart in a tree: `name` is its alias when it has one; `IsRoot` tells the
    /// top chart from subcharts. `enabled` are the `Chart.yaml` dependencies that conditions and
    /// tags left on: Helm drops the others from the metadata templates see.
    pub fn for_chart(metadata: &Metadata, name: &str, is_root: bool, enabled: &[&Dependency]) -> Self {
        let mut fields = Map::new();
        fields.insert("IsRoot".into(), Value::Bool(is_root));
        let raw = &metadata.raw;
        let text = |key: &str| Value::str(string_field(raw, key));
        fields.insert("Name".into(), Value::str(name));
        fields.insert("Version".into(), Value::str(metadata.version.as_str()));
        fields.insert("AppVersion".into(), Value::str(metadata.app_version.as_str()));
        fields.insert("APIVersion".into(), Value::str(metadata.api_version.as_str()));
        fields.insert("Description".into(), Value::str(metadata.description.as_str()));
        fields.insert("KubeVersion".into(), Value::str(metadata.kube_version.as_str()));
        fields.insert("Type".into(), Value::str(metadata.chart_type.as_str()));
        fields.insert("Home".into(), text("home"));
        fields.insert("Icon".into(), text("icon"));
        fields.insert("Condition".into(), text("condition"));
        fields.insert("Tags".into(), text("tags"));
        fields.insert(
            "Deprecated".into(),
            Value::Bool(matches!(raw.get("deprecated").map(|n| &n.value), Some(NodeValue::Bool(true)))),
        );
        fields.insert("Keywords".into(), string_list(raw, "keywords"));
        fields.insert("Sources".into(), string_list(raw, "sources"));
        // Go's `map[string]string`: Sprig's map functions refuse it.
        let annotations = match raw.get("annotations").map(node_value) {
            Some(Value::Map(map)) => map.snapshot(),
            _ => Map::new(),
        };
        fields.insert("Annotations".into(), Value::Map(MapRef::typed(annotations, MapType::StringMap)));
        fields.insert("Maintainers".into(), maintainers(raw));
        let dependencies = enabled.iter().map(|d| Value::Object(Arc::new(DependencyObject::new(d)))).collect();
        fields.insert("Dependencies".into(), Value::list(dependencies));
        ChartObject { fields }
    }

    /// `.Chart` as `helm` hands it to templates. Helm 3: the `chart.Metadata` struct (with
    /// `IsRoot`). Helm 4: a `map[string]interface {}` of the same fields under their Go names,
    /// maintainers and dependencies as maps too, so a missing (say lower-case) key is no value
    /// rather than an error, and printing or encoding shows every field.
    pub fn for_helm(self, helm: HelmVersion) -> Value {
        if !helm.is_v4() {
            return Value::Object(Arc::new(self));
        }
        let as_maps = |value: Option<&Value>, fields: &[&str]| -> Value {
            let items = match value {
                Some(Value::List(items)) => items.iter().map(|item| object_as_map(item, fields)).collect(),
                _ => Vec::new(),
            };
            Value::list(items)
        };
        let mut map = self.fields.clone();
        map.insert("Maintainers".into(), as_maps(self.fields.get("Maintainers"), &["Name", "Email", "URL"]));
        let dependency_fields: Vec<&str> = DependencyObject::FIELDS.iter().map(|(field, _)| *field).collect();
        map.insert("Dependencies".into(), as_maps(self.fields.get("Dependencies"), &dependency_fields));
        Value::map(map)
    }
}

/// A struct object's `fields` as a plain map.
fn object_as_map(item: &Value, fields: &[&str]) -> Value {
    let Value::Object(object) = item else { return item.clone() };
    let mut map = Map::new();
    for field in fields {
        map.insert((*field).into(), object.field(field).unwrap_or_default());
    }
    Value::map(map)
}

impl Object for ChartObject {
    fn type_name(&self) -> &str {
        // Helm hands templates the metadata embedded in a struct with `IsRoot`.
        "struct { chart.Metadata; IsRoot bool }"
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields.get(name).cloned()
    }
    fn format_v(&self) -> String {
        let mut out = String::from("{{");
        let order = [
            "Name",
            "Home",
            "Sources",
            "Version",
            "Description",
            "Keywords",
            "Maintainers",
            "Icon",
            "APIVersion",
            "Condition",
            "Tags",
            "AppVersion",
            "Deprecated",
            "Annotations",
            "KubeVersion",
            "Dependencies",
            "Type",
        ];
        for (i, key) in order.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if let Some(v) = self.fields.get(*key) {
                crate::value::write_v(&mut out, v);
            }
        }
        out.push_str("} ");
        let is_root = matches!(self.fields.get("IsRoot"), Some(Value::Bool(true)));
        out.push_str(if is_root { "true" } else { "false" });
        out.push('}');
        out
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        // chart.Metadata's JSON names; all but `name`, `version` and `apiVersion` are omitempty.
        const FIELDS: [(&str, &str, bool); 17] = [
            ("Name", "name", false),
            ("Home", "home", true),
            ("Sources", "sources", true),
            ("Version", "version", false),
            ("Description", "description", true),
            ("Keywords", "keywords", true),
            ("Maintainers", "maintainers", true),
            ("Icon", "icon", true),
            ("APIVersion", "apiVersion", false),
            ("Condition", "condition", true),
            ("Tags", "tags", true),
            ("AppVersion", "appVersion", true),
            ("Deprecated", "deprecated", true),
            ("Annotations", "annotations", true),
            ("KubeVersion", "kubeVersion", true),
            ("Dependencies", "dependencies", true),
            ("Type", "type", true),
        ];
        let mut out = Vec::new();
        for (field, json, omit_empty) in FIELDS {
            let value = self.fields.get(field).cloned().unwrap_or_default();
            if !omit_empty || value.is_truthy() {
                out.push((json.to_string(), value));
            }
        }
        out.push(("IsRoot".to_string(), self.fields.get("IsRoot").cloned().unwrap_or_default()));
        Some(out)
    }
}

/// `.Chart.Maintainers`: Go `[]*chart.Maintainer`, whose members are `.Name`, `.Email`, `.URL`.
/// One entry of `.Chart.Dependencies`: Helm's `*chart.Dependency` after it processed the
/// dependencies (the alias replaces the name, `Enabled` is true, `import-values` entries are
/// `child`/`parent` pairs).
#[derive(Debug)]
struct DependencyObject {
    fields: Map,
}

impl DependencyObject {
    /// Fields in Go's order, with their JSON names; all but the first three are omitempty.
    const FIELDS: [(&'static str, &'static str); 8] = [
        ("Name", "name"),
        ("Version", "version"),
        ("Repository", "repository"),
        ("Condition", "condition"),
        ("Tags", "tags"),
        ("Enabled", "enabled"),
        ("ImportValues", "import-values"),
        ("Alias", "alias"),
    ];

    fn new(dependency: &Dependency) -> Self {
        let imports = dependency
            .import_values
            .iter()
            .map(|import| {
                let (child, parent) = match import {
                    ImportValue::Export(name) => (format!("exports.{name}"), ".".to_string()),
                    ImportValue::Map { child, parent } => (child.clone(), parent.clone()),
                };
                let mut pair = Map::new();
                pair.insert("child".into(), Value::str(child));
                pair.insert("parent".into(), Value::str(parent));
                Value::Map(MapRef::typed(pair, MapType::StringMap))
            })
            .collect();
        let mut fields = Map::new();
        fields.insert("Name".into(), Value::str(dependency.effective_name()));
        fields.insert("Version".into(), Value::str(dependency.version.as_str()));
        fields.insert("Repository".into(), Value::str(dependency.repository.as_str()));
        fields.insert("Condition".into(), Value::str(dependency.condition.as_str()));
        fields.insert("Tags".into(), Value::list(dependency.tags.iter().map(|t| Value::str(t.as_str())).collect()));
        fields.insert("Enabled".into(), Value::Bool(true));
        fields.insert("ImportValues".into(), Value::list(imports));
        fields.insert("Alias".into(), Value::str(dependency.alias.as_deref().unwrap_or_default()));
        DependencyObject { fields }
    }
}

impl Object for DependencyObject {
    fn type_name(&self) -> &str {
        "*chart.Dependency"
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields.get(name).cloned()
    }
    fn format_v(&self) -> String {
        // fmt prints a pointer to a struct as `&{...}` (inside a slice Go prints an address).
        format!("&{}", self.format_action())
    }
    fn format_action(&self) -> String {
        // text/template prints what a pointer points to.
        let parts: Vec<String> = Self::FIELDS
            .iter()
            .map(|(field, _)| self.fields.get(*field).map(Value::format_v).unwrap_or_default())
            .collect();
        format!("{{{}}}", parts.join(" "))
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        let fields = Self::FIELDS.iter().enumerate().filter_map(|(i, (field, json))| {
            let value = self.fields.get(*field).cloned().unwrap_or_default();
            (i < 3 || value.is_truthy()).then(|| (json.to_string(), value))
        });
        Some(fields.collect())
    }
}

fn maintainers(raw: &Node) -> Value {
    let Some(NodeValue::Seq(items)) = raw.get("maintainers").map(|n| &n.value) else {
        return Value::list(Vec::new());
    };
    let people = items
        .iter()
        .map(|item| {
            let mut fields = Map::new();
            for (field, key) in [("Name", "name"), ("Email", "email"), ("URL", "url")] {
                fields.insert(field.into(), Value::str(string_field(item, key)));
            }
            Value::Object(Arc::new(Maintainer { fields }))
        })
        .collect();
    Value::list(people)
}

/// One entry of `.Chart.Maintainers`.
#[derive(Debug)]
struct Maintainer {
    fields: Map,
}

impl Object for Maintainer {
    fn type_name(&self) -> &str {
        "*chart.Maintainer"
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields.get(name).cloned()
    }
    fn format_v(&self) -> String {
        // fmt prints a pointer to a struct as `&{...}`.
        format!("&{}", self.format_action())
    }
    fn format_action(&self) -> String {
        let text = |k: &str| self.fields.get(k).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        // text/template prints what a pointer points to.
        format!("{{{} {} {}}}", text("Name"), text("Email"), text("URL"))
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        // chart.Maintainer: every field omitempty.
        let fields = [("Name", "name"), ("Email", "email"), ("URL", "url")];
        Some(
            fields
                .iter()
                .filter_map(|(field, json)| {
                    let value = self.fields.get(*field).cloned().unwrap_or_default();
                    value.is_truthy().then(|| (json.to_string(), value))
                })
                .collect(),
        )
    }
}

fn string_field(node: &Node, key: &str) -> String {
    node.get(key).and_then(Node::as_str).unwrap_or_default().to_string()
}

fn string_list(node: &Node, key: &str) -> Value {
    match node.get(key).map(|n| &n.value) {
        Some(NodeValue::Seq(items)) => Value::list(items.iter().map(node_value).collect()),
        _ => Value::list(Vec::new()),
    }
}

/// A YAML node as a template value (numbers as float64, like Helm's JSON round trip).
fn node_value(node: &Node) -> Value {
    crate::values::to_template_value(node)
}

/// `.Capabilities`.
#[derive(Debug)]
pub struct Capabilities {
    kube: Value,
    api_versions: Value,
    helm: Value,
    helm_version: HelmVersion,
}

impl Capabilities {
    /// Capabilities of a cluster of Kubernetes `kube_version` (e.g. `1.33`), as `helm template
    /// --kube-version` reports them.
    /// `helm` decides the Go type names (`chartutil.*` in Helm 3, `common.*` in Helm 4), how the
    /// kube version is kept and `.Capabilities.HelmVersion`.
    pub fn new(kube_version: &str, helm: HelmVersion) -> Self {
        let kube = KubeVersion::parse_for(kube_version, helm);
        Capabilities {
            kube: Value::Object(Arc::new(kube)),
            api_versions: ApiVersions::default_set(helm),
            helm: Value::Object(Arc::new(BuildInfo(helm))),
            helm_version: helm,
        }
    }

    fn fields(&self) -> String {
        format!("{{{} {} {}}}", self.kube.format_v(), self.api_versions.format_v(), self.helm.format_v())
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        match self.helm_version {
            HelmVersion::V3 => "*chartutil.Capabilities",
            HelmVersion::V4 => "*common.Capabilities",
        }
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(self.kube.clone()),
            "APIVersions" => Some(self.api_versions.clone()),
            "HelmVersion" => Some(self.helm.clone()),
            _ => None,
        }
    }
    fn format_v(&self) -> String {
        format!("&{}", self.fields())
    }
    fn format_action(&self) -> String {
        // text/template prints what the pointer points to.
        self.fields()
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(vec![
            ("KubeVersion".into(), self.kube.clone()),
            ("APIVersions".into(), self.api_versions.clone()),
            ("HelmVersion".into(), self.helm.clone()),
        ])
    }
}

/// `.Capabilities.HelmVersion`, Helm's `version.BuildInfo` of v3.17.2 or v4.1.4.
#[derive(Debug)]
pub struct BuildInfo(HelmVersion);

impl BuildInfo {
    /// Go field name, JSON name, value.
    const FIELDS: [(&'static str, &'static str, &'static str); 4] = [
        ("Version", "version", "v3.17.2"),
        ("GitCommit", "git_commit", "cc0bbbd6d6276b83880042c1ecb34087e84d41eb"),
        ("GitTreeState", "git_tree_state", "clean"),
        ("GoVersion", "go_version", "go1.23.7"),
    ];
    /// Helm v4.1.4's, which adds the Kubernetes client version.
    const FIELDS_4: [(&'static str, &'static str, &'static str); 5] = [
        ("Version", "version", "v4.1.4"),
        ("GitCommit", "git_commit", "05fa37973dc9e42b76e1d2883494c87174b6074f"),
        ("GitTreeState", "git_tree_state", "clean"),
        ("GoVersion", "go_version", "go1.25.9"),
        ("KubeClientVersion", "kube_client_version", "v1.35"),
    ];

    fn fields(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self.0 {
            HelmVersion::V3 => &Self::FIELDS,
            HelmVersion::V4 => &Self::FIELDS_4,
        }
    }
}

impl Object for BuildInfo {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields().iter().find(|(field, _, _)| *field == name).map(|(_, _, v)| Value::str(*v))
    }
    fn format_v(&self) -> String {
        let values: Vec<&str> = self.fields().iter().map(|(_, _, v)| *v).collect();
        format!("{{{}}}", values.join(" "))
    }
    fn go_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(self.fields().iter().map(|(field, _, v)| (*field, Value::str(*v))).collect())
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(self.fields().iter().map(|(_, json, v)| (json.to_string(), Value::str(*v))).collect())
    }
}

/// `.Capabilities.KubeVersion`; prints as its `Version`.
#[derive(Debug)]
pub struct KubeVersion {
    version: String,
    major: String,
    minor: String,
    /// Helm 4's unexported `normalizedVersion` (the version without pre-release and build
    /// parts), which `%v` prints; `None` in Helm 3, whose struct has no such field.
    normalized: Option<String>,
}

impl KubeVersion {
    /// `1.33` or `v1.33.2` -> `v1.33.0` / `v1.33.2`.
    pub fn parse(text: &str) -> Self {
        Self::parse_for(text, HelmVersion::V3)
    }

    /// Helm 3 completes `1.33` to `v1.33.0`; Helm 4 keeps what was given (`v1.33`) and adds
    /// the normalized version.
    pub fn parse_for(text: &str, helm: HelmVersion) -> Self {
        let trimmed = text.trim().trim_start_matches('v');
        let mut parts = trimmed.splitn(3, '.');
        let major = parts.next().unwrap_or("1").to_string();
        let minor = parts.next().unwrap_or("0").to_string();
        let patch = parts.next().unwrap_or("0").to_string();
        if helm.is_v4() {
            let version = format!("v{trimmed}");
            let normalized = version.split(['-', '+']).next().unwrap_or_default().to_string();
            let minor = minor.split(['-', '+']).next().unwrap_or_default().to_string();
            return KubeVersion { version, major, minor, normalized: Some(normalized) };
        }
        KubeVersion { version: format!("v{major}.{minor}.{patch}"), major, minor, normalized: None }
    }
}

impl KubeVersion {
    /// `v1.33.0`.
    pub fn version(&self) -> &str {
        &self.version
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        if self.normalized.is_some() { "common.KubeVersion" } else { "chartutil.KubeVersion" }
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" | "GitVersion" | "String" => Some(Value::str(self.version.as_str())),
            "Major" => Some(Value::str(self.major.as_str())),
            "Minor" => Some(Value::str(self.minor.as_str())),
            _ => None,
        }
    }
    fn format_v(&self) -> String {
        // `String()` has a pointer receiver, so `fmt` (printf, print, toString) dumps the struct.
        match &self.normalized {
            Some(normalized) => format!("{{{} {normalized} {} {}}}", self.version, self.major, self.minor),
            None => format!("{{{} {} {}}}", self.version, self.major, self.minor),
        }
    }
    fn format_action(&self) -> String {
        self.version.clone()
    }
    fn go_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        let mut fields = vec![("Version", Value::str(self.version.as_str()))];
        if let Some(normalized) = &self.normalized {
            fields.push(("normalizedVersion", Value::str(normalized.as_str())));
        }
        fields.push(("Major", Value::str(self.major.as_str())));
        fields.push(("Minor", Value::str(self.minor.as_str())));
        Some(fields)
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        // The unexported field is not encoded.
        Some(vec![
            ("Version".into(), Value::str(self.version.as_str())),
            ("Major".into(), Value::str(self.major.as_str())),
            ("Minor".into(), Value::str(self.minor.as_str())),
        ])
    }
}

/// `.Capabilities.APIVersions`: the group/versions a chart may ask about with `Has`, a Go
/// `chartutil.VersionSet` (a named `[]string`: `len`, `range`, `has` see its strings).
pub struct ApiVersions;

impl ApiVersions {
    /// The built-in set `helm template` uses when it does not talk to a cluster.
    pub fn default_set(helm: HelmVersion) -> Value {
        // What helm v3.17.2 reports without a cluster (client-go's scheme), in its order.
        const DEFAULT: &[&str] = &[
            "v1",
            "admissionregistration.k8s.io/v1",
            "admissionregistration.k8s.io/v1alpha1",
            "admissionregistration.k8s.io/v1beta1",
            "internal.apiserver.k8s.io/v1alpha1",
            "apps/v1",
            "apps/v1beta1",
            "apps/v1beta2",
            "authentication.k8s.io/v1",
            "authentication.k8s.io/v1alpha1",
            "authentication.k8s.io/v1beta1",
            "authorization.k8s.io/v1",
            "authorization.k8s.io/v1beta1",
            "autoscaling/v1",
            "autoscaling/v2",
            "autoscaling/v2beta1",
            "autoscaling/v2beta2",
            "batch/v1",
            "batch/v1beta1",
            "certificates.k8s.io/v1",
            "certificates.k8s.io/v1beta1",
            "certificates.k8s.io/v1alpha1",
            "coordination.k8s.io/v1alpha2",
            "coordination.k8s.io/v1beta1",
            "coordination.k8s.io/v1",
            "discovery.k8s.io/v1",
            "discovery.k8s.io/v1beta1",
            "events.k8s.io/v1",
            "events.k8s.io/v1beta1",
            "extensions/v1beta1",
            "flowcontrol.apiserver.k8s.io/v1",
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "flowcontrol.apiserver.k8s.io/v1beta2",
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "networking.k8s.io/v1",
            "networking.k8s.io/v1alpha1",
            "networking.k8s.io/v1beta1",
            "node.k8s.io/v1",
            "node.k8s.io/v1alpha1",
            "node.k8s.io/v1beta1",
            "policy/v1",
            "policy/v1beta1",
            "rbac.authorization.k8s.io/v1",
            "rbac.authorization.k8s.io/v1beta1",
            "rbac.authorization.k8s.io/v1alpha1",
            "resource.k8s.io/v1beta1",
            "resource.k8s.io/v1alpha3",
            "scheduling.k8s.io/v1alpha1",
            "scheduling.k8s.io/v1beta1",
            "scheduling.k8s.io/v1",
            "storage.k8s.io/v1beta1",
            "storage.k8s.io/v1",
            "storage.k8s.io/v1alpha1",
            "storagemigration.k8s.io/v1alpha1",
            "apiextensions.k8s.io/v1beta1",
            "apiextensions.k8s.io/v1",
        ];
        // What helm v4.1.4 reports without a cluster, in its order.
        const DEFAULT_4: &[&str] = &[
            "v1",
            "admissionregistration.k8s.io/v1",
            "admissionregistration.k8s.io/v1alpha1",
            "admissionregistration.k8s.io/v1beta1",
            "internal.apiserver.k8s.io/v1alpha1",
            "apps/v1",
            "apps/v1beta1",
            "apps/v1beta2",
            "authentication.k8s.io/v1",
            "authentication.k8s.io/v1alpha1",
            "authentication.k8s.io/v1beta1",
            "authorization.k8s.io/v1",
            "authorization.k8s.io/v1beta1",
            "autoscaling/v1",
            "autoscaling/v2",
            "autoscaling/v2beta1",
            "autoscaling/v2beta2",
            "batch/v1",
            "batch/v1beta1",
            "certificates.k8s.io/v1",
            "certificates.k8s.io/v1beta1",
            "certificates.k8s.io/v1alpha1",
            "coordination.k8s.io/v1alpha2",
            "coordination.k8s.io/v1beta1",
            "coordination.k8s.io/v1",
            "discovery.k8s.io/v1",
            "discovery.k8s.io/v1beta1",
            "events.k8s.io/v1",
            "events.k8s.io/v1beta1",
            "extensions/v1beta1",
            "flowcontrol.apiserver.k8s.io/v1",
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "flowcontrol.apiserver.k8s.io/v1beta2",
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "networking.k8s.io/v1",
            "networking.k8s.io/v1beta1",
            "node.k8s.io/v1",
            "node.k8s.io/v1alpha1",
            "node.k8s.io/v1beta1",
            "policy/v1",
            "policy/v1beta1",
            "rbac.authorization.k8s.io/v1",
            "rbac.authorization.k8s.io/v1beta1",
            "rbac.authorization.k8s.io/v1alpha1",
            "resource.k8s.io/v1",
            "resource.k8s.io/v1beta2",
            "resource.k8s.io/v1beta1",
            "resource.k8s.io/v1alpha3",
            "scheduling.k8s.io/v1alpha1",
            "scheduling.k8s.io/v1beta1",
            "scheduling.k8s.io/v1",
            "storage.k8s.io/v1beta1",
            "storage.k8s.io/v1",
            "storage.k8s.io/v1alpha1",
            "storagemigration.k8s.io/v1beta1",
            "apiextensions.k8s.io/v1beta1",
            "apiextensions.k8s.io/v1",
        ];
        let set = if helm.is_v4() { DEFAULT_4 } else { DEFAULT };
        Value::List(List::typed(set.iter().map(|s| Value::str(*s)).collect(), ListType::VersionSet(helm)))
    }
}

/// `.Files`: the chart's non-template files.
#[derive(Debug)]
pub struct Files {
    files: Vec<(String, Arc<[u8]>)>,
}

impl Files {
    pub fn new(files: Vec<(String, Arc<[u8]>)>) -> Self {
        Files { files }
    }

    fn get(&self, name: &str) -> Option<&Arc<[u8]>> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, b)| b)
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn method_signature(&self, name: &str) -> Option<(&'static [ParamType], bool)> {
        match name {
            "Get" | "GetBytes" | "Lines" | "Glob" => Some((&[ParamType::String][..], false)),
            "AsConfig" | "AsSecrets" => Some((&[][..], false)),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let arg = match args {
            [Value::String(s)] => s.to_string(),
            _ => String::new(),
        };
        self.method(name, &arg).transpose()
    }
    fn map_entries(&self) -> Option<Map> {
        Some(self.files.iter().map(|(name, bytes)| (name.clone(), Value::Bytes(bytes.clone()))).collect())
    }
    fn format_v(&self) -> String {
        self.format_files()
    }
}

impl Files {
    /// A method of `.Files` with its string argument; `Ok(None)` when there is no such method.
    fn method(&self, name: &str, arg: &str) -> Result<Option<Value>, String> {
        // Go strings may hold any bytes: a binary file is a [`Value::BinaryString`].
        let value = match name {
            "Get" => match self.get(arg) {
                Some(bytes) => Value::go_string(bytes.to_vec()),
                None => Value::str(""),
            },
            "GetBytes" => Value::Bytes(self.get(arg).cloned().unwrap_or_else(|| Arc::from(Vec::new()))),
            "Lines" => match self.get(arg) {
                Some(bytes) if !bytes.is_empty() => {
                    let content = bytes.strip_suffix(b"\n").unwrap_or(bytes);
                    Value::list(content.split(|b| *b == b'\n').map(|line| Value::go_string(line.to_vec())).collect())
                }
                _ => Value::list(Vec::new()),
            },
            "Glob" => {
                let matched = self.files.iter().filter(|(n, _)| glob_match(arg, n)).cloned().collect();
                Value::Object(Arc::new(Files::new(matched)))
            }
            // A ConfigMap's `data` / a Secret's `data`: file base names to contents (base64 for secrets).
            "AsConfig" | "AsSecrets" => {
                let mut map = Map::new();
                for (path, bytes) in &self.files {
                    let base = path.rsplit('/').next().unwrap_or(path);
                    let content = if name == "AsConfig" {
                        Value::go_string(bytes.to_vec())
                    } else {
                        Value::str(BASE64.encode(bytes))
                    };
                    map.insert(base.to_string(), content);
                }
                match crate::yaml::marshal_yaml(&Value::map(map)) {
                    Ok(yaml) => Value::str(yaml.strip_suffix('\n').unwrap_or(&yaml)),
                    Err(_) => Value::str(""),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(value))
    }

    fn format_files(&self) -> String {
        let mut out = String::from("map[");
        for (i, (name, bytes)) in self.files.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(name);
            out.push(':');
            crate::value::write_v(&mut out, &Value::Bytes(bytes.clone()));
        }
        out.push(']');
        out
    }
}

/// Glob matching with `/` as separator: `*` and `?` stay within a path segment, `**` crosses
/// segments, `[...]` classes, `{a,b}` alternatives.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') if p.get(1) == Some(&'*') => (0..=n.len()).any(|i| go(&p[2..], &n[i..])),
            Some('*') => {
                for i in 0..=n.len() {
                    if go(&p[1..], &n[i..]) {
                        return true;
                    }
                    if n.get(i) == Some(&'/') {
                        break;
                    }
                }
                false
            }
            Some('?') => n.first().is_some_and(|c| *c != '/') && go(&p[1..], &n[1..]),
            Some('{') => {
                let Some(close) = p.iter().position(|c| *c == '}') else { return false };
                let rest = &p[close + 1..];
                p[1..close].split(|c| *c == ',').any(|alt| {
                    let mut candidate: Vec<char> = alt.to_vec();
                    candidate.extend_from_slice(rest);
                    go(&candidate, n)
                })
            }
            Some('[') => {
                let Some(close) = p.iter().position(|c| *c == ']') else { return false };
                let Some(c) = n.first() else { return false };
                let class = &p[1..close];
                let (negate, class) = match class.first() {
                    Some('!') | Some('^') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= *c && *c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == *c;
                        i += 1;
                    }
                }
                hit != negate && go(&p[close + 1..], &n[1..])
            }
            Some(ch) => n.first() == Some(ch) && go(&p[1..], &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_helm_files() {
        assert!(glob_match("files/*.conf", "files/a.conf"));
        assert!(!glob_match("files/*.conf", "files/sub/a.conf"));
        assert!(glob_match("files/**.conf", "files/sub/a.conf"));
        assert!(glob_match("config/{a,b}.yaml", "config/b.yaml"));
        assert!(glob_match("f[0-9].txt", "f7.txt"));
    }

    #[test]
    fn files_methods_behave_like_helm() {
        let files = Files::new(vec![
            ("config/a.conf".to_string(), Arc::from(&b"x=1\ny=2\n"[..])),
            ("config/b.conf".to_string(), Arc::from(&b"z"[..])),
            ("README.md".to_string(), Arc::from(&b"hi"[..])),
        ]);
        let call = |name: &str, args: &[Value]| files.call_method(name, args).unwrap().unwrap();
        assert_eq!(call("Get", &[Value::str("config/b.conf")]).format_v(), "z");
        assert_eq!(call("Get", &[Value::str("missing")]).format_v(), "");
        assert_eq!(call("Lines", &[Value::str("config/a.conf")]).format_v(), "[x=1 y=2]");
        let Value::Object(glob) = call("Glob", &[Value::str("config/*")]) else { panic!("Glob returns Files") };
        let config = glob.call_method("AsConfig", &[]).unwrap().unwrap();
        assert_eq!(config.format_v(), "a.conf: |\n  x=1\n  y=2\nb.conf: z");
        let secrets = glob.call_method("AsSecrets", &[]).unwrap().unwrap();
        assert_eq!(secrets.format_v(), "a.conf: eD0xCnk9Mgo=\nb.conf: eg==");
    }

    #[test]
    fn binary_files_keep_their_bytes() {
        let files = Files::new(vec![("logo.png".to_string(), Arc::from(&[0x89u8, b'P', b'N', b'G', 0xff][..]))]);
        let got = files.call_method("Get", &[Value::str("logo.png")]).unwrap().unwrap();
        assert!(matches!(&got, Value::BinaryString(b) if b[..] == [0x89u8, b'P', b'N', b'G', 0xff]), "{got:?}");
        let secrets = files.call_method("AsSecrets", &[]).unwrap().unwrap();
        assert_eq!(secrets.format_v(), "logo.png: iVBOR/8=");
    }

    #[test]
    fn kube_version_is_normalised() {
        let v = KubeVersion::parse("1.33");
        assert_eq!(v.format_action(), "v1.33.0");
        assert_eq!(v.format_v(), "{v1.33.0 1 33}");
        assert_eq!(v.field("Minor").unwrap().format_v(), "33");
    }
}

#[cfg(test)]
mod through_engine {
    use super::*;
    use crate::source::FileId;
    use crate::template::Templates;

    fn render(text: &str) -> String {
        let metadata = Metadata {
            name: "c1".into(),
            version: "0.1.0".into(),
            version_span: None,
            app_version: String::new(),
            api_version: "v2".into(),
            description: String::new(),
            kube_version: String::new(),
            chart_type: String::new(),
            raw: crate::values::load_values("annotations:\n  a: b\n", FileId(0)).unwrap(),
        };
        let files = Files::new(vec![
            ("bin.dat".to_string(), Arc::from(&b"\x00\xff\xc3\xa9abc"[..])),
            ("text.dat".to_string(), Arc::from("hé".as_bytes())),
        ]);
        let mut data = Map::new();
        data.insert("Files".into(), Value::Object(Arc::new(files)));
        data.insert("Chart".into(), Value::Object(Arc::new(ChartObject::new(&metadata))));
        let mut set = Templates::new();
        set.add("c1/templates/u.yaml", text, FileId(1)).unwrap();
        match set.execute("c1/templates/u.yaml", &Value::map(data)) {
            Ok(out) => out.text,
            Err(e) => format!("Error: {}", e.message),
        }
    }

    /// `[]byte` is not a `string` to Go's function calls: `b64enc`/`sha256sum` refuse it, and
    /// `toString`/`printf "%s"`/`.Files.Get` convert it first (helm v3.17.2 outputs).
    #[test]
    fn file_bytes_convert_to_strings_as_in_helm() {
        let cases = [
            (
                r#"x: {{ .Files.GetBytes "bin.dat" | b64enc }}"#,
                r#"Error: template: c1/templates/u.yaml:1:34: executing "c1/templates/u.yaml" at <b64enc>: wrong type for value; expected string; got []uint8"#,
            ),
            (
                r#"x: {{ .Files.GetBytes "bin.dat" | sha256sum }}"#,
                r#"Error: template: c1/templates/u.yaml:1:34: executing "c1/templates/u.yaml" at <sha256sum>: wrong type for value; expected string; got []uint8"#,
            ),
            (
                r#"x: {{ .Files.GetBytes "text.dat" | toString | b64enc }} {{ .Files.GetBytes "text.dat" | toString | sha256sum }} {{ .Files.GetBytes "bin.dat" | len }} {{ printf "%s" (.Files.GetBytes "text.dat") }} {{ .Files.Get "text.dat" | b64enc }}"#,
                "x: aMOp 7dfbe0eab96510b11c9a2671d83019cd52953211294db5f917ffa0b7cc84f534 7 hé aMOp",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(render(text), want, "{text}");
        }
    }

    /// `.Chart.Annotations` is a Go `map[string]string`: readable like any map, refused by
    /// Sprig's map functions (helm v3.17.2 outputs).
    #[test]
    fn chart_annotations_are_a_string_map() {
        let cases = [
            (
                r#"x: {{ $_ := set .Chart.Annotations "c" "d" }}"#,
                r#"Error: template: c1/templates/u.yaml:1:22: executing "c1/templates/u.yaml" at <.Chart.Annotations>: wrong type for value; expected map[string]interface {}; got map[string]string"#,
            ),
            (
                r#"x: {{ merge (dict) .Chart.Annotations }}"#,
                r#"Error: template: c1/templates/u.yaml:1:25: executing "c1/templates/u.yaml" at <.Chart.Annotations>: wrong type for value; expected map[string]interface {}; got map[string]string"#,
            ),
            (
                r#"x: {{ typeOf .Chart.Annotations }} {{ .Chart.Annotations }} {{ kindOf .Chart.Annotations }} {{ .Chart.Annotations.a }} {{ index .Chart.Annotations "a" }} {{ len .Chart.Annotations }} {{ range $k, $v := .Chart.Annotations }}{{ $k }}={{ $v }}{{ end }} {{ toJson .Chart.Annotations }} {{ deepCopy .Chart.Annotations | typeOf }}"#,
                r#"x: map[string]string map[a:b] map b b 1 a=b {"a":"b"} map[string]string"#,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(render(text), want, "{text}");
        }
    }
}
