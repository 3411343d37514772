package main

required_labels := {"app.kubernetes.io/name", "app.kubernetes.io/part-of"}

violation contains {"msg": msg, "details": {"missing_labels": missing}} if {
	provided := {label | input.metadata.labels[label]}
	missing := required_labels - provided
	count(missing) > 0
	msg := sprintf("%s %s lacks required labels", [input.kind, input.metadata.name])
}

warn_single_replica contains msg if {
	input.kind == "Deployment"
	input.spec.replicas == 1
	data.driftgate.context.stage == "prod"
	msg := sprintf("%s runs a single replica in %s", [input.metadata.name, data.driftgate.context.environment])
}
