# METADATA
# title: unsafe-rollout
# description: The rollout strategy can take every pod down at once.
# custom:
#   id: DG502
#   severity: warning
#   hint: use RollingUpdate with maxUnavailable below the replica count (or 0 with a surge)
#   docs: |
#     ## What it does
#
#     Reports a Deployment whose strategy is `Recreate` with more than one replica, or whose
#     `rollingUpdate.maxUnavailable` is `100%` or at least its replica count, at the place that
#     sets it.
#
#     ## Why it matters
#
#     Such a rollout stops every old pod before (or while) the new ones start: each deploy is a
#     short outage, and a bad version is an outage until it is rolled back.
#
#     ## Example
#
#     ```yaml
#     spec:
#       replicas: 3
#       strategy:
#         rollingUpdate: { maxUnavailable: 100% }
#     ```
#
#     reports `Deployment/web can take all 3 pods down at once (maxUnavailable: 100%)`.
#
#     ## Fix
#
#     ```yaml
#     spec:
#       replicas: 3
#       strategy:
#         rollingUpdate: { maxUnavailable: 0, maxSurge: 1 }
#     ```
package driftgate.rules.unsafe_rollout

import data.driftgate.lib.workloads

replicas(obj) := object.get(workloads.entries(object.get(obj, "spec", {})), "replicas", 1)

deny contains result if {
	some name, env in input.environments
	some obj in env.resources
	obj.kind == "Deployment"
	obj.spec.strategy.type == "Recreate"
	replicas(obj) > 1
	result := {
		"msg": sprintf("%s/%s stops all %d pods before starting new ones (strategy: Recreate)", [obj.kind, obj.metadata.name, replicas(obj)]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": "spec.strategy.type",
		"name": obj.metadata.name,
	}
}

all_unavailable(value, _) if value == "100%"

all_unavailable(value, n) if {
	is_number(value)
	value >= n
}

deny contains result if {
	some name, env in input.environments
	some obj in env.resources
	obj.kind == "Deployment"
	value := obj.spec.strategy.rollingUpdate.maxUnavailable
	all_unavailable(value, replicas(obj))
	result := {
		"msg": sprintf("%s/%s can take all %d pods down at once (maxUnavailable: %v)", [obj.kind, obj.metadata.name, replicas(obj), value]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": "spec.strategy.rollingUpdate.maxUnavailable",
		"name": obj.metadata.name,
	}
}
