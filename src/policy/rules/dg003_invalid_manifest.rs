//! DG003 invalid-manifest: rendered output that is not a valid Kubernetes manifest.

use crate::diagnostic::Severity;
use crate::policy::registry::RuleMeta;

/// The one-line fix hint under each finding.
pub const HINT: &str = "make the template emit one complete, uniquely named resource per document";

/// The registry entry of DG003.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG003",
    name: "invalid-manifest",
    default_severity: Severity::Error,
    summary: "Rendered output is not valid YAML, lacks apiVersion, kind or name, or repeats a resource.",
    hint: Some(HINT),
    redacts_values: false,
    docs: r#"## What it does

Checks each document a template renders: it must be valid YAML, be a mapping with `apiVersion`,
`kind` and `metadata.name`, and not repeat a resource (same apiVersion, kind, namespace and name)
that another document of the same environment already rendered. The finding points at the
template that wrote the document.

## Why it matters

Kubernetes rejects the release, or — for a repeated resource — silently applies only one of the
two, whichever comes last.

## Example

```yaml
# templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Values.configName }}   # empty in values-prod.yaml
```

reports `ConfigMap in web/templates/configmap.yaml has no metadata.name`.

## Fix

Give every rendered resource a name (and a unique one):

```yaml
metadata:
  name: {{ include "web.fullname" . }}-config
```
"#,
};
