//! Kubernetes resource schemas: the bundled definitions of every supported minor version, and
//! validators compiled lazily per (version, apiVersion, kind).
//!
//! The data is `schemas/kubernetes/definitions.json.zst`, built from the strict schemas of the
//! PyPI package kubernetes-validate by `scripts/update-k8s-schemas.sh`: every distinct definition
//! stored once, and per version a table from definition name to definition. It is embedded in
//! the binary, so checking needs no network and no files next to the tool. Nothing here knows
//! about rules or locations; DG101 turns [`Violation`]s into diagnostics.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;
use serde_json::{Map, Value};

/// The compressed schema bundle.
static BUNDLE_BYTES: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/kubernetes/definitions.json.zst"));

/// Decompressed bundles beyond this size are refused (the real one is under 1 MiB).
const MAX_BUNDLE_BYTES: u64 = 64 << 20;

/// `$ref`s are followed this deep when collecting a kind's definitions.
const MAX_REF_DEPTH: usize = 256;

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

/// The bundle as stored: names and definitions once, per version a flat list of
/// `[name index, definition index, ...]` pairs.
#[derive(Deserialize)]
struct StoredBundle {
    source: String,
    names: Vec<String>,
    defs: Vec<Value>,
    versions: BTreeMap<String, Vec<usize>>,
}

/// The decoded bundle and the lazily built schema set of each version.
struct Bundle {
    source: String,
    names: Vec<String>,
    defs: Vec<Value>,
    tables: BTreeMap<KubeVersion, Vec<(usize, usize)>>,
    sets: BTreeMap<KubeVersion, OnceLock<KubeSchemas>>,
}

fn bundle() -> Result<&'static Bundle, &'static str> {
    static BUNDLE: OnceLock<Result<Bundle, String>> = OnceLock::new();
    BUNDLE.get_or_init(|| decode_bundle(BUNDLE_BYTES)).as_ref().map_err(String::as_str)
}

fn decode_bundle(compressed: &[u8]) -> Result<Bundle, String> {
    let mut reader = compressed;
    let decoder = ruzstd::decoding::StreamingDecoder::new(&mut reader)
        .map_err(|err| format!("bundled Kubernetes schemas are damaged: {err}"))?;
    let mut text = Vec::new();
    decoder
        .take(MAX_BUNDLE_BYTES)
        .read_to_end(&mut text)
        .map_err(|err| format!("bundled Kubernetes schemas are damaged: {err}"))?;
    let stored: StoredBundle =
        serde_json::from_slice(&text).map_err(|err| format!("bundled Kubernetes schemas are damaged: {err}"))?;
    let mut tables = BTreeMap::new();
    for (version, flat) in stored.versions {
        let version = parse_kube_version(&version).ok_or_else(|| format!("bundled schemas: bad version {version}"))?;
        let pairs: Vec<(usize, usize)> = flat
            .chunks_exact(2)
            .filter_map(|pair| match pair {
                [name, def] if *name < stored.names.len() && *def < stored.defs.len() => Some((*name, *def)),
                _ => None,
            })
            .collect();
        tables.insert(version, pairs);
    }
    let sets = tables.keys().map(|v| (*v, OnceLock::new())).collect();
    Ok(Bundle { source: stored.source, names: stored.names, defs: stored.defs, tables, sets })
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
        .filter(|v| *v <= requested)
        .next_back()
        .or_else(|| bundle.tables.keys().next().copied())
        .ok_or("no Kubernetes schemas are bundled")?;
    let lock = bundle.sets.get(&chosen).ok_or("no Kubernetes schemas are bundled")?;
    let schemas = lock.get_or_init(|| KubeSchemas::new(bundle, chosen));
    Ok(Selection { schemas, requested })
}

/// The definitions of one Kubernetes version, and the validators compiled from them so far.
pub struct KubeSchemas {
    pub version: KubeVersion,
    defs: HashMap<&'static str, &'static Value>,
    /// `(apiVersion, kind)` to definition name.
    kinds: HashMap<(String, String), &'static str>,
    validators: Mutex<HashMap<&'static str, Arc<OnceLock<Result<Arc<KindValidator>, String>>>>>,
}

/// A compiled validator for one kind and the self-contained schema document it was built from.
pub struct KindValidator {
    validator: jsonschema::Validator,
    document: Value,
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
    /// Anything else the schema rejects, named by its schema keyword.
    Other { keyword: String },
}

/// One schema violation: where (as steps into the resource) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub path: Vec<PathStep>,
    pub problem: Problem,
}

/// A step into a JSON document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
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
    /// The schema could not be compiled (a defect of the bundle, reported as such).
    Failed(String),
}

impl KubeSchemas {
    fn new(bundle: &'static Bundle, version: KubeVersion) -> KubeSchemas {
        let table = bundle.tables.get(&version).map(Vec::as_slice).unwrap_or_default();
        let mut defs = HashMap::with_capacity(table.len());
        for &(name, def) in table {
            if let (Some(name), Some(def)) = (bundle.names.get(name), bundle.defs.get(def)) {
                defs.insert(name.as_str(), def);
            }
        }
        // Definitions such as DeleteOptions claim a kind in every group; a definition that is
        // one kind's own schema wins over those.
        let mut kinds = HashMap::new();
        let mut shared = Vec::new();
        for (&name, def) in &defs {
            let Some(Value::Array(gvks)) = def.get("x-kubernetes-group-version-kind") else { continue };
            for gvk in gvks {
                let field = |key: &str| gvk.get(key).and_then(Value::as_str).unwrap_or_default();
                let (group, version, kind) = (field("group"), field("version"), field("kind"));
                let api_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
                if gvks.len() == 1 {
                    kinds.insert((api_version, kind.to_string()), name);
                } else {
                    shared.push(((api_version, kind.to_string()), name));
                }
            }
        }
        for (key, name) in shared {
            kinds.entry(key).or_insert(name);
        }
        KubeSchemas { version, defs, kinds, validators: Mutex::new(HashMap::new()) }
    }

    /// Whether this version has a schema for the kind.
    pub fn knows(&self, api_version: &str, kind: &str) -> bool {
        self.kinds.contains_key(&(api_version.to_string(), kind.to_string()))
    }

    /// Validates one resource (as JSON) against the schema of its apiVersion and kind.
    pub fn validate(&self, api_version: &str, kind: &str, resource: &Value) -> Validation {
        let Some(&name) = self.kinds.get(&(api_version.to_string(), kind.to_string())) else {
            return Validation::UnknownKind;
        };
        let compiled = match self.validator(name) {
            Ok(compiled) => compiled,
            Err(message) => return Validation::Failed(message),
        };
        if compiled.validator.is_valid(resource) {
            return Validation::Valid;
        }
        let mut violations = Vec::new();
        for error in compiled.validator.iter_errors(resource) {
            let path = steps(resource, error.instance_path().as_str());
            let problem = match error.kind() {
                jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let known = known_fields(&compiled.document, error.schema_path().as_str());
                    for name in unexpected {
                        let mut at = path.clone();
                        at.push(PathStep::Key(name.clone()));
                        violations.push(Violation {
                            path: at,
                            problem: Problem::UnknownField { name: name.clone(), known: known.clone() },
                        });
                    }
                    continue;
                }
                jsonschema::error::ValidationErrorKind::Type { kind } => Problem::WrongType {
                    expected: expected_types(kind),
                    got: json_type(error.instance()),
                },
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    Problem::MissingField { name: property.as_str().unwrap_or_default().to_string() }
                }
                jsonschema::error::ValidationErrorKind::Enum { options } => Problem::NotOneOf {
                    options: match options.as_ref() {
                        Value::Array(items) => items.iter().filter(|v| !v.is_null()).map(option_text).collect(),
                        other => vec![option_text(other)],
                    },
                },
                _ => Problem::Other {
                    keyword: error.schema_path().as_str().rsplit('/').next().unwrap_or_default().to_string(),
                },
            };
            violations.push(Violation { path, problem });
        }
        if violations.is_empty() { Validation::Valid } else { Validation::Invalid(violations) }
    }

    /// The validator of a definition, compiled on first use and shared afterwards. Threads
    /// asking for the same kind wait for one compilation instead of each doing it.
    fn validator(&self, name: &'static str) -> Result<Arc<KindValidator>, String> {
        let cell = {
            let mut cache = self.validators.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            Arc::clone(cache.entry(name).or_default())
        };
        cell.get_or_init(|| self.compile(name).map(Arc::new)).clone()
    }

    fn compile(&self, name: &'static str) -> Result<KindValidator, String> {
        let document = self.kind_document(name);
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&document)
            .map_err(|err| format!("the bundled schema of {name} does not compile: {err}"))?;
        Ok(KindValidator { validator, document })
    }

    /// A schema document for one definition holding only the definitions it references:
    /// compiling it touches a few dozen definitions instead of the whole version.
    fn kind_document(&self, name: &str) -> Value {
        let mut needed: BTreeMap<&str, &Value> = BTreeMap::new();
        let mut pending: Vec<(&str, usize)> = vec![(name, 0)];
        while let Some((current, depth)) = pending.pop() {
            if needed.contains_key(current) || depth > MAX_REF_DEPTH {
                continue;
            }
            let Some((&key, &def)) = self.defs.get_key_value(current) else { continue };
            needed.insert(key, def);
            let mut values = vec![def];
            while let Some(value) = values.pop() {
                match value {
                    Value::Object(map) => {
                        if let Some(Value::String(reference)) = map.get("$ref") {
                            if let Some(target) = reference.strip_prefix("#/$defs/") {
                                pending.push((target, depth + 1));
                            }
                        }
                        values.extend(map.values());
                    }
                    Value::Array(items) => values.extend(items),
                    _ => {}
                }
            }
        }
        let defs: Map<String, Value> = needed.into_iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": format!("#/$defs/{name}"),
            "$defs": defs,
        })
    }
}

/// Turns a JSON pointer into steps, telling array indexes from keys by the document's shape.
fn steps(instance: &Value, pointer: &str) -> Vec<PathStep> {
    let mut current = Some(instance);
    let mut out = Vec::new();
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) => match token.parse::<usize>() {
                Ok(index) => {
                    current = items.get(index);
                    out.push(PathStep::Index(index));
                }
                Err(_) => {
                    current = None;
                    out.push(PathStep::Key(token));
                }
            },
            Some(Value::Object(map)) => {
                current = map.get(&token);
                out.push(PathStep::Key(token));
            }
            _ => {
                current = None;
                out.push(PathStep::Key(token));
            }
        }
    }
    out
}

/// The property names of the schema object that holds the failing `additionalProperties`.
fn known_fields(document: &Value, schema_path: &str) -> Vec<String> {
    let parent = schema_path.rsplit_once('/').map_or("", |(parent, _)| parent);
    let mut names: Vec<String> = document
        .pointer(parent)
        .and_then(|schema| schema.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

fn expected_types(kind: &jsonschema::error::TypeKind) -> Vec<String> {
    let names: Vec<String> = match kind {
        jsonschema::error::TypeKind::Single(ty) => vec![ty.to_string()],
        jsonschema::error::TypeKind::Multiple(set) => set.iter().map(|ty| ty.to_string()).collect(),
    };
    // Every Kubernetes field accepts null ("not set"); saying so adds nothing.
    let without_null: Vec<String> = names.iter().filter(|n| *n != "null").cloned().collect();
    if without_null.is_empty() { names } else { without_null }
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
pub fn path_text(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Index(index) => out.push_str(&format!("[{index}]")),
            PathStep::Key(key) if key.contains(['.', '[', ']']) || key.is_empty() => {
                out.push_str(&format!("[{key}]"));
            }
            PathStep::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
        }
    }
    out
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
        assert_eq!(violations[0].path, vec![PathStep::Key("specs".into())]);
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
        let at = vec![PathStep::Key("spec".into()), PathStep::Key("type".into())];
        let choice = Violation { path: at.clone(), problem: Problem::NotOneOf { options: vec!["A".into(), "B".into()] } };
        assert_eq!(choice.message(), "spec.type: must be one of A, B");
        let other = Violation { path: at, problem: Problem::Other { keyword: "minLength".into() } };
        assert_eq!(other.message(), "spec.type: does not match the schema (`minLength`)");
    }

    #[test]
    fn damaged_bundles_are_errors_not_panics() {
        assert!(decode_bundle(b"not zstd").is_err());
        assert!(decode_bundle(&[]).is_err());
    }

    #[test]
    fn paths_bracket_keys_with_dots() {
        use PathStep::*;
        let path = [Key("metadata".into()), Key("labels".into()), Key("app.kubernetes.io/name".into())];
        assert_eq!(path_text(&path), "metadata.labels[app.kubernetes.io/name]");
        assert_eq!(path_text(&[Key("spec".into()), Key("ports".into()), Index(0), Key("port".into())]), "spec.ports[0].port");
    }
}
