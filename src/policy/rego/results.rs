//! What a policy's results mean: `deny` (and conftest's `violation`/`warn`) results are strings or
//! objects with `msg` and, optionally, where the finding is (`env`, `resource`, `path`, `at`).

use serde::Deserialize;
use serde_json::Value as Json;

/// Most results one rule may give for one input: a policy that explodes is cut off, reported.
const MAX_RESULTS: usize = 1000;

/// The findings of one rule evaluation, or why it failed.
pub type RuleOutcome = Result<Vec<RegoFinding>, String>;
/// One result of a `deny` rule.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RegoFinding {
    pub msg: String,
    pub env: Option<String>,
    pub resource: Option<ResourceRef>,
    /// Field path in the resource, e.g. `spec.template.spec.containers[web].env[SENTRY_DSN]`.
    pub path: Option<String>,
    /// Where to report; [`At::Field`] when not given.
    pub at: Option<At>,
    /// The subject of the finding (env var, Secret, image...), matched by `ignore: [{name}]`.
    pub name: Option<String>,
    /// With `at: inventory`: the inventory entry.
    pub inventory: Option<String>,
    /// With `at: values`: the key path in the environment's merged values (keys and indexes).
    pub values_path: Option<Vec<Json>>,
    /// `error`, `warning` or `info` when this result differs from the rule's severity.
    pub severity: Option<String>,
    pub related: Vec<RegoRelated>,
    /// conftest `violation` details: shown under the finding as they are.
    #[serde(skip)]
    pub details: Option<Json>,
}

/// The `at` of a policy result: which place of the environment a finding is reported at.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum At {
    /// Where the environment would add what the other environments set (its override file).
    Override,
    /// The environment's pinned chart version.
    Version,
    /// The secret inventory entry named by `inventory`.
    Inventory,
    /// The merged values entry at `values_path`.
    Values,
    /// The template line that wrote the field at `path`.
    Template,
    /// The origin of the resource field at `path` (the values line, else the template line);
    /// also what an unknown `at` means.
    #[default]
    #[serde(other)]
    Field,
}

/// A related place named by a finding; located like the finding itself.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RegoRelated {
    pub msg: String,
    pub env: Option<String>,
    pub resource: Option<ResourceRef>,
    pub path: Option<String>,
    pub at: Option<At>,
    pub inventory: Option<String>,
    pub values_path: Option<Vec<Json>>,
}

/// A resource identity as policies write it.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ResourceRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl From<&crate::diagnostic::ResourceId> for ResourceRef {
    fn from(id: &crate::diagnostic::ResourceId) -> Self {
        ResourceRef {
            api_version: id.api_version.clone(),
            kind: id.kind.clone(),
            namespace: id.namespace.clone().unwrap_or_default(),
            name: id.name.clone(),
        }
    }
}
/// The findings in a rule's value: a set (or array) of strings or objects with a string `msg`;
/// undefined is none, and so is an empty message (conftest counts it as a success).
pub(super) fn findings_of(value: &regorus::Value) -> RuleOutcome {
    if *value == regorus::Value::Undefined {
        return Ok(Vec::new());
    }
    let json = serde_json::to_value(value).map_err(|err| err.to_string())?;
    let Json::Array(items) = json else {
        return Err(format!("a deny rule must be a set of results, got {}", clip(&json.to_string())));
    };
    if items.len() > MAX_RESULTS {
        return Err(format!("gave {} results, more than the limit of {MAX_RESULTS}", items.len()));
    }
    let mut findings = Vec::new();
    for item in items {
        let finding = match item {
            Json::String(msg) => RegoFinding { msg, ..RegoFinding::default() },
            Json::Object(ref fields) => {
                if !matches!(fields.get("msg"), Some(Json::String(_))) {
                    return Err(format!("a result object needs a string `msg`, got {}", clip(&item.to_string())));
                }
                let details = fields.get("details").cloned();
                let msg = fields.get("msg").and_then(Json::as_str).unwrap_or_default().to_string();
                // Fields driftgate does not know (conftest's `_loc`, a list-valued `path`...) are
                // left to the message rather than failing a policy written for another tool.
                let mut finding: RegoFinding =
                    serde_json::from_value(item).unwrap_or_else(|_| RegoFinding { msg, ..RegoFinding::default() });
                finding.details = details;
                finding
            }
            other => {
                return Err(format!(
                    "a result must be a string or an object with msg, got {}",
                    clip(&other.to_string())
                ));
            }
        };
        if !finding.msg.is_empty() {
            findings.push(finding);
        }
    }
    Ok(findings)
}

/// A value quoted in an error, shortened so a huge result cannot flood the report.
pub(super) fn clip(text: &str) -> String {
    const LIMIT: usize = 200;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}
