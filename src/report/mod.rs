//! Views of the same diagnostics: [`human`] (terminal) and [`json`] (the versioned contract).

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;

pub mod human;
pub mod json;

/// What a run covered, for the summary line of every report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub charts: usize,
    pub environments: usize,
    pub resources: usize,
    /// Findings silenced by an ignore entry or an inline suppression comment.
    pub suppressed: usize,
    /// Rule evaluations exempted by a user policy's `exception` rule (conftest's tally).
    pub exceptions: usize,
}

impl RunSummary {
    /// Counts the charts, environments and rendered resources of a project.
    pub fn of(project: &Project) -> Self {
        RunSummary {
            charts: project.charts.len(),
            environments: project.charts.iter().map(|c| c.environments.len()).sum(),
            resources: project
                .charts
                .iter()
                .flat_map(|c| &c.environments)
                .map(|e| e.render.resources.len())
                .sum(),
            suppressed: 0,
            exceptions: 0,
        }
    }
}

/// Errors, warnings and infos among `diagnostics`.
pub fn count_severities(diagnostics: &[Diagnostic]) -> (usize, usize, usize) {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    (count(Severity::Error), count(Severity::Warning), count(Severity::Info))
}
