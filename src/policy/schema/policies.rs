//! JSON-schema policies (`policies.schemas` in driftgate.yaml): a schema file plus a match on
//! rendered resources is a rule. Each schema is compiled once per run; every matching resource
//! of every environment is validated, and each violation becomes a finding located (through
//! provenance) at the values line or template line that produced the field.
//!
//! Messages name the field path and what was expected ("spec.replicas: expected integer, got
//! string"); they never quote the offending value, which may be a secret.

use std::path::Path;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

pub use crate::config::{ResourceMatch, SchemaPolicyConfig};
use crate::diagnostic::{Diagnostic, Location};
use crate::error::FatalError;
use crate::model::{ChartRun, EnvRun, Project, RenderedResource};
use crate::paths;
use crate::policy::schema::kubernetes::{json_type, option_text};
use crate::provenance;
use crate::source::Sources;
use crate::yaml::NodeValue;

use crate::policy::gate::Finding;

impl ResourceMatch {
    /// Whether the policy applies to `resource` rendered for `env` of `chart`.
    pub fn matches(&self, chart: &ChartRun, env: &EnvRun, resource: &RenderedResource) -> bool {
        let any = |list: &[String], test: &dyn Fn(&str) -> bool| list.is_empty() || list.iter().any(|item| test(item));
        any(&self.kinds, &|kind| kind == resource.id.kind)
            && any(&self.api_versions, &|api| api == resource.id.api_version)
            && any(&self.charts, &|wanted| {
                let wanted = wanted.trim_end_matches('/');
                wanted == chart.path || wanted == chart.name
            })
            && any(&self.envs, &|name| name == env.name)
    }
}

/// A schema policy with its compiled validator.
pub struct SchemaPolicy {
    pub config: SchemaPolicyConfig,
    validator: Validator,
}

impl std::fmt::Debug for SchemaPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaPolicy").field("config", &self.config).finish_non_exhaustive()
    }
}

/// Every schema policy of a run, compiled.
#[derive(Debug, Default)]
pub struct SchemaPolicies {
    pub policies: Vec<SchemaPolicy>,
}

impl SchemaPolicies {
    /// Reads and compiles every configured schema (JSON, or YAML for `.yaml`/`.yml` files). A
    /// missing, unreadable or invalid schema stops the run with its location.
    pub fn load(root: &Path, configs: &[SchemaPolicyConfig], sources: &Sources) -> Result<SchemaPolicies, FatalError> {
        let mut policies = Vec::with_capacity(configs.len());
        for config in configs {
            let declared = sources.locate(config.schema.at);
            let rel = paths::inside_root(root, Path::new(""), &config.schema.value)
                .map_err(|msg| FatalError::new(msg).at(declared.clone()))?;
            let text = paths::read_text(&root.join(&rel)).map_err(|e| {
                FatalError::new(format!(
                    "cannot read schema `{}` of policy {}: {e}",
                    config.schema.value, config.id.value
                ))
                .at(declared.clone())
                .with_help("`schema` paths are relative to the repository root")
            })?;
            let schema = parse_schema(&rel, &text)?;
            let validator = jsonschema::validator_for(&schema).map_err(|error| {
                // The instance here is the schema itself: quoting it reveals nothing secret.
                let pointer = error.instance_path().as_str().to_string();
                let problem = match error.kind() {
                    ValidationErrorKind::AdditionalProperties { unexpected } => format!("has unknown keywords {}", unexpected.join(", ")),
                    _ if pointer.is_empty() => error.to_string(),
                    _ => format!("cannot be {}", error.instance()),
                };
                let at = if pointer.is_empty() { "the schema".to_string() } else { pointer };
                FatalError::new(format!("schema `{rel}` of policy {} is not a valid JSON schema: {at} {problem}", config.id.value))
                    .at(declared.clone())
                    .with_help("check the schema against the JSON-schema specification (draft 2020-12 unless `$schema` says otherwise)")
            })?;
            policies.push(SchemaPolicy { config: config.clone(), validator });
        }
        Ok(SchemaPolicies { policies })
    }

    /// The findings of every policy on every matching resource of `chart`.
    pub fn check_chart(&self, project: &Project, chart: &ChartRun, enabled: &dyn Fn(&str) -> bool) -> Vec<Finding> {
        let mut findings = Vec::new();
        let active: Vec<&SchemaPolicy> = self.policies.iter().filter(|p| enabled(&p.config.id.value)).collect();
        if active.is_empty() {
            return findings;
        }
        for env in &chart.environments {
            for resource in &env.render.resources {
                let mut instance: Option<Value> = None;
                for policy in active.iter().filter(|p| p.config.matches.matches(chart, env, resource)) {
                    let instance = instance.get_or_insert_with(|| resource.doc.to_json());
                    for error in policy.validator.iter_errors(instance) {
                        for violation in describe(&error) {
                            findings.push(policy.finding(project, chart, env, resource, violation));
                        }
                    }
                }
            }
        }
        findings
    }
}

impl SchemaPolicy {
    fn finding(
        &self,
        project: &Project,
        chart: &ChartRun,
        env: &EnvRun,
        resource: &RenderedResource,
        violation: Violation,
    ) -> Finding {
        let config = &self.config;
        let sources = &project.sources;
        let message = if violation.path.is_empty() {
            format!("{}: {}", resource.id, violation.message)
        } else {
            format!("{}: {}", violation.path, violation.message)
        };
        let mut diagnostic = Diagnostic::new(&config.id.value, &config.name, config.severity, message);
        diagnostic.chart = Some(chart.path.clone());
        diagnostic.environment = Some(env.name.clone());
        diagnostic.resource = Some(resource.id.clone());
        let located_path = violation.field_path.clone().unwrap_or_else(|| violation.path.clone());
        diagnostic.path = (!located_path.is_empty()).then(|| located_path.clone());
        let location = if violation.missing || located_path.is_empty() {
            provenance::path_template_location(
                sources,
                chart,
                env,
                resource,
                Some(&violation.path).filter(|p| !p.is_empty()).map(String::as_str),
            )
        } else {
            let value_at = provenance::field_location(sources, chart, env, resource, &located_path);
            match violation
                .unknown_field
                .as_deref()
                .and_then(|field| key_location(sources, resource, &violation.path, field))
            {
                // The key itself when the template wrote it on the line its value came from.
                Some(key_at) if key_at.file == value_at.file && key_at.line == value_at.line => key_at,
                _ => value_at,
            }
        };
        diagnostic.location = Some(location);
        diagnostic.help = config.title.clone();
        let mut finding = Finding::new(diagnostic);
        finding.subject = Some(located_path);
        finding.chart_name = Some(chart.name.clone());
        finding
    }
}

/// Where the template wrote the key `field` of the mapping at `path` of `resource`.
fn key_location(sources: &Sources, resource: &RenderedResource, path: &str, field: &str) -> Option<Location> {
    let parent = if path.is_empty() { Some(&resource.doc) } else { provenance::resolve_path(&resource.doc, path) }?;
    let NodeValue::Map(entries) = &parent.value else { return None };
    let (key, _) = entries.iter().find(|(key, _)| key.name == field)?;
    Some(provenance::template_location(sources, &resource.output, key.span))
}

/// A schema file's contents as JSON; syntax errors point into the schema file.
fn parse_schema(rel: &str, text: &str) -> Result<Value, FatalError> {
    if rel.ends_with(".yaml") || rel.ends_with(".yml") {
        let doc = crate::yaml::parse_first_document(text, Default::default()).map_err(|e| {
            FatalError::new(format!("schema `{rel}` is not valid YAML: {}", e.message)).at(e.pos.in_file(rel))
        })?;
        return Ok(doc.to_json());
    }
    serde_json::from_str(text).map_err(|e| {
        let line = e.line().max(1) as u32;
        let column = e.column().max(1) as u32;
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default().to_string();
        FatalError::new(format!("schema `{rel}` is not valid JSON: {message}")).at(Location::point(rel, line, column))
    })
}

/// One schema violation in driftgate's words.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Violation {
    /// The field the message is about (`spec.template.spec.containers[0]`), empty for the root.
    path: String,
    /// The field to locate when it differs from `path` (an unknown field under it).
    field_path: Option<String>,
    message: String,
    /// The unknown field the message is about, if that is what it is about.
    unknown_field: Option<String>,
    /// Something is missing: locate at the template that writes `path` rather than a value.
    missing: bool,
}

/// `spec.template.spec.containers[0]` from the instance location of an error.
fn field_path(error: &ValidationError) -> String {
    let mut out = String::new();
    for segment in error.instance_path().segments() {
        match segment {
            LocationSegment::Index(index) => out.push_str(&format!("[{index}]")),
            LocationSegment::Property(name) => push_field(&mut out, &name),
        }
    }
    out
}

fn push_field(out: &mut String, name: &str) {
    if name.contains(['.', '[', ']']) {
        out.push_str(&format!("[{name}]"));
    } else {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(name);
    }
}

/// The violations one validator error stands for (an error about several unknown fields is one
/// violation per field, each with its own location).
fn describe(error: &ValidationError) -> Vec<Violation> {
    let path = field_path(error);
    let simple = |message: String| {
        vec![Violation { path: path.clone(), field_path: None, message, unknown_field: None, missing: false }]
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected
            .iter()
            .map(|field| {
                let mut located = path.clone();
                push_field(&mut located, field);
                Violation {
                    path: path.clone(),
                    field_path: Some(located),
                    message: format!("unknown field `{field}`"),
                    unknown_field: Some(field.clone()),
                    missing: false,
                }
            })
            .collect(),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().map_or_else(|| property.to_string(), str::to_string);
            vec![Violation {
                path: path.clone(),
                field_path: None,
                message: format!("missing required field `{name}`"),
                unknown_field: None,
                missing: true,
            }]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(single) => single.to_string(),
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or "),
            };
            simple(format!("expected {expected}, got {}", json_type(error.instance())))
        }
        ValidationErrorKind::Enum { options } => simple(format!("expected one of {}", list(options))),
        ValidationErrorKind::Constant { expected_value } => simple(format!("expected {}", option_text(expected_value))),
        ValidationErrorKind::Minimum { limit } => simple(format!("must be at least {limit}")),
        ValidationErrorKind::Maximum { limit } => simple(format!("must be at most {limit}")),
        ValidationErrorKind::ExclusiveMinimum { limit } => simple(format!("must be greater than {limit}")),
        ValidationErrorKind::ExclusiveMaximum { limit } => simple(format!("must be less than {limit}")),
        ValidationErrorKind::MultipleOf { multiple_of } => simple(format!("must be a multiple of {multiple_of}")),
        ValidationErrorKind::MinLength { limit } => simple(format!("must be at least {limit} characters long")),
        ValidationErrorKind::MaxLength { limit } => simple(format!("must be at most {limit} characters long")),
        ValidationErrorKind::MinItems { limit } => simple(format!("must have at least {limit} item{}", plural(*limit))),
        ValidationErrorKind::MaxItems { limit } => simple(format!("must have at most {limit} item{}", plural(*limit))),
        ValidationErrorKind::AdditionalItems { limit } => {
            simple(format!("must have at most {limit} item{}", plural(*limit as u64)))
        }
        ValidationErrorKind::MinProperties { limit } => {
            simple(format!("must have at least {limit} field{}", plural(*limit)))
        }
        ValidationErrorKind::MaxProperties { limit } => {
            simple(format!("must have at most {limit} field{}", plural(*limit)))
        }
        ValidationErrorKind::Pattern { pattern } => simple(format!("must match the pattern `{pattern}`")),
        ValidationErrorKind::Format { format } => simple(format!("must be a valid {format}")),
        ValidationErrorKind::UniqueItems => simple("items must be unique".to_string()),
        ValidationErrorKind::Contains => simple("no item matches the required shape (`contains`)".to_string()),
        ValidationErrorKind::FalseSchema => simple("this field is not allowed".to_string()),
        ValidationErrorKind::Not { .. } => simple("matches a shape that is not allowed (`not`)".to_string()),
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            simple("matches none of the allowed shapes".to_string())
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            simple("matches more than one of the exclusive shapes (`oneOf`)".to_string())
        }
        ValidationErrorKind::PropertyNames { .. } => simple("has a field name that is not allowed".to_string()),
        // The rest (encodings, regex engine limits, references): the crate's own words, with the
        // value masked.
        _ => simple(error.masked().to_string()),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn list(options: &Value) -> String {
    match options {
        Value::Array(items) => items.iter().map(option_text).collect::<Vec<_>>().join(", "),
        other => option_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn violations(schema: Value, instance: Value) -> Vec<(String, Option<String>, String)> {
        let validator = jsonschema::validator_for(&schema).unwrap();
        validator.iter_errors(&instance).flat_map(|e| describe(&e)).map(|v| (v.path, v.field_path, v.message)).collect()
    }

    #[test]
    fn messages_name_the_field_and_the_expectation() {
        let schema = json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "required": ["selector"],
                    "properties": {
                        "replicas": { "type": "integer", "minimum": 2 },
                        "containers": { "type": "array", "items": {
                            "type": "object", "additionalProperties": false,
                            "properties": { "name": {}, "imagePullPolicy": { "enum": ["Always", "IfNotPresent"] } } } }
                    }
                },
                "metadata": { "properties": { "labels": { "properties": { "app.kubernetes.io/name": { "type": "string" } } } } }
            }
        });
        let instance = json!({
            "spec": { "replicas": "3", "containers": [ { "name": "web", "imagePullPolicyy": "Always", "imagePullPolicy": "Sometimes" } ] },
            "metadata": { "labels": { "app.kubernetes.io/name": 7 } }
        });
        let mut got = violations(schema, instance);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("metadata.labels[app.kubernetes.io/name]".into(), None, "expected string, got integer".into()),
                ("spec".into(), None, "missing required field `selector`".into()),
                (
                    "spec.containers[0]".into(),
                    Some("spec.containers[0].imagePullPolicyy".into()),
                    "unknown field `imagePullPolicyy`".into()
                ),
                ("spec.containers[0].imagePullPolicy".into(), None, "expected one of Always, IfNotPresent".into()),
                ("spec.replicas".into(), None, "expected integer, got string".into()),
            ]
        );
    }

    #[test]
    fn messages_never_quote_the_value() {
        let got = violations(
            json!({ "properties": { "token": { "maxLength": 4, "pattern": "^x" } } }),
            json!({ "token": "s3cr3t-value" }),
        );
        assert!(got.iter().all(|(_, _, m)| !m.contains("s3cr3t")), "{got:?}");
        assert!(got.iter().any(|(_, _, m)| m == "must be at most 4 characters long"), "{got:?}");
    }
}
