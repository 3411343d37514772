# METADATA
# title: missing-resources
# description: A container has no resource requests or limits.
# custom:
#   id: DG505
#   severity: warning
#   hint: set resources.requests (and limits for memory) on the container
#   docs: |
#     ## What it does
#
#     Reports every container and init container of a workload whose `resources` set neither
#     `requests` nor `limits`. The finding points at the template that writes the container.
#
#     ## Why it matters
#
#     The scheduler places a pod without requests as if it needed nothing; under pressure it is
#     the first one evicted, and one without a memory limit can take the node's memory from its
#     neighbours.
#
#     ## Example
#
#     ```yaml
#     containers:
#       - name: worker
#         image: ghcr.io/acme/worker:2.0.1
#     ```
#
#     reports `container worker of Deployment/worker has no resource requests or limits`.
#
#     ## Fix
#
#     ```yaml
#     containers:
#       - name: worker
#         image: ghcr.io/acme/worker:2.0.1
#         resources:
#           requests: { cpu: 100m, memory: 256Mi }
#           limits: { memory: 256Mi }
#     ```
package driftgate.rules.missing_resources

import data.driftgate.lib.workloads

has_resources(c) if count(workloads.entries(object.get(workloads.entries(object.get(c, "resources", {})), "requests", {}))) > 0

has_resources(c) if count(workloads.entries(object.get(workloads.entries(object.get(c, "resources", {})), "limits", {}))) > 0

deny contains result if {
	some name, env in input.environments
	some obj in env.resources
	some pair in workloads.containers(obj)
	not has_resources(pair[1])
	container := pair[2]
	result := {
		"msg": sprintf("container %s of %s/%s has no resource requests or limits", [container, obj.kind, obj.metadata.name]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": pair[0],
		"at": "template",
		"name": container,
	}
}
