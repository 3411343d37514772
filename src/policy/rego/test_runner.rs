//! `driftgate test`: the `test_*` rules of policies and their tests, run like `opa test`.

use std::num::NonZeroU32;
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;

use super::{EVALUATION_LIMIT, PolicyLoadError, PolicySource, add_either_version, load_error};

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
