//! DG001 render-error: a template fails for an environment. The renderer reports it.

use crate::diagnostic::Severity;
use crate::policy::registry::RuleMeta;

/// The one-line fix hint under each finding.
pub const HINT: &str = "fix the template, or the values it reads, so that `helm template` succeeds";

/// The registry entry of DG001.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG001",
    name: "render-error",
    default_severity: Severity::Error,
    summary: "A template fails to render for an environment.",
    hint: Some(HINT),
    redacts_values: false,
    docs: r#"## What it does

Reports an environment whose chart does not render: a template syntax error, a `required` value
that is missing, a `fail` call, an `include` of a template that does not exist, or a function
called with the wrong type. The finding points at the template line and column where rendering
stopped, with the message Helm would print.

## Why it matters

`helm upgrade` would fail in that environment; usually only there, because the values that
break the template are that environment's.

## Example

```yaml
# templates/deployment.yaml
image: {{ required "image.tag is required" .Values.image.tag }}
# values-prod.yaml sets no image.tag
```

reports `execution error at (web/templates/deployment.yaml:7:10): image.tag is required`.

## Fix

Supply the value in the environment's override file (or a default in `values.yaml`):

```yaml
# values-prod.yaml
image:
  tag: 1.4.2
```
"#,
};
