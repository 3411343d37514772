//! DG601 baseline-mismatch: a rendered environment differs from the plain manifests it is
//! declared to replace. Specified, not implemented yet.

use crate::diagnostic::Severity;
use crate::policy::registry::RuleMeta;

/// The registry entry of DG601.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG601",
    name: "baseline-mismatch",
    default_severity: Severity::Error,
    summary: "A rendered environment differs from its declared baseline manifests.",
    hint: None,
    redacts_values: false,
    docs: "",
};
