//! DG102 deprecated-api: a resource uses an apiVersion that the target Kubernetes version has
//! removed (error) or deprecated (warning).

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ChartRun;
use crate::policy::gate::Finding;
use crate::policy::registry::RuleMeta;
use crate::policy::rules::RuleContext;
use crate::policy::schema::kubernetes::{KubeVersion, parse_kube_version, version_text};
use crate::provenance;

/// The registry entry of DG102.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG102",
    name: "deprecated-api",
    default_severity: Severity::Error,
    summary: "An apiVersion is removed (error) or deprecated (warning) in the target Kubernetes version.",
    hint: None,
    redacts_values: false,
    docs: r#"## What it does

Looks up the `apiVersion` and `kind` of every rendered resource in a table of the Kubernetes
APIs that were deprecated and later removed (from Kubernetes' Deprecated API Migration Guide,
covering the removals of 1.16, 1.22, 1.25, 1.26, 1.27, 1.29 and 1.32). An API the target
version (`kubeVersion`) no longer serves is an error; one it still serves but has deprecated is
a warning. The finding points at the origin of the `apiVersion:` line (the template, or the
values entry that supplied it) and names the apiVersion to use instead that the target version
serves.

## Why it matters

The API server of the target version refuses a removed API outright: the deploy fails, in the
first environment that upgrades its cluster, not in the one where the chart was written.
A deprecated API works today and breaks with the next upgrade.

## Example

```yaml
# kubeVersion: "1.33"
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
```

reports `policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (target: 1.33)`
with the hint "use apiVersion: policy/v1".

## Fix

```yaml
apiVersion: policy/v1
kind: PodDisruptionBudget
```
"#,
};

/// An API (group/version and kind) with the versions that deprecated and removed it.
#[derive(Clone, Copy, Debug)]
pub struct RetiredApi {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub deprecated_in: KubeVersion,
    pub removed_in: KubeVersion,
    /// What to use instead: `(apiVersion, first version serving it)`, preferred first; empty
    /// when the API has no successor.
    pub replacements: &'static [(&'static str, KubeVersion)],
    /// What to do when there is no successor apiVersion.
    pub note: &'static str,
}

const APPS_V1: &[(&str, KubeVersion)] = &[("apps/v1", (1, 9))];
const NETWORKING_V1: &[(&str, KubeVersion)] = &[("networking.k8s.io/v1", (1, 8))];
const INGRESS_V1: &[(&str, KubeVersion)] = &[("networking.k8s.io/v1", (1, 19))];
const FLOWCONTROL: &[(&str, KubeVersion)] =
    &[("flowcontrol.apiserver.k8s.io/v1", (1, 29)), ("flowcontrol.apiserver.k8s.io/v1beta3", (1, 26))];
const NONE: &[(&str, KubeVersion)] = &[];
const PSP_NOTE: &str = "PodSecurityPolicy has no successor API: enforce Pod Security Standards with namespace labels (Pod Security Admission)";

const fn api(
    api_version: &'static str,
    kind: &'static str,
    deprecated_in: KubeVersion,
    removed_in: KubeVersion,
    replacements: &'static [(&'static str, KubeVersion)],
) -> RetiredApi {
    RetiredApi { api_version, kind, deprecated_in, removed_in, replacements, note: "" }
}

/// Retired APIs, from the Kubernetes Deprecated API Migration Guide
/// (<https://kubernetes.io/docs/reference/using-api/deprecation-guide/>) and the release notes
/// of the version that deprecated each one. The removals from 1.26 on are cross-checked against
/// the bundled schemas by a test.
pub const RETIRED_APIS: &[RetiredApi] = &[
    // Removed in 1.16.
    api("extensions/v1beta1", "Deployment", (1, 9), (1, 16), APPS_V1),
    api("extensions/v1beta1", "DaemonSet", (1, 9), (1, 16), APPS_V1),
    api("extensions/v1beta1", "ReplicaSet", (1, 9), (1, 16), APPS_V1),
    api("extensions/v1beta1", "NetworkPolicy", (1, 9), (1, 16), NETWORKING_V1),
    RetiredApi {
        api_version: "extensions/v1beta1",
        kind: "PodSecurityPolicy",
        deprecated_in: (1, 11),
        removed_in: (1, 16),
        replacements: &[("policy/v1beta1", (1, 10))],
        note: PSP_NOTE,
    },
    api("apps/v1beta1", "Deployment", (1, 9), (1, 16), APPS_V1),
    api("apps/v1beta1", "StatefulSet", (1, 9), (1, 16), APPS_V1),
    api("apps/v1beta1", "ControllerRevision", (1, 9), (1, 16), APPS_V1),
    api("apps/v1beta2", "Deployment", (1, 9), (1, 16), APPS_V1),
    api("apps/v1beta2", "StatefulSet", (1, 9), (1, 16), APPS_V1),
    api("apps/v1beta2", "DaemonSet", (1, 9), (1, 16), APPS_V1),
    api("apps/v1beta2", "ReplicaSet", (1, 9), (1, 16), APPS_V1),
    api("apps/v1beta2", "ControllerRevision", (1, 9), (1, 16), APPS_V1),
    // Removed in 1.22.
    api(
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        (1, 16),
        (1, 22),
        &[("admissionregistration.k8s.io/v1", (1, 16))],
    ),
    api(
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        (1, 16),
        (1, 22),
        &[("admissionregistration.k8s.io/v1", (1, 16))],
    ),
    api(
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        (1, 16),
        (1, 22),
        &[("apiextensions.k8s.io/v1", (1, 16))],
    ),
    api("apiregistration.k8s.io/v1beta1", "APIService", (1, 19), (1, 22), &[("apiregistration.k8s.io/v1", (1, 10))]),
    api("authentication.k8s.io/v1beta1", "TokenReview", (1, 19), (1, 22), &[("authentication.k8s.io/v1", (1, 6))]),
    api(
        "authorization.k8s.io/v1beta1",
        "SubjectAccessReview",
        (1, 19),
        (1, 22),
        &[("authorization.k8s.io/v1", (1, 6))],
    ),
    api(
        "authorization.k8s.io/v1beta1",
        "LocalSubjectAccessReview",
        (1, 19),
        (1, 22),
        &[("authorization.k8s.io/v1", (1, 6))],
    ),
    api(
        "authorization.k8s.io/v1beta1",
        "SelfSubjectAccessReview",
        (1, 19),
        (1, 22),
        &[("authorization.k8s.io/v1", (1, 6))],
    ),
    api(
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        (1, 19),
        (1, 22),
        &[("certificates.k8s.io/v1", (1, 19))],
    ),
    api("coordination.k8s.io/v1beta1", "Lease", (1, 19), (1, 22), &[("coordination.k8s.io/v1", (1, 14))]),
    api("extensions/v1beta1", "Ingress", (1, 14), (1, 22), INGRESS_V1),
    api("networking.k8s.io/v1beta1", "Ingress", (1, 19), (1, 22), INGRESS_V1),
    api("networking.k8s.io/v1beta1", "IngressClass", (1, 19), (1, 22), INGRESS_V1),
    api(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        (1, 17),
        (1, 22),
        &[("rbac.authorization.k8s.io/v1", (1, 8))],
    ),
    api(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        (1, 17),
        (1, 22),
        &[("rbac.authorization.k8s.io/v1", (1, 8))],
    ),
    api("rbac.authorization.k8s.io/v1beta1", "Role", (1, 17), (1, 22), &[("rbac.authorization.k8s.io/v1", (1, 8))]),
    api(
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        (1, 17),
        (1, 22),
        &[("rbac.authorization.k8s.io/v1", (1, 8))],
    ),
    api("scheduling.k8s.io/v1beta1", "PriorityClass", (1, 14), (1, 22), &[("scheduling.k8s.io/v1", (1, 14))]),
    api("storage.k8s.io/v1beta1", "CSIDriver", (1, 19), (1, 22), &[("storage.k8s.io/v1", (1, 18))]),
    api("storage.k8s.io/v1beta1", "CSINode", (1, 19), (1, 22), &[("storage.k8s.io/v1", (1, 17))]),
    api("storage.k8s.io/v1beta1", "StorageClass", (1, 19), (1, 22), &[("storage.k8s.io/v1", (1, 6))]),
    api("storage.k8s.io/v1beta1", "VolumeAttachment", (1, 19), (1, 22), &[("storage.k8s.io/v1", (1, 13))]),
    // Removed in 1.25.
    api("batch/v1beta1", "CronJob", (1, 21), (1, 25), &[("batch/v1", (1, 21))]),
    api("discovery.k8s.io/v1beta1", "EndpointSlice", (1, 21), (1, 25), &[("discovery.k8s.io/v1", (1, 21))]),
    api("events.k8s.io/v1beta1", "Event", (1, 19), (1, 25), &[("events.k8s.io/v1", (1, 19))]),
    api("autoscaling/v2beta1", "HorizontalPodAutoscaler", (1, 22), (1, 25), &[("autoscaling/v2", (1, 23))]),
    api("policy/v1beta1", "PodDisruptionBudget", (1, 21), (1, 25), &[("policy/v1", (1, 21))]),
    RetiredApi {
        api_version: "policy/v1beta1",
        kind: "PodSecurityPolicy",
        deprecated_in: (1, 21),
        removed_in: (1, 25),
        replacements: NONE,
        note: PSP_NOTE,
    },
    api("node.k8s.io/v1beta1", "RuntimeClass", (1, 20), (1, 25), &[("node.k8s.io/v1", (1, 20))]),
    // Removed in 1.26.
    api("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", (1, 23), (1, 26), FLOWCONTROL),
    api("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", (1, 23), (1, 26), FLOWCONTROL),
    api("autoscaling/v2beta2", "HorizontalPodAutoscaler", (1, 23), (1, 26), &[("autoscaling/v2", (1, 23))]),
    // Removed in 1.27.
    api("storage.k8s.io/v1beta1", "CSIStorageCapacity", (1, 24), (1, 27), &[("storage.k8s.io/v1", (1, 24))]),
    // Removed in 1.29.
    api("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", (1, 26), (1, 29), FLOWCONTROL),
    api("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", (1, 26), (1, 29), FLOWCONTROL),
    // Removed in 1.32.
    api("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", (1, 29), (1, 32), FLOWCONTROL),
    api("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", (1, 29), (1, 32), FLOWCONTROL),
];

/// The table entry of an apiVersion and kind, if that API is retired at some version.
pub fn retired(api_version: &str, kind: &str) -> Option<&'static RetiredApi> {
    RETIRED_APIS.iter().find(|api| api.api_version == api_version && api.kind == kind)
}

/// Whether `target` no longer serves this apiVersion and kind.
pub fn removed_in(api_version: &str, kind: &str, target: KubeVersion) -> bool {
    retired(api_version, kind).is_some_and(|api| api.removed_in <= target)
}

/// The finding for an API in `target`: `(severity, message, hint)`, or `None` while it is current.
pub fn assess(api: &RetiredApi, target: KubeVersion) -> Option<(Severity, String, String)> {
    let target_text = version_text(target);
    let (severity, message) = if api.removed_in <= target {
        let message = format!(
            "{} {} was removed in Kubernetes {} (target: {target_text})",
            api.api_version,
            api.kind,
            version_text(api.removed_in)
        );
        (Severity::Error, message)
    } else if api.deprecated_in <= target {
        let message = format!(
            "{} {} is deprecated since Kubernetes {} and removed in {} (target: {target_text})",
            api.api_version,
            api.kind,
            version_text(api.deprecated_in),
            version_text(api.removed_in)
        );
        (Severity::Warning, message)
    } else {
        return None;
    };
    let served =
        |(replacement, since): &&(&str, KubeVersion)| *since <= target && !removed_in(replacement, api.kind, target);
    let hint = match api.replacements.iter().find(served) {
        Some((replacement, _)) => format!("use apiVersion: {replacement}"),
        None if !api.note.is_empty() => api.note.to_string(),
        None => match api.replacements.iter().find(|(_, since)| *since > target) {
            Some((replacement, since)) => {
                format!("migrate to {replacement} once the cluster runs Kubernetes {}", version_text(*since))
            }
            None => format!("Kubernetes {target_text} has no successor of this API"),
        },
    };
    Some((severity, message, hint))
}

/// Reports every rendered resource of `chart` whose API is removed or deprecated in the target
/// version, at the origin of its `apiVersion:` line.
pub fn check(context: &RuleContext, chart: &ChartRun) -> Vec<Finding> {
    let project = context.project;
    let Some(target) = parse_kube_version(&project.kube_version) else { return Vec::new() };
    let mut findings = Vec::new();
    for env in &chart.environments {
        for resource in &env.render.resources {
            let Some(api) = retired(&resource.id.api_version, &resource.id.kind) else { continue };
            let Some((severity, message, hint)) = assess(api, target) else { continue };
            let mut diagnostic = Diagnostic::new(RULE.id, RULE.name, severity, message);
            diagnostic.chart = Some(chart.path.clone());
            diagnostic.environment = Some(env.name.clone());
            diagnostic.resource = Some(resource.id.clone());
            diagnostic.path = Some("apiVersion".to_string());
            diagnostic.location =
                Some(provenance::field_location(&project.sources, chart, env, resource, "apiVersion"));
            diagnostic.help = Some(hint);
            let mut finding = Finding::new(diagnostic);
            finding.subject = Some(api.api_version.to_string());
            finding.chart_name = Some(chart.name.clone());
            findings.push(finding);
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::schema::kubernetes::{bundled_versions, schemas_for};

    #[test]
    fn removed_is_an_error_deprecated_a_warning_current_nothing() {
        let pdb = retired("policy/v1beta1", "PodDisruptionBudget").unwrap();
        let (severity, message, hint) = assess(pdb, (1, 33)).unwrap();
        assert_eq!(severity, Severity::Error);
        assert_eq!(message, "policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (target: 1.33)");
        assert_eq!(hint, "use apiVersion: policy/v1");
        let hpa = retired("autoscaling/v2beta2", "HorizontalPodAutoscaler").unwrap();
        let (severity, message, hint) = assess(hpa, (1, 24)).unwrap();
        assert_eq!(severity, Severity::Warning);
        assert_eq!(
            message,
            "autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated since Kubernetes 1.23 and removed in 1.26 (target: 1.24)"
        );
        assert_eq!(hint, "use apiVersion: autoscaling/v2");
        assert_eq!(assess(hpa, (1, 22)), None);
        assert!(retired("apps/v1", "Deployment").is_none());
    }

    #[test]
    fn the_replacement_is_one_the_target_serves() {
        let flow = retired("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema").unwrap();
        assert_eq!(assess(flow, (1, 29)).unwrap().2, "use apiVersion: flowcontrol.apiserver.k8s.io/v1");
        assert_eq!(assess(flow, (1, 27)).unwrap().2, "use apiVersion: flowcontrol.apiserver.k8s.io/v1beta3");
        let psp = retired("policy/v1beta1", "PodSecurityPolicy").unwrap();
        assert!(assess(psp, (1, 25)).unwrap().2.starts_with("PodSecurityPolicy has no successor API"));
        let old_psp = retired("extensions/v1beta1", "PodSecurityPolicy").unwrap();
        assert_eq!(assess(old_psp, (1, 20)).unwrap().2, "use apiVersion: policy/v1beta1");
        assert!(assess(old_psp, (1, 33)).unwrap().2.starts_with("PodSecurityPolicy has no successor API"));
    }

    /// The table and the bundled schemas agree: a retired API is served until the version before
    /// its removal and not from then on, and each replacement is served where it is suggested.
    #[test]
    fn table_agrees_with_the_bundled_schemas() {
        let versions = bundled_versions();
        for api in RETIRED_APIS {
            for &version in &versions {
                let schemas = schemas_for(version).unwrap().schemas;
                let served = schemas.knows(api.api_version, api.kind);
                if version >= api.removed_in {
                    assert!(!served, "{} {} still served in {version:?}", api.api_version, api.kind);
                } else if version.1 + 1 == api.removed_in.1 {
                    assert!(served, "{} {} not served in {version:?}", api.api_version, api.kind);
                }
                for (replacement, since) in api.replacements {
                    if *since <= version && !removed_in(replacement, api.kind, version) {
                        assert!(schemas.knows(replacement, api.kind), "{replacement} {} in {version:?}", api.kind);
                    }
                }
            }
        }
    }
}
