//! Built-in rules implemented in Rust: one file per rule, its documentation beside its code.

use crate::model::{ChartRun, Project};

use super::config::Finding;
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

/// The metadata of every Rust rule.
pub const RUST_RULES: &[RuleMeta] = &[
    dg001_render_error::RULE,
    dg002_invalid_values::RULE,
    dg003_invalid_manifest::RULE,
    dg004_invalid_suppression::RULE,
    dg101_k8s_schema::RULE,
    dg102_deprecated_api::RULE,
    dg205_unknown_values_key::RULE,
    dg401_chart_version_unpinned::RULE,
    dg402_chart_version_not_bumped::RULE,
];

/// The fix hint of a finding made while loading or rendering (DG001, DG002, DG003).
pub fn renderer_hint(rule: &str) -> Option<&'static str> {
    match rule {
        "DG001" => Some(dg001_render_error::HINT),
        "DG002" => Some(dg002_invalid_values::HINT),
        "DG003" => Some(dg003_invalid_manifest::HINT),
        _ => None,
    }
}

/// Runs the Rust rules that inspect a chart (DG001/DG003 come from the renderer; DG004 from
/// reading suppressions; DG402 runs only with a git base, see `policy::evaluate_gated`).
pub fn check_chart(project: &Project, chart: &ChartRun, enabled: &dyn Fn(&str) -> bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    if enabled(dg205_unknown_values_key::RULE.id) {
        findings.extend(dg205_unknown_values_key::check(project, chart));
    }
    if enabled(dg401_chart_version_unpinned::RULE.id) {
        findings.extend(dg401_chart_version_unpinned::check(project, chart));
    }
    if enabled(dg101_k8s_schema::RULE.id) {
        findings.extend(dg101_k8s_schema::check(project, chart));
    }
    if enabled(dg102_deprecated_api::RULE.id) {
        findings.extend(dg102_deprecated_api::check(project, chart));
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
}
