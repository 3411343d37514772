//! Views of a run's results. Of `check`'s diagnostics: [`human`] (terminal), [`json`] (the
//! versioned contract), [`github`] (Actions annotations), [`sarif`] (code scanning) and
//! [`junit`] (CI test reports), [`codequality`] (GitLab merge requests); of `diff`: [`diff`]; of `test`: [`policy_tests`].

use crate::diagnostic::{Diagnostic, Severity};

pub mod codequality;
pub mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod policy_tests;
pub mod sarif;
#[cfg(test)]
mod tests;

/// What a report shows besides the findings: the baseline's outcome, and the suppressed
/// findings (`--show-suppressed`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Extras<'a> {
    pub baseline: Option<&'a crate::check::BaselineOutcome>,
    pub suppressed: Option<&'a [Diagnostic]>,
}

/// Errors, warnings and infos among `diagnostics`.
pub fn count_severities(diagnostics: &[Diagnostic]) -> (usize, usize, usize) {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    (count(Severity::Error), count(Severity::Warning), count(Severity::Info))
}
