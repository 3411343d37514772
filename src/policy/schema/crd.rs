//! Custom resources: the `openAPIV3Schema` of their CustomResourceDefinitions (apiextensions.k8s.io/v1),
//! and validation of a resource against it with the meaning the API server gives it.
//!
//! CRD schemas are structural OpenAPI v3 schemas with Kubernetes extensions. Validation walks
//! them directly, like the built-in schemas (nothing is compiled; a pattern is compiled once, on
//! first use): `type`, `nullable`, `enum`, `required` (a field with a `default` is filled in by
//! the server, so it is never missing), `properties`, `additionalProperties`, `items`,
//! `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`,
//! `x-kubernetes-embedded-resource`, `anyOf`, `oneOf`, `allOf`, `not`, `pattern`, `minimum`,
//! `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `minLength`, `maxLength`,
//! `minItems`, `maxItems`, `uniqueItems`, `minProperties`, `maxProperties`. `format` is not
//! checked, nor CEL rules (`x-kubernetes-validations`).
//!
//! Unknown fields are errors unless the schema preserves them, as the API server prunes them
//! (and `kubectl apply --validate=strict` rejects them). A `null` field that is not `nullable`
//! is pruned by the server, so it is treated as absent.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use regex::Regex;
use serde_json::{Map, Value};

use crate::policy::schema::kubernetes::{JsonStep, Problem, Violation, json_type, option_text, same_value};

/// Schema nesting followed this deep (CRD schemas have no references; documents read from YAML
/// are at most 100 levels deep anyway).
const MAX_DEPTH: usize = 128;

/// The apiVersion of the CustomResourceDefinitions driftgate reads.
pub const CRD_API_VERSION: &str = "apiextensions.k8s.io/v1";

/// One served version of a CustomResourceDefinition.
#[derive(Debug, Clone)]
pub struct CrdVersion {
    /// `metadata.name` of the definition, e.g. `servicemonitors.monitoring.coreos.com`.
    pub crd_name: String,
    /// The version's `schema.openAPIV3Schema` (`None` when the definition has none).
    pub schema: Option<Value>,
}

/// A definition file that could not be read: its path (relative to the repository), the
/// position of the problem (1-based; line 1, column 1 when it is about the whole file), and what.
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadFile {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Served CRD versions, by `(group, version, kind)`; the first definition seen wins.
#[derive(Debug, Default, Clone)]
pub struct CrdCatalog {
    versions: HashMap<(String, String, String), CrdVersion>,
}

impl CrdCatalog {
    /// Adds the served versions of `doc` when it is an apiextensions.k8s.io/v1 CustomResourceDefinition.
    pub fn add_document(&mut self, doc: &Value) {
        if doc.get("apiVersion").and_then(Value::as_str) != Some(CRD_API_VERSION)
            || doc.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition")
        {
            return;
        }
        let spec = doc.get("spec");
        let text = |value: Option<&Value>| value.and_then(Value::as_str).unwrap_or_default().to_string();
        let group = text(spec.and_then(|s| s.get("group")));
        let kind = text(spec.and_then(|s| s.get("names")).and_then(|n| n.get("kind")));
        let crd_name = text(doc.get("metadata").and_then(|m| m.get("name")));
        let Some(Value::Array(versions)) = spec.and_then(|s| s.get("versions")) else { return };
        if group.is_empty() || kind.is_empty() {
            return;
        }
        for version in versions {
            if version.get("served").and_then(Value::as_bool) != Some(true) {
                continue;
            }
            let Some(name) = version.get("name").and_then(Value::as_str) else { continue };
            let schema = version.get("schema").and_then(|s| s.get("openAPIV3Schema")).cloned();
            self.versions
                .entry((group.clone(), name.to_string(), kind.clone()))
                .or_insert_with(|| CrdVersion { crd_name: crd_name.clone(), schema });
        }
    }

    /// The served version of the definition of `kind` in `api_version` (`group/version`).
    pub fn lookup(&self, api_version: &str, kind: &str) -> Option<&CrdVersion> {
        let (group, version) = api_version.split_once('/')?;
        self.versions.get(&(group.to_string(), version.to_string(), kind.to_string()))
    }

    /// Reads every `.yaml`/`.yml`/`.json` file under `dir` (absolute), adding the definitions it
    /// holds; `shown` names the directory in problems. Returns the files that could not be read.
    pub fn load_dir(&mut self, dir: &Path, shown: &str) -> Vec<UnreadFile> {
        let mut problems = Vec::new();
        let mut files: Vec<_> = walkdir::WalkDir::new(dir)
            .max_depth(16)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| entry.into_path())
            .filter(|path| matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
            .collect();
        files.sort();
        for path in files {
            let relative = path.strip_prefix(dir).map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
            let shown_file = format!("{}/{relative}", shown.trim_end_matches('/'));
            let unread = |line, column, message| UnreadFile { file: shown_file.clone(), line, column, message };
            match crate::paths::read_text(&path) {
                Ok(text) => {
                    if let Err((line, column, message)) = self.add_text(&text) {
                        problems.push(unread(line, column, message));
                    }
                }
                Err(err) => problems.push(unread(1, 1, err)),
            }
        }
        problems
    }

    /// Adds the definitions among the YAML documents of `text`; a YAML error is returned with
    /// its line and column.
    pub fn add_text(&mut self, text: &str) -> Result<(), (u32, u32, String)> {
        // Locations inside definitions are never reported, so the file id is a placeholder.
        let docs = crate::yaml::parse_documents(text, crate::source::FileId(u32::MAX))
            .map_err(|e| (e.pos.line, e.pos.column, format!("not valid YAML: {}", e.message)))?;
        for doc in &docs {
            self.add_document(&doc.to_json());
        }
        Ok(())
    }
}

/// Validates a custom resource against its version's `openAPIV3Schema`. `metadata` is left to
/// the caller (it is an ObjectMeta whatever the schema says), apart from the constraints the
/// schema puts on it.
pub fn validate(schema: &Value, resource: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut walker = Walker { out: &mut out, path: Vec::new() };
    walker.check(schema, resource, Mode::Root, 0);
    out
}

/// How unknown fields are treated where the walker is.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// The resource itself: `apiVersion`, `kind` and `metadata` are always known.
    Root,
    /// Unknown fields are errors unless the schema preserves them.
    Strict,
    /// Inside `anyOf`/`oneOf`/`allOf`/`not`: value constraints only (structural schemas declare
    /// fields outside them).
    Values,
}

struct Walker<'o> {
    out: &'o mut Vec<Violation>,
    path: Vec<JsonStep>,
}

impl Walker<'_> {
    fn report(&mut self, problem: Problem) {
        self.out.push(Violation { path: self.path.clone(), problem });
    }

    /// Whether `instance` satisfies `schema` in value mode, without reporting.
    fn satisfies(&self, schema: &Value, instance: &Value, depth: usize) -> bool {
        let mut scratch = Vec::new();
        let mut walker = Walker { out: &mut scratch, path: self.path.clone() };
        walker.check(schema, instance, Mode::Values, depth + 1);
        scratch.is_empty()
    }

    fn check(&mut self, schema: &Value, instance: &Value, mode: Mode, depth: usize) {
        let Value::Object(schema) = schema else { return };
        if depth > MAX_DEPTH {
            return;
        }
        let flag = |name: &str| schema.get(name).and_then(Value::as_bool) == Some(true);
        if instance.is_null() && flag("nullable") {
            return;
        }
        if flag("x-kubernetes-int-or-string") {
            if !matches!(json_type(instance), "integer" | "string") && !is_integer(instance) {
                let expected = vec!["integer".to_string(), "string".to_string()];
                self.report(Problem::WrongType { expected, got: json_type(instance) });
                return;
            }
        } else if let Some(Value::String(name)) = schema.get("type") {
            if !has_type(instance, name) {
                self.report(Problem::WrongType { expected: vec![name.clone()], got: json_type(instance) });
                // Constraints of another type say nothing useful about this value.
                return;
            }
        }
        if let Some(Value::Array(options)) = schema.get("enum") {
            if !options.iter().any(|option| same_value(option, instance)) {
                let options = options.iter().filter(|v| !v.is_null()).map(option_text).collect();
                self.report(Problem::NotOneOf { options });
            }
        }
        self.check_limits(schema, instance);
        self.check_junctions(schema, instance, depth);
        match instance {
            Value::Object(fields) => self.check_object(schema, fields, mode, depth),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    let item_mode = if mode == Mode::Values { Mode::Values } else { Mode::Strict };
                    for (index, item) in items.iter().enumerate() {
                        self.path.push(JsonStep::Index(index));
                        self.check(item_schema, item, item_mode, depth + 1);
                        self.path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    fn check_junctions(&mut self, schema: &Map<String, Value>, instance: &Value, depth: usize) {
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for branch in all {
                self.check(branch, instance, Mode::Values, depth + 1);
            }
        }
        if let Some(Value::Array(any)) = schema.get("anyOf") {
            if !any.iter().any(|branch| self.satisfies(branch, instance, depth)) {
                self.report(Problem::Other { keyword: "anyOf".into() });
            }
        }
        if let Some(Value::Array(one)) = schema.get("oneOf") {
            if one.iter().filter(|branch| self.satisfies(branch, instance, depth)).count() != 1 {
                self.report(Problem::Other { keyword: "oneOf".into() });
            }
        }
        if let Some(not) = schema.get("not") {
            if self.satisfies(not, instance, depth) {
                self.report(Problem::Other { keyword: "not".into() });
            }
        }
    }

    /// Numeric, length, size and pattern constraints.
    fn check_limits(&mut self, schema: &Map<String, Value>, instance: &Value) {
        let number = |name: &str| schema.get(name).and_then(Value::as_f64);
        let count = |name: &str| schema.get(name).and_then(Value::as_u64);
        let mut failed: Vec<(&str, Value)> = Vec::new();
        let limit = |name: &str| schema.get(name).cloned().unwrap_or(Value::Null);
        match instance {
            Value::Number(n) => {
                let value = n.as_f64().unwrap_or_default();
                let exclusive = |name: &str| schema.get(name).and_then(Value::as_bool) == Some(true);
                if let Some(min) = number("minimum") {
                    if exclusive("exclusiveMinimum") && value <= min {
                        failed.push(("exclusiveMinimum", limit("minimum")));
                    } else if value < min {
                        failed.push(("minimum", limit("minimum")));
                    }
                }
                if let Some(max) = number("maximum") {
                    if exclusive("exclusiveMaximum") && value >= max {
                        failed.push(("exclusiveMaximum", limit("maximum")));
                    } else if value > max {
                        failed.push(("maximum", limit("maximum")));
                    }
                }
                if let Some(step) = number("multipleOf").filter(|s| *s > 0.0) {
                    let ratio = value / step;
                    if (ratio - ratio.round()).abs() > 1e-9 {
                        failed.push(("multipleOf", limit("multipleOf")));
                    }
                }
            }
            Value::String(text) => {
                let length = text.chars().count() as u64;
                if count("minLength").is_some_and(|min| length < min) {
                    failed.push(("minLength", limit("minLength")));
                }
                if count("maxLength").is_some_and(|max| length > max) {
                    failed.push(("maxLength", limit("maxLength")));
                }
                if let Some(Value::String(pattern)) = schema.get("pattern") {
                    if pattern_rejects(pattern, text) {
                        failed.push(("pattern", limit("pattern")));
                    }
                }
            }
            Value::Array(items) => {
                let length = items.len() as u64;
                if count("minItems").is_some_and(|min| length < min) {
                    failed.push(("minItems", limit("minItems")));
                }
                if count("maxItems").is_some_and(|max| length > max) {
                    failed.push(("maxItems", limit("maxItems")));
                }
                let unique = schema.get("uniqueItems").and_then(Value::as_bool) == Some(true);
                if unique && items.iter().enumerate().any(|(i, a)| items.iter().skip(i + 1).any(|b| same_value(a, b))) {
                    failed.push(("uniqueItems", limit("uniqueItems")));
                }
            }
            Value::Object(fields) => {
                let length = fields.len() as u64;
                if count("minProperties").is_some_and(|min| length < min) {
                    failed.push(("minProperties", limit("minProperties")));
                }
                if count("maxProperties").is_some_and(|max| length > max) {
                    failed.push(("maxProperties", limit("maxProperties")));
                }
            }
            _ => {}
        }
        for (keyword, limit) in failed {
            self.report(Problem::OutOfBounds { keyword: keyword.to_string(), limit });
        }
    }

    fn check_object(&mut self, schema: &Map<String, Value>, fields: &Map<String, Value>, mode: Mode, depth: usize) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let present = |name: &str| {
            let nullable =
                properties.and_then(|p| p.get(name)).and_then(|p| p.get("nullable")).and_then(Value::as_bool)
                    == Some(true);
            fields.get(name).is_some_and(|value| !value.is_null() || nullable)
        };
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                let defaulted = properties.and_then(|p| p.get(name)).is_some_and(|p| p.get("default").is_some());
                if !present(name) && !defaulted {
                    self.report(Problem::MissingField { name: name.to_string() });
                }
            }
        }
        let additional = schema.get("additionalProperties");
        let preserves = schema.get("x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool) == Some(true)
            || matches!(additional, Some(Value::Bool(true)));
        let embedded =
            mode == Mode::Root || schema.get("x-kubernetes-embedded-resource").and_then(Value::as_bool) == Some(true);
        let child_mode = if mode == Mode::Values { Mode::Values } else { Mode::Strict };
        for (name, value) in fields {
            self.path.push(JsonStep::Key(name.clone()));
            let property = properties.and_then(|p| p.get(name));
            match (property, additional) {
                // Pruned by the server before validation.
                (Some(property), _)
                    if value.is_null() && property.get("nullable").and_then(Value::as_bool) != Some(true) => {}
                // Generated definitions describe `metadata` as a bare object; its fields are the
                // ObjectMeta's, checked by the caller: only the schema's constraints apply here.
                (Some(property), _) if embedded && name == "metadata" => {
                    self.check(property, value, Mode::Values, depth + 1)
                }
                (Some(property), _) => self.check(property, value, child_mode, depth + 1),
                (None, Some(extra @ Value::Object(_))) => self.check(extra, value, child_mode, depth + 1),
                (None, _) if preserves || mode == Mode::Values => {}
                (None, _) if embedded && matches!(name.as_str(), "apiVersion" | "kind" | "metadata") => {}
                (None, _) => {
                    let mut known: Vec<String> = properties.map(|p| p.keys().cloned().collect()).unwrap_or_default();
                    if embedded {
                        known.extend(["apiVersion", "kind", "metadata"].map(String::from));
                    }
                    known.sort();
                    known.dedup();
                    self.report(Problem::UnknownField { name: name.clone(), known });
                }
            }
            self.path.pop();
        }
    }
}

/// Whether `pattern` (an ECMA-262 regular expression) rejects `text`. A pattern the `regex`
/// crate cannot compile (look-around, back-references) rejects nothing: not checked, never a
/// false error. Each pattern is compiled once per process.
fn pattern_rejects(pattern: &str, text: &str) -> bool {
    static COMPILED: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let cache = COMPILED.get_or_init(Default::default);
    let Ok(mut cache) = cache.lock() else { return false };
    let regex = cache.entry(pattern.to_string()).or_insert_with(|| Regex::new(pattern).ok());
    regex.as_ref().is_some_and(|regex| !regex.is_match(text))
}

fn is_integer(value: &Value) -> bool {
    has_type(value, "integer")
}

/// Whether a value is of an OpenAPI type; an integer is any number without a fraction.
fn has_type(value: &Value, name: &str) -> bool {
    match (name, value) {
        ("boolean", Value::Bool(_)) | ("string", Value::String(_)) => true,
        ("array", Value::Array(_)) | ("object", Value::Object(_)) | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(schema: Value, resource: Value) -> Vec<String> {
        let mut got: Vec<String> = validate(&schema, &resource).iter().map(Violation::message).collect();
        got.sort();
        got
    }

    fn widget_crd() -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "names": {"kind": "Widget", "plural": "widgets"},
                "versions": [
                    {"name": "v1", "served": true, "storage": true,
                     "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object"}}}}},
                    {"name": "v1beta1", "served": false, "storage": false,
                     "schema": {"openAPIV3Schema": {"type": "object"}}},
                ],
            },
        })
    }

    #[test]
    fn the_catalog_holds_served_versions_of_v1_definitions_only() {
        let mut catalog = CrdCatalog::default();
        catalog.add_document(&widget_crd());
        let mut beta = widget_crd();
        beta["apiVersion"] = json!("apiextensions.k8s.io/v1beta1");
        beta["spec"]["group"] = json!("other.example.com");
        catalog.add_document(&beta);
        catalog.add_document(&json!({"apiVersion": "v1", "kind": "ConfigMap"}));
        let found = catalog.lookup("example.com/v1", "Widget").unwrap();
        assert_eq!(found.crd_name, "widgets.example.com");
        assert!(found.schema.is_some());
        assert!(catalog.lookup("example.com/v1beta1", "Widget").is_none(), "not served");
        assert!(catalog.lookup("other.example.com/v1", "Widget").is_none(), "v1beta1 definitions are not read");
        assert!(catalog.lookup("v1", "Widget").is_none());
        assert!(catalog.lookup("example.com/v1", "Gadget").is_none());
    }

    #[test]
    fn definitions_are_read_from_multi_document_yaml_and_bad_yaml_is_a_problem() {
        let mut catalog = CrdCatalog::default();
        let text = concat!(
            "apiVersion: v1\nkind: ConfigMap\n---\n# a comment\n---\n",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n",
            "metadata: {name: widgets.example.com}\n",
            "spec:\n  group: example.com\n  names: {kind: Widget}\n  versions:\n",
            "    - name: v1\n      served: true\n      schema: {openAPIV3Schema: {type: object}}\n",
        );
        catalog.add_text(text).unwrap();
        assert!(catalog.lookup("example.com/v1", "Widget").is_some());
        let (line, _, message) = CrdCatalog::default().add_text("kind: x\na: [1\n").unwrap_err();
        assert_eq!(line, 3);
        assert!(message.starts_with("not valid YAML: "), "{message}");
    }

    #[test]
    fn unknown_fields_are_errors_unless_preserved_and_the_root_knows_api_version_kind_metadata() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "port": {"type": "integer"},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
            }},
        }});
        let resource = json!({
            "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "anything": 1},
            "spec": {
                "port": 80, "portt": 81,
                "extra": {"free": {"form": true}},
                "labels": {"a": "b", "n": 1},
                "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": {"x": 1}, "status": {}},
            },
            "status": {},
        });
        assert_eq!(
            messages(schema, resource),
            [
                "spec.labels.n: expected string, got integer",
                "spec.template: unknown field `status`",
                "spec: unknown field `portt`",
                "unknown field `status`",
            ]
        );
    }

    #[test]
    fn a_generated_bare_metadata_schema_accepts_object_meta_fields_but_keeps_its_constraints() {
        let schema = json!({"type": "object", "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"},
            "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 5}}},
        }});
        let ok =
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"a": "b"}}});
        assert_eq!(messages(schema.clone(), ok), Vec::<String>::new());
        let long = json!({"metadata": {"name": "widget-1"}});
        assert_eq!(messages(schema, long), ["metadata.name: must be at most 5 characters long"]);
    }

    #[test]
    fn int_or_string_nullable_and_pruned_nulls() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "required": ["port", "mode", "size"], "properties": {
            "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "target": {"x-kubernetes-int-or-string": true},
            "note": {"type": "string", "nullable": true},
            "mode": {"type": "string", "default": "fast"},
            "size": {"type": "integer"},
            "items": {"type": "array", "items": {"type": "string"}},
        }}}});
        let ok = json!({"spec": {"port": "http", "target": 8080, "note": null, "size": 1}});
        assert_eq!(messages(schema.clone(), ok), Vec::<String>::new());
        let bad = json!({"spec": {"port": true, "target": 1.5, "size": null, "items": ["a", null]}});
        assert_eq!(
            messages(schema, bad),
            [
                "spec.items[1]: expected string, got null",
                "spec.port: expected integer or string, got boolean",
                "spec.target: expected integer or string, got number",
                "spec: missing required field `size`",
            ]
        );
    }

    #[test]
    fn junctions_enums_and_limits() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
            "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
            "not": {"required": ["c"]},
            "properties": {
                "a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"},
                "level": {"type": "string", "enum": ["debug", "info"]},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 5},
                "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "multipleOf": 0.5},
                "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
                "tags": {"type": "array", "minItems": 1, "uniqueItems": true, "items": {"type": "string"}},
                "every": {"allOf": [{"type": "string"}, {"minLength": 2}]},
            },
        }}});
        let ok = json!({"spec": {"a": "x", "level": "info", "replicas": 3, "ratio": 1.5, "name": "web", "tags": ["t"], "every": "ab"}});
        assert_eq!(messages(schema.clone(), ok), Vec::<String>::new());
        let bad = json!({"spec": {"a": "x", "b": "y", "c": "z", "level": "trace", "replicas": 9, "ratio": 0,
            "name": "Web-1x", "tags": ["t", "t"], "every": "a"}});
        assert_eq!(
            messages(schema, bad),
            [
                "spec.every: must be at least 2 characters long",
                "spec.level: must be one of debug, info",
                "spec.name: must be at most 5 characters long",
                "spec.name: must match the pattern `^[a-z]+$`",
                "spec.ratio: must be greater than 0",
                "spec.replicas: must be at most 5",
                "spec.tags: must not repeat an item",
                "spec: does not match the schema (`not`)",
                "spec: does not match the schema (`oneOf`)",
            ]
        );
    }

    #[test]
    fn patterns_the_regex_crate_cannot_compile_reject_nothing() {
        let schema = json!({"type": "object", "properties": {"name": {"type": "string", "pattern": "^(?!x)"}}});
        assert_eq!(messages(schema, json!({"name": "xyz"})), Vec::<String>::new());
    }

    #[test]
    fn deeply_nested_schemas_stop_without_overflowing() {
        let mut schema = json!({"type": "string"});
        let mut resource = json!(1);
        for _ in 0..300 {
            schema = json!({"type": "object", "properties": {"a": schema}});
            resource = json!({"a": resource});
        }
        // Past the depth bound nothing more is checked, so the wrong type at the bottom is not reported.
        assert_eq!(validate(&schema, &resource), Vec::new());
    }
}
