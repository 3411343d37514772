# METADATA
# title: prod-replicas-below-stage
# description: A Deployment runs fewer replicas in prod than in stage.
# custom:
#   id: ACME-REL-001
#   severity: error
package driftgate.cross

deny contains result if {
	some prod_name, prod in input.environments
	prod.stage == "prod"
	some stage in input.environments
	stage.stage == "stage"
	some deployment in prod.resources
	deployment.kind == "Deployment"
	some counterpart in stage.resources
	counterpart.kind == "Deployment"
	counterpart.metadata.name == deployment.metadata.name
	deployment.spec.replicas < counterpart.spec.replicas
	result := {
		"msg": sprintf("%s runs %d replicas in %s, fewer than the %d of %s", [deployment.metadata.name, deployment.spec.replicas, prod_name, counterpart.spec.replicas, stage.name]),
		"env": prod_name,
		"resource": {"apiVersion": deployment.apiVersion, "kind": deployment.kind, "name": deployment.metadata.name},
		"path": "spec.replicas",
	}
}
