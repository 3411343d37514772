//! Views of the same diagnostics: [`human`] (terminal), [`json`] (the versioned contract),
//! [`github`] (Actions annotations), [`sarif`] (code scanning) and [`junit`] (CI test reports).

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;
use crate::policy::{self, RuleInfo};

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

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
            resources: project.charts.iter().flat_map(|c| &c.environments).map(|e| e.render.resources.len()).sum(),
            suppressed: 0,
            exceptions: 0,
        }
    }
}

/// What a run checked beyond the counts: the chart directories (so a clean chart still shows in
/// JUnit) and the metadata of loaded user rules (so SARIF can describe them).
#[derive(Clone, Debug, Default)]
pub struct RunScope {
    /// Chart directories relative to the checked directory, e.g. `charts/shop`.
    pub charts: Vec<String>,
    /// Rules declared by user policies.
    pub user_rules: Vec<RuleInfo>,
}

impl RunScope {
    /// The chart directories and user rules of a loaded run.
    pub fn of(project: &Project, user_rules: Vec<RuleInfo>) -> Self {
        RunScope { charts: project.charts.iter().map(|c| c.path.clone()).collect(), user_rules }
    }

    /// The metadata of rule `id`: built-in first, then user rules.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        policy::lookup(id).or_else(|| self.user_rules.iter().find(|rule| rule.id == id))
    }
}

/// Errors, warnings and infos among `diagnostics`.
pub fn count_severities(diagnostics: &[Diagnostic]) -> (usize, usize, usize) {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    (count(Severity::Error), count(Severity::Warning), count(Severity::Info))
}
