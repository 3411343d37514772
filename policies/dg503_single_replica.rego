# METADATA
# title: single-replica
# description: A prod-stage workload runs one replica and has no autoscaler.
# custom:
#   id: DG503
#   severity: warning
#   hint: run at least two replicas in production, or scale with a HorizontalPodAutoscaler
#   docs: |
#     ## What it does
#
#     In environments of the last promotion stage (prod), reports every Deployment and
#     StatefulSet that runs one replica (`replicas: 1`, or no `replicas`, which means 1) and is
#     not the target of a HorizontalPodAutoscaler rendered for the same environment. The finding
#     points at the `replicas` value (usually a values line) or at the template of the workload.
#     Something that must run exactly once can be ignored by name in `driftgate.yaml`.
#
#     ## Why it matters
#
#     One replica means every node drain, eviction or crash is an outage, and every rollout
#     of a workload without a surge is one too.
#
#     ## Example
#
#     ```yaml
#     # values-prod.yaml
#     replicaCount: 1
#     ```
#
#     reports `Deployment/web runs a single replica in prod and has no autoscaler`.
#
#     ## Fix
#
#     ```yaml
#     # values-prod.yaml
#     replicaCount: 3
#     ```
#
#     or, for a singleton such as a scheduler:
#     `DG503: { ignore: [ { name: web-clock, reason: "must run once" } ] }`.
package driftgate.rules.single_replica

import data.driftgate.lib.workloads

replicated_kinds := {"Deployment", "StatefulSet"}

last_stage := count(input.promotion) - 1

autoscaled(env, obj) if {
	some hpa in env.resources
	hpa.kind == "HorizontalPodAutoscaler"
	hpa.spec.scaleTargetRef.kind == obj.kind
	hpa.spec.scaleTargetRef.name == obj.metadata.name
}

replicas(obj) := object.get(workloads.entries(object.get(obj, "spec", {})), "replicas", 1)

deny contains result if {
	some name, env in input.environments
	workloads.staged(env)
	env.stage_index == last_stage
	some obj in env.resources
	obj.kind in replicated_kinds
	replicas(obj) == 1
	not autoscaled(env, obj)
	has_field := "replicas" in object.keys(workloads.entries(object.get(obj, "spec", {})))
	result := {
		"msg": sprintf("%s/%s runs a single replica in %s and has no autoscaler", [obj.kind, obj.metadata.name, env.stage]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": "spec.replicas",
		"at": location_kind(has_field),
		"name": obj.metadata.name,
	}
}

location_kind(true) := "field"

location_kind(false) := "template"
