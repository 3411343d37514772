//! DG002 invalid-values: a values file Helm cannot read. The values loader reports it.

use crate::diagnostic::Severity;
use crate::policy::registry::RuleMeta;

/// The one-line fix hint under each finding.
pub const HINT: &str = "fix the YAML syntax; Helm cannot read this file either";

/// The registry entry of DG002.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG002",
    name: "invalid-values",
    default_severity: Severity::Error,
    summary: "A values file is not valid YAML, or the merged values fail the chart's values.schema.json.",
    hint: Some(HINT),
    redacts_values: false,
    docs: r#"## What it does

Reports a values file (the chart's `values.yaml` or an environment's override file) that is
not valid YAML, is not a mapping, or holds a value Helm cannot convert (`.inf`, `.nan`), at
the line and column where reading stopped. Checking the merged values against the chart's
`values.schema.json` belongs to this rule too.

## Why it matters

Helm refuses to render an environment whose values it cannot read, so the deploy of that
environment fails; the file is usually one that only that environment uses.

## Example

```yaml
# values-prod.yaml
image:
  tag: 1.4.2
 pullPolicy: Always      # indented one space too few
```

reports the line and column of the broken indentation.

## Fix

```yaml
image:
  tag: 1.4.2
  pullPolicy: Always
```
"#,
};
