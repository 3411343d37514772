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

use crate::diagnostic::Severity;

use super::metadata::{self, BUILTIN_LIBRARY};
use super::registry::{RuleEngine, RuleInfo, lookup};

/// Wall-clock budget of one rule evaluation: a policy that loops is cut off, not waited for.
const EVALUATION_LIMIT: Duration = Duration::from_secs(2);
/// Input trees deeper than this are cut (regorus refuses data nested deeper than 128 levels).
const MAX_INPUT_DEPTH: usize = 100;

/// The rules of a user policy that produce findings, and the severity of their results.
const RESULT_RULES: &[(&str, Severity)] = &[("deny", Severity::Error), ("violation", Severity::Error), ("warn", Severity::Warning)];

/// A prepared engine holding the compiled policies; clone it per chart or thread.
#[derive(Clone)]
pub struct PolicyEngine {
    engine: regorus::Engine,
    rules: Vec<EngineRule>,
}

/// The findings of one rule evaluation, or why it failed.
pub type RuleOutcome = Result<Vec<RegoFinding>, String>;

/// A rule the engine evaluates: one query and what its results are.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineRule {
    pub info: RuleInfo,
    /// The rule path queried, e.g. `data.driftgate.rules.env_var_parity.deny`.
    pub query: String,
    pub scope: RuleScope,
    /// The severity of its results (`warn` rules of user policies give warnings).
    pub severity: Severity,
}

/// What a rule's `input` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleScope {
    /// One chart: every environment (see [`chart_input`]).
    Chart,
    /// One rendered resource, conftest-style; the environment is `data.driftgate.context`.
    Resource,
}

/// A Rego file given by the user (`policies.paths`, `--policy`).
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySource {
    /// Path relative to the checked directory.
    pub path: String,
    pub text: String,
}

/// A user policy that could not be loaded, with the position regorus reported.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyLoadError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
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
    /// Where to report: `field` (the default with a resource and path), `override` (where the
    /// environment would add what others set), `version` (its pinned version), `inventory`,
    /// `values` (the values entry at `values_path`).
    pub at: Option<String>,
    /// The subject of the finding (env var, Secret, image...), matched by `ignore: [{name}]`.
    pub name: Option<String>,
    /// With `at: inventory`: the inventory entry.
    pub inventory: Option<String>,
    /// With `at: values`: the key path in the environment's merged values (keys and indexes).
    pub values_path: Option<Vec<Json>>,
    /// `error`, `warning` or `info` when this result differs from the rule's severity.
    pub severity: Option<String>,
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
            let info = lookup(&policy.metadata.id).cloned().ok_or_else(|| format!("{}: not in the catalogue", policy.file))?;
            rules.push(EngineRule {
                severity: info.default_severity,
                info,
                query: format!("data.{}.deny", policy.package),
                scope: RuleScope::Chart,
            });
        }
        let mut prepared = PolicyEngine { engine, rules };
        prepared.prepare()?;
        Ok(prepared)
    }

    /// Evaluating once analyses and schedules the modules, so that clones start prepared.
    fn prepare(&mut self) -> Result<(), String> {
        self.engine.set_input(regorus::Value::new_object());
        match self.rules.first() {
            Some(rule) => self.engine.eval_rule(rule.query.clone()).map(|_| ()).map_err(|err| err.to_string()),
            None => Ok(()),
        }
    }

    /// The rules this engine evaluates.
    pub fn rules(&self) -> &[EngineRule] {
        &self.rules
    }

    /// Adds a chart-wide policy whose `deny` results are findings of `rule_id` (an error rule).
    pub fn add_policy(&mut self, rule_id: &str, path: &str, source: &str) -> Result<(), String> {
        let package = self
            .engine
            .add_policy(path.to_string(), source.to_string())
            .map_err(|err| format!("{path}: {err}"))?;
        let info = RuleInfo {
            id: rule_id.to_string(),
            name: package.trim_start_matches("data.").replace('.', "-"),
            default_severity: Severity::Error,
            summary: String::new(),
            docs: String::new(),
            engine: RuleEngine::Rego,
            redacts_values: false,
        };
        self.rules.push(EngineRule { info, query: format!("{package}.deny"), scope: RuleScope::Chart, severity: Severity::Error });
        Ok(())
    }

    /// Adds user policies. Packages in `resource_packages` (conftest's `main` when empty) are
    /// evaluated per rendered resource; `driftgate.cross` and packages whose METADATA says
    /// `custom.scope: cross` per chart. `deny` and `violation` give errors, `warn` warnings,
    /// unless METADATA `custom.severity` says otherwise; `custom.id` names the rule (else the
    /// package). Files that do not load are reported and left out.
    pub fn add_user_policies(&mut self, files: &[PolicySource], resource_packages: &[String]) -> Vec<PolicyLoadError> {
        let mut errors = Vec::new();
        // (package, metadata, chart-wide, declared result rules)
        let mut packages: Vec<(String, Option<metadata::PolicyMetadata>, bool, Vec<&str>)> = Vec::new();
        for file in files {
            let meta = metadata::parse_metadata(&file.text).ok();
            let cross_scope = metadata::metadata_scope(&file.text).as_deref() == Some("cross");
            match self.engine.add_policy(file.path.clone(), file.text.clone()) {
                Ok(package) => {
                    // Querying a rule no module declares is an error in regorus, not undefined.
                    let declared: Vec<&str> = RESULT_RULES
                        .iter()
                        .map(|(rule, _)| *rule)
                        .filter(|rule| {
                            self.engine.has_declared_rule_rooted_at(&file.path, rule).unwrap_or(false)
                        })
                        .collect();
                    let package = package.trim_start_matches("data.").to_string();
                    match packages.iter_mut().find(|(p, ..)| *p == package) {
                        Some(entry) => {
                            entry.1 = entry.1.take().or(meta);
                            entry.2 |= cross_scope;
                            entry.3.extend(declared.into_iter().filter(|r| !entry.3.contains(r)).collect::<Vec<_>>());
                        }
                        None => packages.push((package, meta, cross_scope, declared)),
                    }
                }
                Err(err) => errors.push(load_error(&file.path, &err.to_string())),
            }
        }
        let default_packages = ["main".to_string()];
        let resource_packages = if resource_packages.is_empty() { &default_packages[..] } else { resource_packages };
        for (package, meta, cross_scope, declared) in packages {
            let scope = if package == "driftgate.cross" || cross_scope {
                RuleScope::Chart
            } else if resource_packages.contains(&package) {
                RuleScope::Resource
            } else {
                continue;
            };
            for &(rule, rule_severity) in RESULT_RULES.iter().filter(|(rule, _)| declared.contains(rule)) {
                let severity = meta.as_ref().map_or(rule_severity, |m| if rule == "warn" { Severity::Warning } else { m.severity });
                let info = RuleInfo {
                    id: meta.as_ref().map_or_else(|| package.clone(), |m| m.id.clone()),
                    name: meta.as_ref().map_or_else(|| package.replace('.', "-"), |m| m.title.clone()),
                    default_severity: severity,
                    summary: meta.as_ref().map(|m| m.description.clone()).unwrap_or_default(),
                    docs: meta.as_ref().map(|m| m.docs.clone()).unwrap_or_default(),
                    engine: RuleEngine::Rego,
                    redacts_values: false,
                };
                self.rules.push(EngineRule { info, query: format!("data.{package}.{rule}"), scope, severity });
            }
        }
        if let Err(err) = self.prepare() {
            errors.push(load_error("", &err));
        }
        errors
    }

    /// Replaces the wall-clock budget of one rule evaluation.
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.engine.set_execution_timer_config(ExecutionTimerConfig {
            limit,
            check_interval: NonZeroU32::new(256).unwrap_or(NonZeroU32::MIN),
        });
    }

    /// Evaluates every chart-wide rule on one chart's input; a failing rule yields an `Err`.
    pub fn evaluate(&self, input: Json) -> Vec<(&EngineRule, RuleOutcome)> {
        self.evaluate_enabled(input, &|_| true)
    }

    /// [`evaluate`](Self::evaluate) for the rules whose id `enabled` accepts (`off` rules cost nothing).
    pub fn evaluate_enabled(
        &self,
        input: Json,
        enabled: &dyn Fn(&str) -> bool,
    ) -> Vec<(&EngineRule, RuleOutcome)> {
        let mut engine = self.engine.clone();
        engine.set_input(regorus::Value::from(input));
        self.rules
            .iter()
            .filter(|rule| rule.scope == RuleScope::Chart && enabled(&rule.info.id))
            .map(|rule| (rule, eval(&mut engine, &rule.query)))
            .collect()
    }

    /// Evaluates every per-resource rule on each resource of one environment; `context` becomes
    /// `data.driftgate.context`. Results are (rule, resource index, findings).
    pub fn evaluate_resources(
        &self,
        context: Json,
        resources: &[Json],
    ) -> Vec<(&EngineRule, usize, RuleOutcome)> {
        let rules: Vec<&EngineRule> = self.rules.iter().filter(|r| r.scope == RuleScope::Resource).collect();
        if rules.is_empty() {
            return Vec::new();
        }
        let mut engine = self.engine.clone();
        if let Err(err) = engine.add_data(regorus::Value::from(json!({ "driftgate": { "context": context } }))) {
            return rules.into_iter().map(|rule| (rule, 0, Err(err.to_string()))).collect();
        }
        let mut out = Vec::new();
        for (index, resource) in resources.iter().enumerate() {
            engine.set_input(regorus::Value::from(resource.clone()));
            for rule in &rules {
                out.push((*rule, index, eval(&mut engine, &rule.query)));
            }
        }
        out
    }
}

/// How one Rego unit test (`test_*` rule) ended.
#[derive(Clone, Debug, PartialEq)]
pub enum TestOutcome {
    Passed,
    /// The rule was false or undefined.
    Failed,
    /// The rule could not be evaluated.
    Error(String),
}

/// One Rego unit test and its outcome, as `driftgate test` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyTestResult {
    pub file: String,
    /// e.g. `data.main.test_denies_latest`.
    pub rule: String,
    pub outcome: TestOutcome,
    pub duration: Duration,
}

/// Runs the `test_*` rules of `files` (policies and their tests loaded together, like
/// `opa test`), in file and source order. Files that do not load are reported as errors.
pub fn run_tests(files: &[PolicySource]) -> (Vec<PolicyTestResult>, Vec<PolicyLoadError>) {
    let mut engine = regorus::Engine::new();
    engine.set_execution_timer_config(ExecutionTimerConfig {
        limit: EVALUATION_LIMIT,
        check_interval: NonZeroU32::new(256).unwrap_or(NonZeroU32::MIN),
    });
    let mut errors = Vec::new();
    let mut tests = Vec::new();
    for file in files {
        match engine.add_policy(file.path.clone(), file.text.clone()) {
            Ok(package) => {
                for name in test_rule_names(&file.text) {
                    let rule = format!("{package}.{name}");
                    if !tests.iter().any(|(_, r): &(String, String)| *r == rule) {
                        tests.push((file.path.clone(), rule));
                    }
                }
            }
            Err(err) => errors.push(load_error(&file.path, &err.to_string())),
        }
    }
    let results = tests
        .into_iter()
        .map(|(file, rule)| {
            let started = std::time::Instant::now();
            let outcome = match engine.eval_rule(rule.clone()) {
                Ok(regorus::Value::Bool(true)) => TestOutcome::Passed,
                Ok(_) => TestOutcome::Failed,
                Err(err) => TestOutcome::Error(err.to_string()),
            };
            PolicyTestResult { file, rule, outcome, duration: started.elapsed() }
        })
        .collect();
    (results, errors)
}

/// Names of the rules a Rego source declares whose name starts with `test_`.
fn test_rule_names(source: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("test_") else { continue };
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let name = format!("test_{name}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn eval(engine: &mut regorus::Engine, query: &str) -> RuleOutcome {
    engine
        .eval_rule(query.to_string())
        .map_err(|err| err.to_string())
        .and_then(|value| findings_of(&value))
}

/// A load error located by the `--> file:line:col` line of regorus's message.
fn load_error(path: &str, message: &str) -> PolicyLoadError {
    let position = message.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("--> ")?;
        let mut parts = rest.rsplitn(3, ':');
        let column = parts.next()?.trim().parse().ok()?;
        let line = parts.next()?.trim().parse().ok()?;
        Some((parts.next()?.to_string(), line, column))
    });
    let summary = message.lines().rev().find(|l| l.trim_start().starts_with("error:")).unwrap_or(message).trim();
    let summary = summary.strip_prefix("error: ").unwrap_or(summary).to_string();
    match position {
        Some((file, line, column)) => PolicyLoadError { file, line, column, message: summary },
        None => PolicyLoadError { file: path.to_string(), line: 1, column: 1, message: summary },
    }
}

/// The findings in a rule's value: a set (or array) of objects or strings; undefined is none.
fn findings_of(value: &regorus::Value) -> RuleOutcome {
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

/// The input document of a chart-wide policy (built-in rules and `driftgate.cross`):
///
/// ```text
/// { "chart": {path, name, release, namespace},
///   "promotion": ["dev", "stage", "prod"], "kube_version": "1.33", "kube_minor": 33 (or null),
///   "environments": { "<env>": { name, stage, stage_index (null outside the promotion order),
///       version (null when not pinned), values (merged), resources [rendered documents],
///       resource_templates [the template that wrote each resource], render_failed (bool),
///       inventory (null, or {file, secrets: [{name, keys (null: any key)}], configMaps}),
///       override_files [paths] } } }
/// ```
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
                "resource_templates": env.render.resources.iter().map(|r| r.output.name.clone()).collect::<Vec<_>>(),
                "render_failed": !env.render.diagnostics.is_empty(),
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
        "kube_version": project.kube_version,
        "kube_minor": kube_minor(&project.kube_version),
        "environments": environments,
    })
}

/// The minor version of a Kubernetes version such as `1.33`, `v1.33.2` or `1.33.0-gke.1`.
fn kube_minor(version: &str) -> Option<u32> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let _major = parts.next()?;
    let minor = parts.next()?;
    let digits: String = minor.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
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
        let (rule, outcome) = outcomes.last().unwrap();
        assert_eq!(rule.info.id, "DG900");
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
        let by_id = |id: &str| outcomes.iter().find(|(r, _)| r.info.id == id).map(|(_, o)| o.clone()).unwrap();
        assert_eq!(by_id("DG901"), Ok(vec![RegoFinding { msg: "plain".into(), ..RegoFinding::default() }]));
        assert_eq!(by_id("DG902"), Err("a deny rule must be a set of results, got 3".to_string()));
    }

    #[test]
    fn rego_unit_tests_pass_fail_and_error() {
        let policy = "package main\n\ndeny contains \"latest\" if endswith(input.image, \":latest\")\n";
        let tests = "package main\n\ntest_latest_denied if {\n\tdeny[\"latest\"] with input as {\"image\": \"a:latest\"}\n}\n\n\
                     test_pinned_denied if {\n\tdeny[\"latest\"] with input as {\"image\": \"a:1.0\"}\n}\n\n\
                     test_broken if {\n\tto_number(\"x\") == 1\n}\n";
        let files = [
            PolicySource { path: "policies/image.rego".into(), text: policy.into() },
            PolicySource { path: "policies/image_test.rego".into(), text: tests.into() },
            PolicySource { path: "policies/bad.rego".into(), text: "package bad\n\nx := \n".into() },
        ];
        let (results, errors) = run_tests(&files);
        let outcomes: Vec<(&str, &str)> = results
            .iter()
            .map(|r| {
                let outcome = match &r.outcome {
                    TestOutcome::Passed => "passed",
                    TestOutcome::Failed => "failed",
                    TestOutcome::Error(_) => "error",
                };
                (r.rule.as_str(), outcome)
            })
            .collect();
        assert_eq!(
            outcomes,
            [
                ("data.main.test_latest_denied", "passed"),
                ("data.main.test_pinned_denied", "failed"),
                ("data.main.test_broken", "error"),
            ]
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].file, "policies/bad.rego");
    }

    #[test]
    fn kube_minor_versions() {
        assert_eq!(kube_minor("1.33"), Some(33));
        assert_eq!(kube_minor("v1.29.4"), Some(29));
        assert_eq!(kube_minor("1.30+-gke"), Some(30));
        assert_eq!(kube_minor("latest"), None);
        assert_eq!(kube_minor(""), None);
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
