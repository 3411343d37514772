//! The Rego engine (regorus): the built-in policies compiled once and cloned per worker, user
//! policies added to them, and evaluation with time and result limits. What a policy reads is
//! [`input`], what its results mean is [`results`], `driftgate test` is [`test_runner`]; the
//! `# METADATA` blocks are read by [`metadata`] and user policy files by [`user`].

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use serde_json::{Value as Json, json};

use crate::diagnostic::Severity;

use super::registry::{RuleEngine, RuleInfo, lookup};

pub(crate) mod input;
pub(crate) mod metadata;
pub(crate) mod results;
pub(crate) mod test_runner;
#[cfg(test)]
mod tests;
pub mod user;

pub use input::chart_input;
pub use results::{At, RegoFinding, RegoRelated, ResourceRef, RuleOutcome};
pub use test_runner::{PolicyTestResult, TestOutcome, run_tests};

use metadata::BUILTIN_LIBRARY;
use results::findings_of;

/// Wall-clock budget of one rule evaluation: a policy that loops is cut off, not waited for.
pub(super) const EVALUATION_LIMIT: Duration = Duration::from_secs(2);

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
    pub fn evaluate(&self, input: impl Into<regorus::Value>) -> Vec<(&EngineRule, RuleOutcome)> {
        self.evaluate_enabled(input, &|_| true)
    }

    /// [`evaluate`](Self::evaluate) for the rules whose id `enabled` accepts (`off` rules cost nothing).
    pub fn evaluate_enabled(
        &self,
        input: impl Into<regorus::Value>,
        enabled: &dyn Fn(&str) -> bool,
    ) -> Vec<(&EngineRule, RuleOutcome)> {
        let mut engine = self.engine.clone();
        engine.set_input(input.into());
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
pub(super) fn add_either_version(engine: &mut regorus::Engine, file: &PolicySource) -> Result<String, String> {
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
/// How the message of a rule stopped by the time limit starts.
const STOPPED: &str = "stopped after";

pub(super) fn eval(engine: &mut regorus::Engine, query: &str, limit: Duration) -> RuleOutcome {
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
pub(super) fn load_error(path: &str, message: &str) -> PolicyLoadError {
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
