//! Kubernetes resource schemas: the bundled definitions of every supported minor version, and
//! validation of a resource against the definition of its apiVersion and kind.
//!
//! The data is `schemas/kubernetes/definitions.json.zst`, built from the strict schemas of the
//! PyPI package kubernetes-validate by `scripts/update-k8s-schemas.sh`: every distinct definition
//! stored once, and per version a table from definition name to definition. It is embedded in
//! the binary, so checking needs no network and no files next to the tool; a version is decoded
//! on first use. Nothing here knows about rules or locations; DG101 turns [`Violation`]s into
//! diagnostics.
//!
//! Validation walks the definitions directly instead of compiling them with the `jsonschema`
//! crate: the Kubernetes schemas use seven keywords, and compiling a validator per kind cost
//! several milliseconds each on the first check of a process (a pre-commit run pays that every
//! time), while walking costs nothing up front. A test checks that both give the same results.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The compressed schema bundle.
static BUNDLE_BYTES: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/kubernetes/definitions.json.zst"));

/// Decompressed bundles beyond this size are refused (the real one is under 1 MiB).
const MAX_BUNDLE_BYTES: u64 = 64 << 20;

/// Schema nesting (and `$ref`s) followed this deep; instances are bounded by the caller.
const MAX_SCHEMA_DEPTH: usize = 512;

/// The definition name of every object's `metadata`.
const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// A Kubernetes `major.minor` version.
pub type KubeVersion = (u32, u32);

/// Parses `1.33`, `v1.33.2`, `1.33+` (EKS style) into `(1, 33)`.
pub fn parse_kube_version(text: &str) -> Option<KubeVersion> {
    let text = text.trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    let mut parts = text.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor_text = parts.next()?;
    let digits: String = minor_text.chars().take_while(char::is_ascii_digit).collect();
    let minor: u32 = digits.parse().ok()?;
    Some((major, minor))
}

/// Formats a version as `1.33`.
pub fn version_text(version: KubeVersion) -> String {
    format!("{}.{}", version.0, version.1)
}

/// The first line of the bundle: names once, per version a flat list of
/// `[name index, definition index, ...]` pairs, and the kinds each definition name is the schema of.
#[derive(Deserialize)]
struct BundleIndex {
    source: String,
    names: Vec<String>,
    versions: BTreeMap<String, Vec<usize>>,
    kinds: BTreeMap<String, Vec<(usize, String, String)>>,
}

/// The decoded bundle: definitions are parsed on first use (a check touches a few of them).
struct Bundle {
    source: String,
    names: Vec<String>,
    /// The decompressed text; definition `i` is line `i + 1`.
    text: String,
    lines: Vec<std::ops::Range<usize>>,
    parsed: Vec<OnceLock<Value>>,
    /// Per version, `(name index, apiVersion, kind)` of every definition that is a kind's schema.
    kinds: BTreeMap<KubeVersion, Vec<(usize, String, String)>>,
    tables: BTreeMap<KubeVersion, Vec<(usize, usize)>>,
    sets: BTreeMap<KubeVersion, OnceLock<KubeSchemas>>,
}

impl Bundle {
    /// Definition `index`, parsed on first use. A line that is not JSON (a damaged bundle,
    /// which tests rule out) reads as `false`: nothing validates against it.
    fn def(&self, index: usize) -> &Value {
        static REJECT_ALL: Value = Value::Bool(false);
        let (Some(cell), Some(range)) = (self.parsed.get(index), self.lines.get(index)) else { return &REJECT_ALL };
        cell.get_or_init(|| {
            self.text.get(range.clone()).and_then(|line| serde_json::from_str(line).ok()).unwrap_or(Value::Bool(false))
        })
    }
}

fn bundle() -> Result<&'static Bundle, &'static str> {
    static BUNDLE: OnceLock<Result<Bundle, String>> = OnceLock::new();
    BUNDLE.get_or_init(|| decode_bundle(BUNDLE_BYTES)).as_ref().map_err(String::as_str)
}

fn decode_bundle(compressed: &[u8]) -> Result<Bundle, String> {
    let damaged = |err: &dyn std::fmt::Display| format!("bundled Kubernetes schemas are damaged: {err}");
    let mut reader = compressed;
    let decoder = ruzstd::decoding::StreamingDecoder::new(&mut reader).map_err(|err| damaged(&err))?;
    let mut text = String::new();
    decoder.take(MAX_BUNDLE_BYTES).read_to_string(&mut text).map_err(|err| damaged(&err))?;
    let mut lines = Vec::new();
    let mut start = 0;
    for (offset, byte) in text.bytes().enumerate() {
        if byte == b'\n' {
            lines.push(start..offset);
            start = offset + 1;
        }
    }
    if start < text.len() {
        lines.push(start..text.len());
    }
    if lines.is_empty() {
        return Err(damaged(&"empty"));
    }
    let header = lines.remove(0);
    let index: BundleIndex = serde_json::from_str(&text[header]).map_err(|err| damaged(&err))?;
    let mut tables = BTreeMap::new();
    for (version, flat) in index.versions {
        let version = parse_kube_version(&version).ok_or_else(|| damaged(&format!("bad version {version}")))?;
        let pairs: Vec<(usize, usize)> = flat
            .chunks_exact(2)
            .filter_map(|pair| match pair {
                [name, def] if *name < index.names.len() && *def < lines.len() => Some((*name, *def)),
                _ => None,
            })
            .collect();
        tables.insert(version, pairs);
    }
    let kinds =
        index.kinds.into_iter().filter_map(|(version, kinds)| Some((parse_kube_version(&version)?, kinds))).collect();
    let sets = tables.keys().map(|v| (*v, OnceLock::new())).collect();
    let parsed = (0..lines.len()).map(|_| OnceLock::new()).collect();
    Ok(Bundle { source: index.source, names: index.names, text, lines, parsed, kinds, tables, sets })
}

/// The Kubernetes versions schemas are bundled for, oldest first.
pub fn bundled_versions() -> Vec<KubeVersion> {
    bundle().map(|b| b.tables.keys().copied().collect()).unwrap_or_default()
}

/// Where the bundled schemas come from, e.g. `kubernetes-validate-1.37.0`.
pub fn bundle_source() -> &'static str {
    bundle().map(|b| b.source.as_str()).unwrap_or("")
}

/// The schemas chosen for a requested version.
pub struct Selection {
    pub schemas: &'static KubeSchemas,
    /// The version asked for; differs from `schemas.version` when it is outside the bundle.
    pub requested: KubeVersion,
}

/// The schemas of `requested`, or of the nearest bundled version when it is older or newer
/// than every bundled one.
pub fn schemas_for(requested: KubeVersion) -> Result<Selection, &'static str> {
    let bundle = bundle()?;
    let chosen = bundle
        .tables
        .keys()
        .copied()
        .rfind(|v| *v <= requested)
        .or_else(|| bundle.tables.keys().next().copied())
        .ok_or("no Kubernetes schemas are bundled")?;
    let lock = bundle.sets.get(&chosen).ok_or("no Kubernetes schemas are bundled")?;
    let schemas = lock.get_or_init(|| KubeSchemas::new(bundle, chosen));
    Ok(Selection { schemas, requested })
}

/// The definitions of one Kubernetes version, indexed by apiVersion and kind.
pub struct KubeSchemas {
    pub version: KubeVersion,
    bundle: &'static Bundle,
    /// Definition name to definition index.
    defs: HashMap<&'static str, usize>,
    /// `(apiVersion, kind)` to definition name.
    kinds: HashMap<(String, String), &'static str>,
}

/// What is wrong at one place of a resource.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// A field the schema does not have; `known` are the fields it does have there.
    UnknownField { name: String, known: Vec<String> },
    /// A value of the wrong JSON type.
    WrongType { expected: Vec<String>, got: &'static str },
    /// A required field is absent.
    MissingField { name: String },
    /// A value outside a fixed set.
    NotOneOf { options: Vec<String> },
    /// A value beyond a limit of the schema (`minimum`, `maxLength`, `pattern`...); `limit` is
    /// the keyword's value in the schema.
    OutOfBounds { keyword: String, limit: Value },
    /// Anything else the schema rejects, named by its schema keyword.
    Other { keyword: String },
}

/// One schema violation: where (as steps into the resource) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub path: Vec<JsonStep>,
    pub problem: Problem,
}

/// A step into a JSON document: an exact key or index (driftgate's textual field paths, with
/// `[name]` selectors, are [`crate::provenance::PathStep`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonStep {
    Key(String),
    Index(usize),
}

/// The outcome of validating one resource.
#[derive(Debug, PartialEq)]
pub enum Validation {
    Valid,
    Invalid(Vec<Violation>),
    /// The version has no schema for this apiVersion and kind (e.g. a custom resource).
    UnknownKind,
}

impl KubeSchemas {
    fn new(bundle: &'static Bundle, version: KubeVersion) -> KubeSchemas {
        let table = bundle.tables.get(&version).map(Vec::as_slice).unwrap_or_default();
        let defs: HashMap<&'static str, usize> =
            table.iter().filter_map(|&(name, def)| Some((bundle.names.get(name)?.as_str(), def))).collect();
        // Definitions such as DeleteOptions claim a kind in every group; a definition that is
        // one kind's own schema wins over those.
        let claimed = bundle.kinds.get(&version).map(Vec::as_slice).unwrap_or_default();
        let mut claims: HashMap<usize, usize> = HashMap::new();
        for (name, _, _) in claimed {
            *claims.entry(*name).or_default() += 1;
        }
        let mut kinds = HashMap::new();
        let mut shared = Vec::new();
        for (name_index, api_version, kind) in claimed {
            let Some(name) = bundle.names.get(*name_index) else { continue };
            let key = (api_version.clone(), kind.clone());
            if claims.get(name_index) == Some(&1) {
                kinds.insert(key, name.as_str());
            } else {
                shared.push((key, name.as_str()));
            }
        }
        for (key, name) in shared {
            kinds.entry(key).or_insert(name);
        }
        KubeSchemas { version, bundle, defs, kinds }
    }

    /// The definition called `name` in this version.
    fn definition(&self, name: &str) -> Option<&'static Value> {
        self.defs.get(name).map(|&index| self.bundle.def(index))
    }

    /// Whether this version has a schema for the kind.
    pub fn knows(&self, api_version: &str, kind: &str) -> bool {
        self.kinds.contains_key(&(api_version.to_string(), kind.to_string()))
    }

    /// Validates the `metadata` of a resource whose kind has no schema here (a custom resource):
    /// it is an ObjectMeta whatever the kind.
    pub fn validate_metadata(&self, metadata: &Value) -> Vec<Violation> {
        let mut violations = Vec::new();
        if let Some(schema) = self.definition(OBJECT_META) {
            self.check(schema, metadata, &mut vec![JsonStep::Key("metadata".into())], &mut violations, 0);
        }
        violations
    }

    /// Validates one resource (as JSON) against the schema of its apiVersion and kind.
    pub fn validate(&self, api_version: &str, kind: &str, resource: &Value) -> Validation {
        let Some(&name) = self.kinds.get(&(api_version.to_string(), kind.to_string())) else {
            return Validation::UnknownKind;
        };
        let Some(schema) = self.definition(name) else { return Validation::UnknownKind };
        let mut violations = Vec::new();
        self.check(schema, resource, &mut Vec::new(), &mut violations, 0);
        if violations.is_empty() { Validation::Valid } else { Validation::Invalid(violations) }
    }

    /// Checks `instance` against `schema` with the keywords the Kubernetes schemas use (`$ref`,
    /// `type`, `enum`, `required`, `properties`, `additionalProperties`, `items`; `format` is an
    /// annotation, as in JSON Schema 2020-12), with JSON Schema's meaning for each. A test
    /// compares the results with the `jsonschema` crate's on the same documents.
    fn check(
        &self,
        schema: &Value,
        instance: &Value,
        path: &mut Vec<JsonStep>,
        out: &mut Vec<Violation>,
        depth: usize,
    ) {
        let Value::Object(schema) = schema else { return };
        if depth > MAX_SCHEMA_DEPTH {
            return;
        }
        if let Some(Value::String(reference)) = schema.get("$ref") {
            match reference.strip_prefix("#/$defs/").and_then(|name| self.definition(name)) {
                Some(target) => self.check(target, instance, path, out, depth + 1),
                None => out.push(Violation { path: path.clone(), problem: Problem::Other { keyword: "$ref".into() } }),
            }
        }
        if let Some(allowed) = schema.get("type") {
            let names: Vec<&str> = match allowed {
                Value::String(name) => vec![name.as_str()],
                Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !names.is_empty() && !names.iter().any(|name| has_type(instance, name)) {
                let mut expected: Vec<String> = names.iter().filter(|n| **n != "null").map(|n| n.to_string()).collect();
                if expected.is_empty() {
                    expected.push("null".to_string());
                }
                out.push(Violation {
                    path: path.clone(),
                    problem: Problem::WrongType { expected, got: json_type(instance) },
                });
            }
        }
        if let Some(Value::Array(options)) = schema.get("enum") {
            if !options.iter().any(|option| same_value(option, instance)) {
                let options = options.iter().filter(|v| !v.is_null()).map(option_text).collect();
                out.push(Violation { path: path.clone(), problem: Problem::NotOneOf { options } });
            }
        }
        match instance {
            Value::Object(fields) => self.check_object(schema, fields, path, out, depth),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (index, item) in items.iter().enumerate() {
                        path.push(JsonStep::Index(index));
                        self.check(item_schema, item, path, out, depth + 1);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    fn check_object(
        &self,
        schema: &Map<String, Value>,
        fields: &Map<String, Value>,
        path: &mut Vec<JsonStep>,
        out: &mut Vec<Violation>,
        depth: usize,
    ) {
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !fields.contains_key(name) {
                    out.push(Violation {
                        path: path.clone(),
                        problem: Problem::MissingField { name: name.to_string() },
                    });
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        for (name, value) in fields {
            path.push(JsonStep::Key(name.clone()));
            match (properties.and_then(|p| p.get(name)), additional) {
                (Some(property), _) => self.check(property, value, path, out, depth + 1),
                (None, Some(Value::Bool(false))) => {
                    let mut known: Vec<String> = properties.map(|p| p.keys().cloned().collect()).unwrap_or_default();
                    known.sort();
                    out.push(Violation {
                        path: path.clone(),
                        problem: Problem::UnknownField { name: name.clone(), known },
                    });
                }
                (None, Some(extra @ Value::Object(_))) => self.check(extra, value, path, out, depth + 1),
                (None, _) => {}
            }
            path.pop();
        }
    }
}

/// Whether a value is of a JSON Schema type; an integer is any number without a fraction.
fn has_type(value: &Value, name: &str) -> bool {
    match (name, value) {
        ("null", Value::Null) | ("boolean", Value::Bool(_)) | ("string", Value::String(_)) => true,
        ("array", Value::Array(_)) | ("object", Value::Object(_)) | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`), as `enum` requires.
pub(crate) fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// The JSON type name of a value, as JSON Schema names it.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A schema constant or enum option as written: strings bare, anything else as JSON.
pub fn option_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A field path as diagnostics print it: `spec.template.spec.containers[0].image`; keys that
/// contain dots or brackets are bracketed (`metadata.annotations[example.com/team]`).
pub fn path_text(path: &[JsonStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            JsonStep::Index(index) => out.push_str(&format!("[{index}]")),
            JsonStep::Key(key) if key.contains(['.', '[', ']']) || key.is_empty() => {
                out.push_str(&format!("[{key}]"));
            }
            JsonStep::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
        }
    }
    out
}

/// What a limit keyword asks for, e.g. `must be at least 1`.
fn bound_text(keyword: &str, limit: &Value) -> String {
    let n = option_text(limit);
    match keyword {
        "minimum" => format!("must be at least {n}"),
        "exclusiveMinimum" => format!("must be greater than {n}"),
        "maximum" => format!("must be at most {n}"),
        "exclusiveMaximum" => format!("must be less than {n}"),
        "multipleOf" => format!("must be a multiple of {n}"),
        "minLength" => format!("must be at least {n} characters long"),
        "maxLength" => format!("must be at most {n} characters long"),
        "pattern" => format!("must match the pattern `{n}`"),
        "minItems" => format!("must have at least {n} items"),
        "maxItems" => format!("must have at most {n} items"),
        "uniqueItems" => "must not repeat an item".to_string(),
        "minProperties" => format!("must have at least {n} fields"),
        "maxProperties" => format!("must have at most {n} fields"),
        other => format!("does not match the schema (`{other}`)"),
    }
}

impl Violation {
    /// A one-line description, e.g. `spec.replicas: expected integer, got string`. Never quotes
    /// the offending value (it may be a secret).
    pub fn message(&self) -> String {
        let (parent, _) = self.path.split_at(self.path.len().saturating_sub(1));
        let here = path_text(&self.path);
        let prefix = |path: &str| if path.is_empty() { String::new() } else { format!("{path}: ") };
        match &self.problem {
            Problem::UnknownField { name, .. } => format!("{}unknown field `{name}`", prefix(&path_text(parent))),
            Problem::WrongType { expected, got } => {
                format!("{}expected {}, got {got}", prefix(&here), expected.join(" or "))
            }
            Problem::MissingField { name } => format!("{}missing required field `{name}`", prefix(&here)),
            Problem::NotOneOf { options } => format!("{}must be one of {}", prefix(&here), options.join(", ")),
            Problem::OutOfBounds { keyword, limit } => format!("{}{}", prefix(&here), bound_text(keyword, limit)),
            Problem::Other { keyword } => format!("{}does not match the schema (`{keyword}`)", prefix(&here)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas(minor: u32) -> &'static KubeSchemas {
        schemas_for((1, minor)).unwrap().schemas
    }

    fn messages(resource: Value) -> Vec<String> {
        let api = resource["apiVersion"].as_str().unwrap().to_string();
        let kind = resource["kind"].as_str().unwrap().to_string();
        match schemas(33).validate(&api, &kind, &resource) {
            Validation::Invalid(violations) => violations.iter().map(Violation::message).collect(),
            other => panic!("{other:?}"),
        }
    }

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}, "creationTimestamp": null},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{
                        "name": "web", "image": "web:1.0",
                        "ports": [{"containerPort": 8080}],
                        "resources": {"limits": {"cpu": 0.5, "memory": "128Mi"}, "requests": {"cpu": "100m"}},
                        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
                    }]},
                },
            },
        })
    }

    #[test]
    fn versions_parse_in_the_spellings_people_write() {
        assert_eq!(parse_kube_version("1.33"), Some((1, 33)));
        assert_eq!(parse_kube_version("v1.29.4"), Some((1, 29)));
        assert_eq!(parse_kube_version("1.30+"), Some((1, 30)));
        assert_eq!(parse_kube_version("1"), None);
        assert_eq!(parse_kube_version("latest"), None);
    }

    #[test]
    fn the_bundle_holds_1_25_to_1_37() {
        let versions = bundled_versions();
        assert_eq!(versions.first(), Some(&(1, 25)));
        assert_eq!(versions.last(), Some(&(1, 37)));
        assert_eq!(versions.len(), 13);
        assert!(bundle_source().starts_with("kubernetes-validate-1.37"), "{}", bundle_source());
        // Outside the bundle: the nearest bundled version.
        assert_eq!(schemas_for((1, 20)).unwrap().schemas.version, (1, 25));
        assert_eq!(schemas_for((1, 40)).unwrap().schemas.version, (1, 37));
        assert_eq!(schemas_for((1, 30)).unwrap().schemas.version, (1, 30));
    }

    #[test]
    fn a_valid_deployment_passes_with_int_or_string_and_quantities_in_both_forms() {
        assert_eq!(schemas(33).validate("apps/v1", "Deployment", &deployment()), Validation::Valid);
        let mut null_surge = deployment();
        null_surge["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = Value::Null;
        assert_eq!(schemas(33).validate("apps/v1", "Deployment", &null_surge), Validation::Valid);
    }

    #[test]
    fn wrong_types_unknown_and_missing_fields_read_plainly() {
        let mut bad = deployment();
        bad["spec"]["replicas"] = json!("3");
        bad["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = json!("Always");
        bad["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = json!(80.5);
        bad["spec"]["selector"] = json!({"matchLabels": {"app": "web"}});
        bad["spec"].as_object_mut().unwrap().remove("selector");
        bad["metadata"]["annotations"] = json!({"example.com/n": 1});
        let mut got = messages(bad);
        got.sort();
        assert_eq!(
            got,
            [
                "metadata.annotations[example.com/n]: expected string, got integer",
                "spec.replicas: expected integer, got string",
                "spec.template.spec.containers[0].ports[0].containerPort: expected integer, got number",
                "spec.template.spec.containers[0]: unknown field `imagePullPolicyy`",
                "spec: missing required field `selector`",
            ]
        );
    }

    #[test]
    fn unknown_field_lists_the_known_ones_and_top_level_reads_without_prefix() {
        let mut bad = deployment();
        bad["specs"] = json!({});
        let Validation::Invalid(violations) = schemas(33).validate("apps/v1", "Deployment", &bad) else { panic!() };
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].message(), "unknown field `specs`");
        assert_eq!(violations[0].path, vec![JsonStep::Key("specs".into())]);
        let Problem::UnknownField { known, .. } = &violations[0].problem else { panic!() };
        assert_eq!(known, &["apiVersion", "kind", "metadata", "spec", "status"]);
    }

    #[test]
    fn unknown_kinds_are_not_valid_and_removed_apis_leave_the_schemas() {
        let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget"});
        assert_eq!(schemas(33).validate("example.com/v1", "Widget", &widget), Validation::UnknownKind);
        assert!(schemas(25).knows("autoscaling/v2beta2", "HorizontalPodAutoscaler"));
        assert!(!schemas(26).knows("autoscaling/v2beta2", "HorizontalPodAutoscaler"));
        assert!(schemas(33).knows("v1", "ConfigMap"));
    }

    #[test]
    fn choices_and_other_keywords_read_plainly() {
        let at = vec![JsonStep::Key("spec".into()), JsonStep::Key("type".into())];
        let choice =
            Violation { path: at.clone(), problem: Problem::NotOneOf { options: vec!["A".into(), "B".into()] } };
        assert_eq!(choice.message(), "spec.type: must be one of A, B");
        let other = Violation { path: at, problem: Problem::Other { keyword: "minLength".into() } };
        assert_eq!(other.message(), "spec.type: does not match the schema (`minLength`)");
    }

    /// `path problem` lines, sorted, for comparing two validators.
    fn summary(violations: &[Violation]) -> Vec<String> {
        let mut lines: Vec<String> = violations.iter().map(|v| format!("{:?} {}", v.path, v.message())).collect();
        lines.sort();
        lines
    }

    /// The same validation done by the `jsonschema` crate on a document holding the kind's
    /// definition and every definition it references.
    fn jsonschema_violations(schemas: &KubeSchemas, api_version: &str, kind: &str, instance: &Value) -> Vec<Violation> {
        use jsonschema::error::{TypeKind, ValidationErrorKind};
        let name = schemas.kinds[&(api_version.to_string(), kind.to_string())];
        let mut needed = serde_json::Map::new();
        let mut pending = vec![name.to_string()];
        while let Some(current) = pending.pop() {
            if needed.contains_key(&current) {
                continue;
            }
            let def = schemas.definition(&current).unwrap();
            let text = def.to_string();
            pending
                .extend(text.split("\"#/$defs/").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string));
            needed.insert(current, def.clone());
        }
        let document = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": format!("#/$defs/{name}"), "$defs": needed});
        let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&document).unwrap();
        let mut out = Vec::new();
        for error in validator.iter_errors(instance) {
            let mut path = Vec::new();
            let mut at = Some(instance);
            for raw in error.instance_path().as_str().split('/').skip(1) {
                let token = raw.replace("~1", "/").replace("~0", "~");
                match at {
                    Some(Value::Array(items)) => {
                        let index: usize = token.parse().unwrap();
                        at = items.get(index);
                        path.push(JsonStep::Index(index));
                    }
                    _ => {
                        at = at.and_then(|v| v.get(&token));
                        path.push(JsonStep::Key(token));
                    }
                }
            }
            let problem = match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let parent = error.schema_path().as_str().rsplit_once('/').unwrap().0.to_string();
                    let mut known: Vec<String> =
                        document.pointer(&parent).unwrap()["properties"].as_object().unwrap().keys().cloned().collect();
                    known.sort();
                    for name in unexpected {
                        let mut at = path.clone();
                        at.push(JsonStep::Key(name.clone()));
                        out.push(Violation {
                            path: at,
                            problem: Problem::UnknownField { name: name.clone(), known: known.clone() },
                        });
                    }
                    continue;
                }
                ValidationErrorKind::Type { kind } => {
                    let names: Vec<String> = match kind {
                        TypeKind::Single(ty) => vec![ty.to_string()],
                        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
                    };
                    let expected = names.into_iter().filter(|n| n != "null").collect();
                    Problem::WrongType { expected, got: json_type(error.instance()) }
                }
                ValidationErrorKind::Required { property } => {
                    Problem::MissingField { name: property.as_str().unwrap().to_string() }
                }
                ValidationErrorKind::Enum { options } => Problem::NotOneOf {
                    options: options.as_array().unwrap().iter().filter(|v| !v.is_null()).map(option_text).collect(),
                },
                other => panic!("unexpected error kind {other:?}"),
            };
            out.push(Violation { path, problem });
        }
        out
    }

    /// Every kind of 1.33, given a document with unknown, wrongly typed
    /// and missing fields at several levels: the interpreter finds exactly what the `jsonschema`
    /// crate finds.
    #[test]
    fn results_equal_the_jsonschema_crate_for_every_kind() {
        let mut compared = 0;
        // Compiling ~180 validators takes a while in test builds: one version.
        for minor in [33] {
            let schemas = schemas(minor);
            let mut kinds: Vec<&(String, String)> = schemas.kinds.keys().collect();
            kinds.sort();
            for (api_version, kind) in kinds {
                let documents = [
                    json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "labelz": {}, "labels": {"a": 1}}}),
                    json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": 7}, "spec": {"bogus": true, "replicas": "2"}, "extra": [1]}),
                    json!({"apiVersion": api_version, "kind": kind, "spec": [], "data": {"k": 1.5}, "status": "x"}),
                ];
                for document in &documents {
                    let mine = match schemas.validate(api_version, kind, document) {
                        Validation::Valid => Vec::new(),
                        Validation::Invalid(violations) => violations,
                        Validation::UnknownKind => panic!("{api_version} {kind}"),
                    };
                    let theirs = jsonschema_violations(schemas, api_version, kind, document);
                    assert_eq!(summary(&mine), summary(&theirs), "1.{minor} {api_version} {kind} {document}");
                    compared += 1;
                }
            }
        }
        assert!(compared > 500, "{compared}");
        let mut bad = deployment();
        bad["spec"]["template"]["spec"]["containers"][0]["ports"] =
            json!([{"containerPort": "80", "protocoll": "TCP"}]);
        bad["spec"]["template"]["spec"]["volumes"] =
            json!([{"name": "v", "emptyDir": {"sizeLimit": 1}}, {"name": "w", "configMap": {"items": {}}}]);
        let Validation::Invalid(mine) = schemas(33).validate("apps/v1", "Deployment", &bad) else { panic!() };
        assert_eq!(summary(&mine), summary(&jsonschema_violations(schemas(33), "apps/v1", "Deployment", &bad)));
    }

    /// The interpreter knows every keyword the bundle uses; a new one after an update fails here.
    #[test]
    fn the_bundle_uses_only_the_keywords_the_interpreter_knows() {
        const KNOWN: &[&str] =
            &["$ref", "type", "enum", "required", "properties", "additionalProperties", "items", "format"];
        let bundle = bundle().unwrap();
        let mut stack: Vec<&Value> = (0..bundle.lines.len()).map(|i| bundle.def(i)).collect();
        assert!(stack.iter().all(|def| def.is_object()), "every definition parses as a schema object");
        while let Some(Value::Object(schema)) = stack.pop() {
            for (keyword, value) in schema {
                assert!(KNOWN.contains(&keyword.as_str()), "unknown keyword {keyword}");
                match keyword.as_str() {
                    "properties" => stack.extend(value.as_object().unwrap().values()),
                    "items" | "additionalProperties" => stack.push(value),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn metadata_of_custom_resources_is_an_object_meta() {
        assert_eq!(schemas(33).validate_metadata(&json!({"name": "x", "labels": {"a": "b"}})), Vec::new());
        let messages: Vec<String> =
            schemas(33).validate_metadata(&json!({"name": 7, "lables": {}})).iter().map(Violation::message).collect();
        assert_eq!(messages, ["metadata: unknown field `lables`", "metadata.name: expected string, got integer"]);
    }

    #[test]
    fn damaged_bundles_are_errors_not_panics() {
        assert!(decode_bundle(b"not zstd").is_err());
        assert!(decode_bundle(&[]).is_err());
    }

    #[test]
    fn paths_bracket_keys_with_dots() {
        use JsonStep::*;
        let path = [Key("metadata".into()), Key("labels".into()), Key("app.kubernetes.io/name".into())];
        assert_eq!(path_text(&path), "metadata.labels[app.kubernetes.io/name]");
        assert_eq!(
            path_text(&[Key("spec".into()), Key("ports".into()), Index(0), Key("port".into())]),
            "spec.ports[0].port"
        );
    }
}
