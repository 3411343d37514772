# Helpers shared by the built-in policies: where pod specs and containers live in a resource,
# and a resource's identity. Paths use driftgate's field-path syntax: `.` between fields,
# `[x]` selects a list item by its `name` (or by index when x is a number) or a map key.
package driftgate.lib.workloads

pod_template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

# pod_spec(obj) is [path, spec] for the pod spec of a workload.
pod_spec(obj) := ["spec.template.spec", obj.spec.template.spec] if {
	obj.kind in pod_template_kinds
}

pod_spec(obj) := ["spec.jobTemplate.spec.template.spec", obj.spec.jobTemplate.spec.template.spec] if {
	obj.kind == "CronJob"
}

pod_spec(obj) := ["spec", obj.spec] if {
	obj.kind == "Pod"
}

# containers(obj) is [path, container, name] for every container and init container (an array:
# a set would hash every container). A container without a name is named by its index.
containers(obj) := [[path, c, name] |
	pod := pod_spec(obj)
	some field in ["containers", "initContainers"]
	some i, c in items(object.get(pod[1], field, []))
	name := container_name(c, i)
	path := sprintf("%s.%s[%s]", [pod[0], field, name])
]

container_name(c, _) := c.name if is_string(c.name)

container_name(c, i) := sprintf("%d", [i]) if not is_string(c.name)

# resource_id(obj) is the identity a result uses to name a rendered resource.
resource_id(obj) := {
	"apiVersion": object.get(obj, "apiVersion", ""),
	"kind": object.get(obj, "kind", ""),
	"namespace": object.get(object.get(obj, "metadata", {}), "namespace", ""),
	"name": object.get(object.get(obj, "metadata", {}), "name", ""),
}

# staged(env) holds when the environment belongs to a stage of the promotion order.
staged(env) if is_number(env.stage_index)

# items(x) is x when it is an array, else empty: rendered fields may be null (`env:` with no items).
items(x) := x if is_array(x)

items(x) := [] if not is_array(x)

# entries(x) is x when it is an object, else empty.
entries(x) := x if is_object(x)

entries(x) := {} if not is_object(x)
