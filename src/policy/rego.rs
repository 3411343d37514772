//! Rego evaluation with regorus: the built-in policies compiled once, evaluated per chart.
//!
//! The input of a chart-wide policy is one chart: every environment's merged values, rendered
//! resources, secret inventory, pinned version and stage, plus the promotion order. A policy's
//! `deny` results are objects (or plain strings) described by [`RegoFinding`].

use std::num::NonZeroU32;
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};

use crate::model::{ChartRun, Project};
use crate::yaml::{Node, NodeValue};

use super::metadata::{self, BUILTIN_LIBRARY};

/// Wall-clock budget of one rule evaluation: a policy that loops is cut off, not waited for.
const EVALUATION_LIMIT: Duration = Duration::from_secs(2);
/// Input trees deeper than this are cut (regorus refuses data nested deeper than 128 levels).
const MAX_INPUT_DEPTH: usize = 100;

/// A prepared engine holding the compiled built-in policies; clone it per chart or thread.
#[derive(Clone)]
pub struct PolicyEngine {
    engine: regorus::Engine,
    /// (rule id, rule path such as `data.driftgate.rules.env_var_parity.deny`).
    rules: Vec<(String, String)>,
}

/// One result of a `deny` rule.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RegoFinding {
    pub msg: String,
    pub env: Option<String>,
    pub resource: Option<ResourceRef>,
    /// Field path in the resource, e.g. `spec.template.spec.containers[web].env[SENTRY_DSN]`.
    pub path: Option<String>,
    /// Where to report: `field` (the default with a resource and path), `override` (the
    /// environment's last override file), `version` (its pinned version), `inventory`.
    pub at: Option<String>,
    /// The subject of the finding (env var, Secret, image...), matched by `ignore: [{name}]`.
    pub name: Option<String>,
    /// With `at: inventory`: the inventory entry.
    pub inventory: Option<String>,
    pub related: Vec<RegoRelated>,
}

/// A related place named by a finding; located like the finding itself.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RegoRelated {
    pub msg: String,
    pub env: Option<String>,
    pub resource: Option<ResourceRef>,
    pub path: Option<String>,
    pub at: Option<String>,
    pub inventory: Option<String>,
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

impl PolicyEngine {
    /// Compiles the built-in policies.
    pub fn builtin() -> Result<Self, String> {
        let mut engine = regorus::Engine::new();
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: EVALUATION_LIMIT,
            check_interval: NonZeroU32::new(256).unwrap_or(NonZeroU32::MIN),
        });
        let (lib_path, lib_source) = BUILTIN_LIBRARY;
        engine
            .add_policy(lib_path.to_string(), lib_source.to_string())
            .map_err(|err| format!("{lib_path}: {err}"))?;
        let mut rules = Vec::new();
        for policy in metadata::builtin_policies() {
            engine
                .add_policy(policy.file.to_string(), policy.source.to_string())
                .map_err(|err| format!("{}: {err}", policy.file))?;
            rules.push((policy.metadata.id.clone(), format!("data.{}.deny", policy.package)));
        }
        // Evaluating once analyses and schedules the modules; clones then start prepared.
        engine.set_input(regorus::Value::new_object());
        for (_, rule) in &rules {
            engine.eval_rule(rule.clone()).map_err(|err| format!("{rule}: {err}"))?;
        }
        Ok(PolicyEngine { engine, rules })
    }

    /// Adds a chart-wide policy whose `deny` results are findings of `rule_id`.
    pub fn add_policy(&mut self, rule_id: &str, path: &str, source: &str) -> Result<(), String> {
        let package = self
            .engine
            .add_policy(path.to_string(), source.to_string())
            .map_err(|err| format!("{path}: {err}"))?;
        self.rules.push((rule_id.to_string(), format!("{package}.deny")));
        Ok(())
    }

    /// Replaces the wall-clock budget of one rule evaluation.
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.engine.set_execution_timer_config(ExecutionTimerConfig {
            limit,
            check_interval: NonZeroU32::new(256).unwrap_or(NonZeroU32::MIN),
        });
    }

    /// Evaluates every rule on one chart's input; a failing rule yields an `Err` entry.
    pub fn evaluate(&self, input: Json) -> Vec<(String, Result<Vec<RegoFinding>, String>)> {
        let mut engine = self.engine.clone();
        engine.set_input(regorus::Value::from(input));
        self.rules
            .iter()
            .map(|(id, rule)| {
                let findings = engine
                    .eval_rule(rule.clone())
                    .map_err(|err| err.to_string())
                    .and_then(|value| findings_of(&value));
                (id.clone(), findings)
            })
            .collect()
    }
}

/// The findings in a rule's value: a set (or array) of objects or strings; undefined is none.
fn findings_of(value: &regorus::Value) -> Result<Vec<RegoFinding>, String> {
    if *value == regorus::Value::Undefined {
        return Ok(Vec::new());
    }
    let json = serde_json::to_value(value).map_err(|err| err.to_string())?;
    let Json::Array(items) = json else {
        return Err(format!("a deny rule must be a set of results, got {json}"));
    };
    items
        .into_iter()
        .map(|item| match item {
            Json::String(msg) => Ok(RegoFinding { msg, ..RegoFinding::default() }),
            Json::Object(_) => serde_json::from_value(item).map_err(|err| format!("bad result: {err}")),
            other => Err(format!("a result must be a string or an object with msg, got {other}")),
        })
        .collect()
}

/// The input document of a chart-wide policy.
pub fn chart_input(project: &Project, chart: &ChartRun) -> Json {
    let sources = &project.sources;
    let mut environments = Map::new();
    for env in &chart.environments {
        let inventory = env.secrets.as_ref().map(|inv| {
            let entries = |list: &[crate::model::InventoryEntry]| {
                list.iter().map(|e| json!({ "name": e.name, "keys": e.keys })).collect::<Vec<_>>()
            };
            json!({
                "file": sources.path(inv.file),
                "secrets": entries(&inv.secrets),
                "configMaps": entries(&inv.config_maps),
            })
        });
        let resources: Vec<Json> = env.render.resources.iter().map(|r| node_to_json(&r.doc)).collect();
        environments.insert(
            env.name.clone(),
            json!({
                "name": env.name,
                "stage": env.stage,
                "stage_index": env.stage_index,
                "version": env.version.as_ref().map(|v| v.version.clone()),
                "values": node_to_json(&env.values),
                "resources": resources,
                "inventory": inventory,
                "override_files": env.override_files.iter().map(|f| sources.path(*f)).collect::<Vec<_>>(),
            }),
        );
    }
    json!({
        "chart": {
            "path": chart.path,
            "name": chart.name,
            "release": chart.release,
            "namespace": chart.namespace,
        },
        "promotion": project.promotion,
        "environments": environments,
    })
}

/// A YAML node as JSON (spans dropped; non-finite floats become null; deep trees are cut).
pub fn node_to_json(node: &Node) -> Json {
    to_json(node, 0)
}

fn to_json(node: &Node, depth: usize) -> Json {
    if depth > MAX_INPUT_DEPTH {
        return Json::Null;
    }
    match &node.value {
        NodeValue::Null => Json::Null,
        NodeValue::Bool(b) => Json::Bool(*b),
        NodeValue::Int(i) => Json::from(*i),
        NodeValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        NodeValue::String(s) => Json::String(s.clone()),
        NodeValue::Seq(items) => Json::Array(items.iter().map(|item| to_json(item, depth + 1)).collect()),
        NodeValue::Map(entries) => Json::Object(
            entries.iter().map(|(key, value)| (key.name.clone(), to_json(value, depth + 1))).collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_looping_policy_is_cut_off_by_the_time_limit() {
        let mut engine = PolicyEngine::builtin().unwrap();
        engine.set_time_limit(Duration::from_millis(200));
        let hostile = "package hostile\n\ndeny contains \"never\" if {\n\tr := numbers.range(1, 100000)\n\tsome a in r\n\tsome b in r\n\ta + b < 0\n}\n";
        engine.add_policy("DG900", "hostile.rego", hostile).unwrap();
        let started = std::time::Instant::now();
        let outcomes = engine.evaluate(json!({"environments": {}, "promotion": []}));
        let elapsed = started.elapsed();
        let (id, outcome) = outcomes.last().unwrap();
        assert_eq!(id, "DG900");
        let err = outcome.clone().unwrap_err();
        assert!(err.contains("time limit") || err.contains("exceeded"), "{err}");
        assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
        assert!(outcomes[..outcomes.len() - 1].iter().all(|(_, o)| o.as_ref().is_ok_and(|f| f.is_empty())));
    }

    #[test]
    fn results_may_be_plain_strings_and_bad_shapes_are_errors() {
        let mut engine = PolicyEngine::builtin().unwrap();
        engine.add_policy("DG901", "strings.rego", "package s\n\ndeny contains \"plain\" if true\n").unwrap();
        engine.add_policy("DG902", "bad.rego", "package b\n\ndeny := 3\n").unwrap();
        let outcomes = engine.evaluate(json!({}));
        let by_id = |id: &str| outcomes.iter().find(|(i, _)| i == id).map(|(_, o)| o.clone()).unwrap();
        assert_eq!(by_id("DG901"), Ok(vec![RegoFinding { msg: "plain".into(), ..RegoFinding::default() }]));
        assert_eq!(by_id("DG902"), Err("a deny rule must be a set of results, got 3".to_string()));
    }

    #[test]
    fn deep_input_is_cut_not_overflowed() {
        use crate::source::{FileId, Span};
        let mut node = Node { value: NodeValue::Int(1), file: FileId(0), span: Span::default() };
        for _ in 0..500 {
            node = Node { value: NodeValue::Seq(vec![node]), file: FileId(0), span: Span::default() };
        }
        let json = node_to_json(&node);
        let mut depth = 0;
        let mut cursor = &json;
        while let Json::Array(items) = cursor {
            depth += 1;
            cursor = &items[0];
        }
        assert_eq!(depth, MAX_INPUT_DEPTH + 1);
        assert_eq!(*cursor, Json::Null);
    }
}
