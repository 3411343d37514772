//! Rego evaluation with regorus: the built-in policies compiled once, evaluated per chart.
//!
//! The input of a chart-wide policy is one chart: every environment's merged values, rendered
//! resources, secret inventory, pinned version and stage, plus the promotion order. A policy's
//! `deny` results are objects (or plain strings) described by [`RegoFinding`].

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};

use crate::model::{ChartRun, Project};

use crate::diagnostic::Severity;

use super::metadata::{self, BUILTIN_LIBRARY};
use super::registry::{RuleEngine, RuleInfo, lookup};

/// Wall-clock budget of one rule evaluation: a policy that loops is cut off, not waited for.
const EVALUATION_LIMIT: Duration = Duration::from_secs(2);

/// Most results one rule may give for one input: a policy that explodes is cut off, reported.
const MAX_RESULTS: usize = 1000;

/// A prepared engine holding the compiled policies; clone it per chart or thread.
#[derive(Clone)]
pub struct PolicyEngine {
    engine: regorus::Engine,
    rules: Vec<EngineRule>,
    time_limit: Duration,
    /// Queries of per-resource rules that ran out of time once in this run: shared by every
    /// clone, so a looping policy costs one time limit per worker, not one per resource.
    stopped: Arc<Mutex<Vec<String>>>,
    /// Some user policy may read `data.driftgate.context`. Adding data makes regorus analyse
    /// every module again, so environments skip it when no policy can read it.
    reads_context: bool,
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
    /// conftest's `exception` rule of the package (e.g. `data.main.exception`), if it has one.
    pub exception_query: Option<String>,
    /// The names an `exception` lists to exempt this rule (`foo` for `deny_foo`).
    pub exempt_as: Vec<String>,
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

/// Which packages hold per-resource user rules (conftest's `--namespace`, `--all-namespaces`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NamespaceSelection {
    /// Packages to evaluate per resource; empty means conftest's default, `main`.
    pub names: Vec<String>,
    /// Every package of the user policies (except chart-wide ones).
    pub all: bool,
}

impl NamespaceSelection {
    fn selects(&self, package: &str) -> bool {
        self.all || if self.names.is_empty() { package == "main" } else { self.names.iter().any(|n| n == package) }
    }
}

/// The per-resource results of one environment: findings, and the rules exceptions exempted.
pub struct ResourceResults<'a> {
    /// (rule, resource index, findings or why the rule failed).
    pub outcomes: Vec<(&'a EngineRule, usize, RuleOutcome)>,
    /// (rule, resource index) that an `exception` rule exempted.
    pub exceptions: Vec<(&'a EngineRule, usize)>,
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

impl PolicyEngine {
    /// Compiles the built-in policies.
    pub fn builtin() -> Result<Self, String> {
        let mut engine = regorus::Engine::new();
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: EVALUATION_LIMIT,
            check_interval: NonZeroU32::new(256).unwrap_or(NonZeroU32::MIN),
        });
        for &(lib_path, lib_source) in BUILTIN_LIBRARY {
            engine
                .add_policy(lib_path.to_string(), lib_source.to_string())
                .map_err(|err| format!("{lib_path}: {err}"))?;
        }
        let mut rules = Vec::new();
        for policy in metadata::builtin_policies() {
            engine
                .add_policy(policy.file.to_string(), policy.source.to_string())
                .map_err(|err| format!("{}: {err}", policy.file))?;
            let info =
                lookup(&policy.metadata.id).cloned().ok_or_else(|| format!("{}: not in the catalogue", policy.file))?;
            rules.push(EngineRule {
                severity: info.default_severity,
                info,
                query: format!("data.{}.deny", policy.package),
                scope: RuleScope::Chart,
                exception_query: None,
                exempt_as: Vec::new(),
            });
        }
        let mut prepared = PolicyEngine {
            engine,
            rules,
            time_limit: EVALUATION_LIMIT,
            stopped: Arc::new(Mutex::new(Vec::new())),
            reads_context: false,
        };
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
        let package =
            self.engine.add_policy(path.to_string(), source.to_string()).map_err(|err| format!("{path}: {err}"))?;
        let info = RuleInfo {
            id: rule_id.to_string(),
            name: package.trim_start_matches("data.").replace('.', "-"),
            default_severity: Severity::Error,
            summary: String::new(),
            docs: String::new(),
            engine: RuleEngine::Rego,
            redacts_values: false,
            hint: None,
        };
        self.rules.push(EngineRule {
            info,
            query: format!("{package}.deny"),
            scope: RuleScope::Chart,
            severity: Severity::Error,
            exception_query: None,
            exempt_as: Vec::new(),
        });
        Ok(())
    }

    /// Adds user policies (compiled once; clones share them). Packages `namespaces` selects
    /// (conftest's `main` by default) are evaluated per rendered resource; `driftgate.cross` and
    /// packages whose METADATA says `custom.scope: cross` once per chart. Their `deny`,
    /// `violation` and `warn` rules, also with a suffix (`deny_latest`), give errors, errors and
    /// warnings unless METADATA `custom.severity` says otherwise; METADATA `custom.id` names a
    /// rule, else it is `<package>.<rule>` (e.g. `main.deny_latest`). Rego v1 is tried first, then
    /// v0 (older conftest policies). Files that do not load are returned; the rest still load.
    pub fn add_user_policies(
        &mut self,
        files: &[PolicySource],
        namespaces: &NamespaceSelection,
    ) -> Vec<PolicyLoadError> {
        let mut errors = Vec::new();
        let mut packages: Vec<UserPackage> = Vec::new();
        for file in files {
            // `data["driftgate"]`, `data[name]`... may reach the context without naming it.
            self.reads_context |= file.text.contains("driftgate") || file.text.contains("data[");
            let annotations = match metadata::user_annotations(&file.text) {
                Ok(annotations) => annotations,
                Err((line, message)) => {
                    errors.push(PolicyLoadError { file: file.path.clone(), line, column: 1, message });
                    continue;
                }
            };
            let package = match self.add_either_version(file) {
                Ok(package) => package.trim_start_matches("data.").to_string(),
                Err(err) => {
                    errors.push(load_error(&file.path, &err));
                    continue;
                }
            };
            let declared = |name: &str| self.engine.has_declared_rule_rooted_at(&file.path, name).unwrap_or(false);
            let result_rules: Vec<String> =
                candidate_rule_names(&file.text).into_iter().filter(|name| declared(name)).collect();
            let has_exception = declared("exception");
            let entry = match packages.iter().position(|p| p.name == package) {
                Some(index) => &mut packages[index],
                None => {
                    packages.push(UserPackage { name: package.clone(), ..UserPackage::default() });
                    let last = packages.len() - 1;
                    &mut packages[last]
                }
            };
            entry.cross |= annotations.iter().any(|a| a.rule.is_none() && a.scope.as_deref() == Some("cross"));
            entry.has_exception |= has_exception;
            for rule in result_rules {
                if !entry.rules.contains(&rule) {
                    entry.rules.push(rule);
                }
            }
            entry.annotations.extend(annotations);
        }
        for package in packages {
            let scope = if package.name == "driftgate.cross" || package.cross {
                RuleScope::Chart
            } else if namespaces.selects(&package.name) {
                RuleScope::Resource
            } else {
                continue;
            };
            for rule in &package.rules {
                self.rules.push(package.engine_rule(rule, scope));
            }
        }
        if let Err(err) = self.prepare() {
            errors.push(load_error("", &err));
        }
        errors
    }

    fn add_either_version(&mut self, file: &PolicySource) -> Result<String, String> {
        add_either_version(&mut self.engine, file)
    }

    /// Makes `document` available to every policy under `data` (the `--data` files).
    pub fn add_data(&mut self, document: Json) -> Result<(), String> {
        self.engine.add_data(regorus::Value::from(document)).map_err(|err| err.to_string())?;
        self.prepare()
    }

    /// Replaces the wall-clock budget of one rule evaluation.
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.time_limit = limit;
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
    pub fn evaluate_enabled(&self, input: Json, enabled: &dyn Fn(&str) -> bool) -> Vec<(&EngineRule, RuleOutcome)> {
        let mut engine = self.engine.clone();
        engine.set_input(regorus::Value::from(input));
        self.rules
            .iter()
            .filter(|rule| rule.scope == RuleScope::Chart && enabled(&rule.info.id))
            .map(|rule| (rule, eval(&mut engine, &rule.query, self.time_limit)))
            .collect()
    }

    /// Evaluates every per-resource rule on each resource of one environment; `context` becomes
    /// `data.driftgate.context`. A rule its package's `exception` exempts is not evaluated.
    pub fn evaluate_resources(&self, context: Json, resources: &[Json]) -> ResourceResults<'_> {
        let mut results = ResourceResults { outcomes: Vec::new(), exceptions: Vec::new() };
        let rules: Vec<&EngineRule> = self.rules.iter().filter(|r| r.scope == RuleScope::Resource).collect();
        if rules.is_empty() {
            return results;
        }
        let mut engine = self.engine.clone();
        let context = json!({ "driftgate": { "context": context } });
        if let Err(err) = if self.reads_context { engine.add_data(regorus::Value::from(context)) } else { Ok(()) } {
            results.outcomes = rules.into_iter().map(|rule| (rule, 0, Err(err.to_string()))).collect();
            return results;
        }
        for (index, resource) in resources.iter().enumerate() {
            engine.set_input(regorus::Value::from(resource.clone()));
            let mut exceptions: Vec<(&str, Result<Vec<String>, String>)> = Vec::new();
            for rule in &rules {
                if let Some(query) = rule.exception_query.as_deref() {
                    let listed = match exceptions.iter().find(|(q, _)| *q == query) {
                        Some((_, listed)) => listed.clone(),
                        None => {
                            let listed = exception_names(&mut engine, query);
                            exceptions.push((query, listed.clone()));
                            listed
                        }
                    };
                    match listed {
                        Ok(names) if rule.exempt_as.iter().any(|n| names.contains(n)) => {
                            results.exceptions.push((*rule, index));
                            continue;
                        }
                        Ok(_) => {}
                        Err(message) => {
                            results.outcomes.push((*rule, index, Err(message)));
                            continue;
                        }
                    }
                }
                if self.was_stopped(&rule.query) {
                    continue;
                }
                let outcome = eval(&mut engine, &rule.query, self.time_limit);
                if outcome.as_ref().is_err_and(|message| message.starts_with(STOPPED)) {
                    if let Ok(mut stopped) = self.stopped.lock() {
                        stopped.push(rule.query.clone());
                    }
                }
                results.outcomes.push((*rule, index, outcome));
            }
        }
        results
    }

    fn was_stopped(&self, query: &str) -> bool {
        self.stopped.lock().map(|stopped| stopped.iter().any(|q| q == query)).unwrap_or(false)
    }
}

/// The user policies of one package, gathered over its files.
#[derive(Default)]
struct UserPackage {
    name: String,
    /// METADATA says `custom.scope: cross`.
    cross: bool,
    has_exception: bool,
    /// Declared result rules (`deny`, `warn_latest`...), in first-seen order.
    rules: Vec<String>,
    annotations: Vec<metadata::UserAnnotation>,
}

impl UserPackage {
    /// The engine rule for one result rule: METADATA of the rule, else of the package, else
    /// names derived from the package and rule.
    fn engine_rule(&self, rule: &str, scope: RuleScope) -> EngineRule {
        let rule_meta = self.annotations.iter().find(|a| a.rule.as_deref() == Some(rule));
        let package_meta = self.annotations.iter().find(|a| a.rule.is_none());
        let pick = |field: fn(&metadata::UserAnnotation) -> Option<String>| {
            rule_meta.and_then(field).or_else(|| package_meta.and_then(field))
        };
        let derived_id = format!("{}.{rule}", self.name);
        let is_warning = rule == "warn" || rule.starts_with("warn_");
        let declared_severity = rule_meta.and_then(|a| a.severity).or_else(|| package_meta.and_then(|a| a.severity));
        // A package-wide severity does not turn its `warn` rules into errors.
        let severity = match (rule_meta.and_then(|a| a.severity), declared_severity) {
            (Some(own), _) => own,
            (None, Some(_)) if is_warning => Severity::Warning,
            (None, Some(shared)) => shared,
            (None, None) if is_warning => Severity::Warning,
            (None, None) => Severity::Error,
        };
        let info = RuleInfo {
            id: pick(|a| a.id.clone()).unwrap_or_else(|| derived_id.clone()),
            name: pick(|a| a.title.clone()).unwrap_or_else(|| derived_id.replace(['.', '_'], "-")),
            default_severity: severity,
            summary: pick(|a| a.description.clone()).unwrap_or_default(),
            docs: pick(|a| a.docs.clone()).unwrap_or_default(),
            engine: RuleEngine::Rego,
            redacts_values: false,
            hint: pick(|a| a.hint.clone()),
        };
        let stripped = rule.strip_prefix("deny_").or_else(|| rule.strip_prefix("violation_")).unwrap_or(rule);
        let mut exempt_as = vec![stripped.to_string()];
        // conftest documents `""` as exempting the unsuffixed `deny` and `violation` rules.
        if rule == "deny" || rule == "violation" {
            exempt_as.push(String::new());
        }
        EngineRule {
            info,
            query: format!("data.{}.{rule}", self.name),
            scope,
            severity,
            exception_query: (self.has_exception && scope == RuleScope::Resource)
                .then(|| format!("data.{}.exception", self.name)),
            exempt_as,
        }
    }
}

/// Adds one policy as Rego v1, or, if that does not parse and the file reads like v0 (no `if`
/// keyword, or `future.keywords` imports), as v0; v1's error otherwise.
fn add_either_version(engine: &mut regorus::Engine, file: &PolicySource) -> Result<String, String> {
    match engine.add_policy(file.path.clone(), file.text.clone()) {
        Ok(package) => Ok(package),
        Err(v1_error) if !reads_like_rego_v0(&file.text) => Err(v1_error.to_string()),
        Err(v1_error) => {
            engine.set_rego_v0(true);
            let v0 = engine.add_policy(file.path.clone(), file.text.clone());
            engine.set_rego_v0(false);
            v0.map_err(|_| v1_error.to_string())
        }
    }
}

/// True for pre-1.0 Rego: keywords come from `future.keywords` imports, or `if` is not used at
/// all (the v0 parser would otherwise warn about every `if` on standard error).
fn reads_like_rego_v0(source: &str) -> bool {
    if source.contains("import future.keywords") {
        return true;
    }
    !source.lines().any(|line| {
        let code = line.split('#').next().unwrap_or_default();
        code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(|word| word == "if")
    })
}

/// Rule names in a Rego source that conftest treats as results: `deny`, `violation`, `warn`,
/// each optionally followed by `_suffix` parts (checked against the parsed module afterwards).
fn candidate_rule_names(source: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in source.lines() {
        let name: String = line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let base = ["deny", "violation", "warn"].into_iter().find(|base| {
            name.strip_prefix(base).is_some_and(|rest| {
                rest.is_empty() || rest.split('_').skip(1).all(|part| !part.is_empty()) && rest.starts_with('_')
            })
        });
        if base.is_some() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The rule names an `exception` rule lists for the current input (a set of lists of names).
fn exception_names(engine: &mut regorus::Engine, query: &str) -> Result<Vec<String>, String> {
    let value = engine.eval_rule(query.to_string()).map_err(|err| err.to_string())?;
    if value == regorus::Value::Undefined {
        return Ok(Vec::new());
    }
    let json = serde_json::to_value(&value).map_err(|err| err.to_string())?;
    let Json::Array(lists) = json else {
        return Err(format!("an exception rule must be a set of rule-name lists, got {json}"));
    };
    let mut names = Vec::new();
    for list in lists {
        match list {
            Json::Array(items) => names.extend(items.into_iter().filter_map(|i| i.as_str().map(str::to_string))),
            Json::String(name) => names.push(name),
            other => return Err(format!("an exception must list rule names, got {other}")),
        }
    }
    Ok(names)
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
        match add_either_version(&mut engine, file) {
            Ok(package) => {
                for name in test_rule_names(&file.text) {
                    let rule = format!("{package}.{name}");
                    if !tests.iter().any(|(_, r): &(String, String)| *r == rule) {
                        tests.push((file.path.clone(), rule));
                    }
                }
            }
            Err(err) => errors.push(load_error(&file.path, &err)),
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

/// How the message of a rule stopped by the time limit starts.
const STOPPED: &str = "stopped after";

fn eval(engine: &mut regorus::Engine, query: &str, limit: Duration) -> RuleOutcome {
    engine
        .eval_rule(query.to_string())
        .map_err(|err| {
            let message = err.to_string();
            // regorus's message carries the elapsed nanoseconds, different on every run.
            if message.contains("exceeded time limit") {
                format!("{STOPPED} the {} ms time limit (does it loop, or iterate over too much?)", limit.as_millis())
            } else {
                message
            }
        })
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

/// The findings in a rule's value: a set (or array) of strings or objects with a string `msg`;
/// undefined is none, and so is an empty message (conftest counts it as a success).
fn findings_of(value: &regorus::Value) -> RuleOutcome {
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
fn clip(text: &str) -> String {
    const LIMIT: usize = 200;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
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
        let resources: Vec<Json> = env.render.resources.iter().map(|r| r.doc.to_json()).collect();
        environments.insert(
            env.name.clone(),
            json!({
                "name": env.name,
                "stage": env.stage,
                "stage_index": env.stage_index,
                "version": env.version.as_ref().map(|v| v.version.clone()),
                "values": env.values.to_json(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_names_a_place_and_an_unknown_one_means_the_field() {
        let at =
            |text: &str| serde_json::from_value::<RegoFinding>(serde_json::json!({"msg": "m", "at": text})).unwrap().at;
        assert_eq!(at("override"), Some(At::Override));
        assert_eq!(at("version"), Some(At::Version));
        assert_eq!(at("inventory"), Some(At::Inventory));
        assert_eq!(at("values"), Some(At::Values));
        assert_eq!(at("template"), Some(At::Template));
        assert_eq!(at("field"), Some(At::Field));
        assert_eq!(at("somewhere"), Some(At::Field));
        let none: RegoFinding = serde_json::from_value(serde_json::json!({"msg": "m"})).unwrap();
        assert_eq!(none.at, None);
    }

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
        assert_eq!(err, "stopped after the 200 ms time limit (does it loop, or iterate over too much?)");
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
    fn conftest_rule_names_are_found_and_others_ignored() {
        let source = "package main\n\ndeny[msg] { msg := \"a\" }\ndeny_latest_tag contains x if { x := 1 }\n\
                      violation_labels_2 contains x if { x := 1 }\nwarn_ contains x if { x := 1 }\ndenylist := []\n\
                      warnings := 1\n\tdeny_inner := 2\n";
        assert_eq!(candidate_rule_names(source), ["deny", "deny_latest_tag", "violation_labels_2"]);
        assert!(reads_like_rego_v0("package main\n# fails if it must\ndeny[msg] { msg := \"x\" }\n"));
        assert!(!reads_like_rego_v0("package main\ndeny contains msg if { msg := \"x\" }\n"));
        assert!(reads_like_rego_v0("package main\nimport future.keywords.if\ndeny[msg] if { msg := \"x\" }\n"));
    }

    #[test]
    fn exceptions_exempt_suffixed_rules_and_the_empty_name_exempts_plain_deny() {
        let policy = "package main\n\ndeny_foo[msg] { msg := \"foo\" }\n\ndeny[msg] { msg := \"plain\" }\n\n\
                      warn_foo[msg] { msg := \"warned\" }\n\nexception[rules] { input.skip_foo; rules := [\"foo\"] }\n\n\
                      exception[rules] { input.skip_all; rules := [\"\"] }\n";
        let mut engine = crate::policy::builtin_engine().clone().unwrap();
        let errors = engine.add_user_policies(
            &[PolicySource { path: "p.rego".into(), text: policy.into() }],
            &NamespaceSelection::default(),
        );
        assert_eq!(errors, []);
        let run = |input: Json| {
            let results = engine.evaluate_resources(json!({}), &[input]);
            let mut found: Vec<String> = results
                .outcomes
                .iter()
                .flat_map(|(rule, _, outcome)| {
                    outcome.clone().unwrap().into_iter().map(move |f| format!("{}={}", rule.info.id, f.msg))
                })
                .collect();
            found.sort();
            let exempted: Vec<&str> = results.exceptions.iter().map(|(rule, _)| rule.info.id.as_str()).collect();
            (found, exempted)
        };
        assert_eq!(
            run(json!({})),
            (vec!["main.deny=plain".into(), "main.deny_foo=foo".into(), "main.warn_foo=warned".into()], vec![])
        );
        // conftest: warn_foo is not a failure rule, so `foo` does not exempt it.
        assert_eq!(
            run(json!({"skip_foo": true})),
            (vec!["main.deny=plain".into(), "main.warn_foo=warned".into()], vec!["main.deny_foo"])
        );
        assert_eq!(
            run(json!({"skip_all": true})),
            (vec!["main.deny_foo=foo".into(), "main.warn_foo=warned".into()], vec!["main.deny"])
        );
    }

    #[test]
    fn results_without_a_string_msg_are_errors_and_empty_messages_pass() {
        let policy = "package main\n\ndeny contains {\"message\": \"no msg\"} if true\n\nwarn contains \"\" if true\n";
        let mut engine = crate::policy::builtin_engine().clone().unwrap();
        let errors = engine.add_user_policies(
            &[PolicySource { path: "p.rego".into(), text: policy.into() }],
            &NamespaceSelection::default(),
        );
        assert_eq!(errors, []);
        let results = engine.evaluate_resources(json!({}), &[json!({})]);
        let outcomes: Vec<(&str, RuleOutcome)> =
            results.outcomes.into_iter().map(|(rule, _, outcome)| (rule.info.id.as_str(), outcome)).collect();
        assert_eq!(
            outcomes,
            [
                ("main.deny", Err(r#"a result object needs a string `msg`, got {"message":"no msg"}"#.to_string())),
                ("main.warn", Ok(vec![])),
            ]
        );
    }

    #[test]
    fn metadata_names_rules_per_rule_or_per_package() {
        let policy = "# METADATA\n# title: pkg-title\n# custom:\n#   id: ACME100\n#   severity: error\npackage acme\n\n\
                      deny contains \"d\" if true\n\nwarn contains \"w\" if true\n\n\
                      # METADATA\n# title: own-title\n# custom:\n#   id: ACME101\n#   severity: info\n\
                      deny_own contains \"o\" if true\n";
        let mut engine = crate::policy::builtin_engine().clone().unwrap();
        let selection = NamespaceSelection { names: vec!["acme".into()], all: false };
        let errors =
            engine.add_user_policies(&[PolicySource { path: "p.rego".into(), text: policy.into() }], &selection);
        assert_eq!(errors, []);
        let rules: Vec<(&str, &str, &str, Severity)> = engine
            .rules()
            .iter()
            .filter(|r| r.scope == RuleScope::Resource)
            .map(|r| (r.query.as_str(), r.info.id.as_str(), r.info.name.as_str(), r.severity))
            .collect();
        assert_eq!(
            rules,
            [
                ("data.acme.deny", "ACME100", "pkg-title", Severity::Error),
                ("data.acme.warn", "ACME100", "pkg-title", Severity::Warning),
                ("data.acme.deny_own", "ACME101", "own-title", Severity::Info),
            ]
        );
        let bad = "package acme\n\n# METADATA\n# custom:\n#   severity: loud\ndeny contains \"d\" if true\n";
        let mut engine = crate::policy::builtin_engine().clone().unwrap();
        let errors =
            engine.add_user_policies(&[PolicySource { path: "bad.rego".into(), text: bad.into() }], &selection);
        assert_eq!(
            errors,
            [PolicyLoadError {
                file: "bad.rego".into(),
                line: 3,
                column: 1,
                message: "custom.severity must be error, warning or info, not `loud`".into()
            }]
        );
    }

    #[test]
    fn kube_minor_versions() {
        assert_eq!(kube_minor("1.33"), Some(33));
        assert_eq!(kube_minor("v1.29.4"), Some(29));
        assert_eq!(kube_minor("1.30+-gke"), Some(30));
        assert_eq!(kube_minor("latest"), None);
        assert_eq!(kube_minor(""), None);
    }
}
