# METADATA
# title: missing-readiness-probe
# description: A workload container has no readinessProbe.
# custom:
#   id: DG501
#   severity: warning
#   hint: add a readinessProbe that answers only when the container can serve
#   docs: |
#     ## What it does
#
#     Reports every container (not init container) of a Deployment, StatefulSet or DaemonSet
#     that has no `readinessProbe`. The finding points at the template that writes the
#     container.
#
#     ## Why it matters
#
#     Without a readiness probe a pod receives traffic as soon as its process starts. During a
#     rollout the new pods take requests before they can serve them, and the old ones are
#     already gone: the rollout is not zero-downtime.
#
#     ## Example
#
#     ```yaml
#     containers:
#       - name: web
#         image: ghcr.io/acme/web:1.4.2
#     ```
#
#     reports `container web of Deployment/web has no readinessProbe`.
#
#     ## Fix
#
#     ```yaml
#     containers:
#       - name: web
#         image: ghcr.io/acme/web:1.4.2
#         readinessProbe:
#           httpGet: { path: /healthz, port: 8080 }
#     ```
package driftgate.rules.missing_readiness_probe

import data.driftgate.lib.workloads

serving_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

deny contains result if {
	some name, env in input.environments
	some obj in env.resources
	obj.kind in serving_kinds
	pod := workloads.pod_spec(obj)
	some i, c in workloads.items(object.get(pod[1], "containers", []))
	not c.readinessProbe
	container := workloads.container_name(c, i)
	result := {
		"msg": sprintf("container %s of %s/%s has no readinessProbe", [container, obj.kind, obj.metadata.name]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": sprintf("%s.containers[%s]", [pod[0], container]),
		"at": "template",
		"name": container,
	}
}
