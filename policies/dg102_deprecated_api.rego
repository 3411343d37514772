# METADATA
# title: deprecated-api
# description: An apiVersion is removed (error) or deprecated (warning) in the target Kubernetes version.
# custom:
#   id: DG102
#   severity: error
#   hint: move the resource to the apiVersion that replaces it
#   docs: |
#     ## What it does
#
#     Compares the `apiVersion` of every rendered resource with the Kubernetes versions that
#     deprecated and removed it, for the target version (`kubeVersion` in `driftgate.yaml`,
#     `--kube-version`). A removed apiVersion is an error, a deprecated one a warning; the
#     finding names the replacement and points at the template line that writes the apiVersion.
#
#     ## Why it matters
#
#     The API server of the target version refuses a removed apiVersion: the release fails to
#     install or upgrade there, usually discovered during the cluster upgrade.
#
#     ## Example
#
#     ```yaml
#     apiVersion: policy/v1beta1
#     kind: PodDisruptionBudget
#     ```
#
#     with `kubeVersion: "1.33"` reports `PodDisruptionBudget/web uses policy/v1beta1, removed in
#     Kubernetes 1.25; use policy/v1`.
#
#     ## Fix
#
#     ```yaml
#     apiVersion: policy/v1
#     kind: PodDisruptionBudget
#     ```
package driftgate.rules.deprecated_api

import data.driftgate.lib.workloads

# Kubernetes minor versions that deprecated (when known) and removed an apiVersion of a kind.
apis := [
	{"api": "extensions/v1beta1", "kinds": {"Deployment", "DaemonSet", "ReplicaSet", "NetworkPolicy", "PodSecurityPolicy"}, "deprecated": 9, "removed": 16, "use": "apps/v1 (networking.k8s.io/v1 for NetworkPolicy)"},
	{"api": "apps/v1beta1", "kinds": {"Deployment", "StatefulSet"}, "deprecated": 9, "removed": 16, "use": "apps/v1"},
	{"api": "apps/v1beta2", "kinds": {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}, "deprecated": 9, "removed": 16, "use": "apps/v1"},
	{"api": "extensions/v1beta1", "kinds": {"Ingress"}, "deprecated": 14, "removed": 22, "use": "networking.k8s.io/v1"},
	{"api": "networking.k8s.io/v1beta1", "kinds": {"Ingress", "IngressClass"}, "deprecated": 19, "removed": 22, "use": "networking.k8s.io/v1"},
	{"api": "rbac.authorization.k8s.io/v1beta1", "kinds": {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}, "deprecated": 17, "removed": 22, "use": "rbac.authorization.k8s.io/v1"},
	{"api": "apiextensions.k8s.io/v1beta1", "kinds": {"CustomResourceDefinition"}, "deprecated": 16, "removed": 22, "use": "apiextensions.k8s.io/v1"},
	{"api": "admissionregistration.k8s.io/v1beta1", "kinds": {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}, "deprecated": 16, "removed": 22, "use": "admissionregistration.k8s.io/v1"},
	{"api": "scheduling.k8s.io/v1beta1", "kinds": {"PriorityClass"}, "deprecated": 14, "removed": 22, "use": "scheduling.k8s.io/v1"},
	{"api": "storage.k8s.io/v1beta1", "kinds": {"StorageClass", "VolumeAttachment", "CSIDriver", "CSINode"}, "deprecated": null, "removed": 22, "use": "storage.k8s.io/v1"},
	{"api": "coordination.k8s.io/v1beta1", "kinds": {"Lease"}, "deprecated": null, "removed": 22, "use": "coordination.k8s.io/v1"},
	{"api": "certificates.k8s.io/v1beta1", "kinds": {"CertificateSigningRequest"}, "deprecated": null, "removed": 22, "use": "certificates.k8s.io/v1"},
	{"api": "batch/v1beta1", "kinds": {"CronJob"}, "deprecated": 21, "removed": 25, "use": "batch/v1"},
	{"api": "policy/v1beta1", "kinds": {"PodDisruptionBudget"}, "deprecated": 21, "removed": 25, "use": "policy/v1"},
	{"api": "policy/v1beta1", "kinds": {"PodSecurityPolicy"}, "deprecated": 21, "removed": 25, "use": "Pod Security Admission"},
	{"api": "discovery.k8s.io/v1beta1", "kinds": {"EndpointSlice"}, "deprecated": 21, "removed": 25, "use": "discovery.k8s.io/v1"},
	{"api": "events.k8s.io/v1beta1", "kinds": {"Event"}, "deprecated": null, "removed": 25, "use": "events.k8s.io/v1"},
	{"api": "node.k8s.io/v1beta1", "kinds": {"RuntimeClass"}, "deprecated": null, "removed": 25, "use": "node.k8s.io/v1"},
	{"api": "autoscaling/v2beta1", "kinds": {"HorizontalPodAutoscaler"}, "deprecated": 22, "removed": 25, "use": "autoscaling/v2"},
	{"api": "autoscaling/v2beta2", "kinds": {"HorizontalPodAutoscaler"}, "deprecated": 23, "removed": 26, "use": "autoscaling/v2"},
	{"api": "flowcontrol.apiserver.k8s.io/v1beta1", "kinds": {"FlowSchema", "PriorityLevelConfiguration"}, "deprecated": 23, "removed": 26, "use": "flowcontrol.apiserver.k8s.io/v1"},
	{"api": "storage.k8s.io/v1beta1", "kinds": {"CSIStorageCapacity"}, "deprecated": 24, "removed": 27, "use": "storage.k8s.io/v1"},
	{"api": "flowcontrol.apiserver.k8s.io/v1beta2", "kinds": {"FlowSchema", "PriorityLevelConfiguration"}, "deprecated": 26, "removed": 29, "use": "flowcontrol.apiserver.k8s.io/v1"},
	{"api": "flowcontrol.apiserver.k8s.io/v1beta3", "kinds": {"FlowSchema", "PriorityLevelConfiguration"}, "deprecated": 29, "removed": 32, "use": "flowcontrol.apiserver.k8s.io/v1"},
]

# target_minor is the minor version of the target Kubernetes version ("1.33" -> 33).
target_minor := input.kube_minor if is_number(input.kube_minor)

verdict(entry) := ["error", sprintf("removed in Kubernetes 1.%d", [entry.removed])] if target_minor >= entry.removed

verdict(entry) := ["warning", sprintf("deprecated since Kubernetes 1.%d and removed in 1.%d", [entry.deprecated, entry.removed])] if {
	is_number(entry.deprecated)
	target_minor >= entry.deprecated
	target_minor < entry.removed
}

deny contains result if {
	some name, env in input.environments
	some obj in env.resources
	some entry in apis
	obj.apiVersion == entry.api
	obj.kind in entry.kinds
	[severity, why] := verdict(entry)
	result := {
		"msg": sprintf("%s/%s uses %s, %s; use %s", [obj.kind, obj.metadata.name, obj.apiVersion, why, entry.use]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": "apiVersion",
		"name": obj.metadata.name,
		"severity": severity,
	}
}
