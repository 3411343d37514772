# METADATA
# title: no-rollback-history
# description: revisionHistoryLimit 0 makes rollback impossible.
# custom:
#   id: DG504
#   severity: warning
#   hint: keep a few old ReplicaSets, e.g. revisionHistoryLimit 3
#   docs: |
#     ## What it does
#
#     Reports a Deployment or StatefulSet whose `revisionHistoryLimit` is 0, at the place that
#     sets it.
#
#     ## Why it matters
#
#     Kubernetes deletes every old ReplicaSet at once, so `kubectl rollout undo` has nothing to
#     roll back to when the new version misbehaves.
#
#     ## Example
#
#     ```yaml
#     spec:
#       revisionHistoryLimit: 0
#     ```
#
#     reports `Deployment/web keeps no revision history (revisionHistoryLimit: 0)`.
#
#     ## Fix
#
#     ```yaml
#     spec:
#       revisionHistoryLimit: 3
#     ```
package driftgate.rules.no_rollback_history

import data.driftgate.lib.workloads

deny contains result if {
	some name, env in input.environments
	some obj in env.resources
	obj.kind in {"Deployment", "StatefulSet"}
	obj.spec.revisionHistoryLimit == 0
	result := {
		"msg": sprintf("%s/%s keeps no revision history (revisionHistoryLimit: 0)", [obj.kind, obj.metadata.name]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": "spec.revisionHistoryLimit",
		"name": obj.metadata.name,
	}
}
