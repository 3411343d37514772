//! The built-in rules written in Rust, one file per rule with its documentation beside its
//! code, and [`RUST_RULES`]: the one table that says what each of them is and how it runs.
//!
//! Adding a Rust rule is: a file here declaring its [`RuleMeta`] and its check, a line in
//! [`RUST_RULES`], and a case under `testdata/check/` (see docs/rules.md). Rego rules are a
//! file under `policies/` and need no entry here.

use crate::git::BaseDiff;
use crate::model::{ChartRun, Project};

use super::gate::Finding;
use super::registry::RuleMeta;

pub mod dg001_render_error;
pub mod dg002_invalid_values;
pub mod dg003_invalid_manifest;
pub mod dg004_invalid_suppression;
pub mod dg101_k8s_schema;
pub mod dg102_deprecated_api;
pub mod dg205_unknown_values_key;
pub mod dg401_chart_version_unpinned;
pub mod dg402_chart_version_not_bumped;
pub mod dg405_chart_version_unpublished;
pub mod dg601_baseline_mismatch;

/// What a chart-wide Rust rule reads besides the chart.
#[derive(Clone, Copy)]
pub struct RuleContext<'a> {
    pub project: &'a Project,
    /// The working tree's changes since `--base`, when there is one.
    pub base: Option<&'a BaseDiff>,
}

/// How a Rust rule runs.
#[derive(Clone, Copy)]
pub enum Runner {
    /// Its findings are made on the way, while loading and rendering (DG001-DG003) or reading
    /// suppression comments (DG004); they are configured like every other finding.
    Pipeline,
    /// Run once per chart, when enabled.
    Chart(fn(&RuleContext, &ChartRun) -> Vec<Finding>),
}

/// A Rust rule: its catalogue entry and how it runs.
#[derive(Clone, Copy)]
pub struct RustRule {
    pub meta: RuleMeta,
    pub runner: Runner,
}

/// Every built-in rule written in Rust, by id.
pub const RUST_RULES: &[RustRule] = &[
    RustRule { meta: dg001_render_error::RULE, runner: Runner::Pipeline },
    RustRule { meta: dg002_invalid_values::RULE, runner: Runner::Pipeline },
    RustRule { meta: dg003_invalid_manifest::RULE, runner: Runner::Pipeline },
    RustRule { meta: dg004_invalid_suppression::RULE, runner: Runner::Pipeline },
    RustRule { meta: dg101_k8s_schema::RULE, runner: Runner::Chart(dg101_k8s_schema::check) },
    RustRule { meta: dg102_deprecated_api::RULE, runner: Runner::Chart(dg102_deprecated_api::check) },
    RustRule { meta: dg205_unknown_values_key::RULE, runner: Runner::Chart(dg205_unknown_values_key::check) },
    RustRule { meta: dg401_chart_version_unpinned::RULE, runner: Runner::Chart(dg401_chart_version_unpinned::check) },
    RustRule {
        meta: dg402_chart_version_not_bumped::RULE,
        runner: Runner::Chart(dg402_chart_version_not_bumped::check),
    },
    RustRule {
        meta: dg405_chart_version_unpublished::RULE,
        runner: Runner::Chart(dg405_chart_version_unpublished::check),
    },
    RustRule { meta: dg601_baseline_mismatch::RULE, runner: Runner::Chart(dg601_baseline_mismatch::check) },
];

/// The hint of a rule whose findings are made on the way ([`Runner::Pipeline`]): the loader
/// and the renderer know what failed, not how the rule advises to fix it.
pub fn pipeline_hint(id: &str) -> Option<&'static str> {
    RUST_RULES.iter().find(|rule| rule.meta.id == id && matches!(rule.runner, Runner::Pipeline))?.meta.hint
}

/// Runs every enabled chart-wide Rust rule on `chart`, in table order.
pub fn check_chart(context: &RuleContext, chart: &ChartRun, enabled: &dyn Fn(&str) -> bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in RUST_RULES {
        if let Runner::Chart(check) = rule.runner {
            if enabled(rule.meta.id) {
                findings.extend(check(context, chart));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

    /// The loader and renderer make DG001-DG003 findings without the registry; they must carry
    /// the registered id, name and default severity.
    #[test]
    fn loading_findings_match_their_registered_rules() {
        let made = [
            (Diagnostic::render_error("m", None), dg001_render_error::RULE),
            (Diagnostic::invalid_values("m", None), dg002_invalid_values::RULE),
            (Diagnostic::invalid_manifest("m", None), dg003_invalid_manifest::RULE),
        ];
        for (diagnostic, rule) in made {
            assert_eq!(
                (diagnostic.rule.as_str(), diagnostic.name.as_str(), diagnostic.severity),
                (rule.id, rule.name, rule.default_severity)
            );
        }
    }

    /// One file per rule, named after its id and name, and the table in id order.
    #[test]
    fn rule_files_follow_the_table() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/policy/rules");
        let ids: Vec<&str> = RUST_RULES.iter().map(|rule| rule.meta.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "RUST_RULES is ordered by id, each id once");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "mod.rs")
            .collect();
        files.sort();
        let expected: Vec<String> = RUST_RULES
            .iter()
            .map(|rule| format!("{}_{}.rs", rule.meta.id.to_lowercase(), rule.meta.name.replace('-', "_")))
            .collect();
        assert_eq!(files, expected);
    }
}
