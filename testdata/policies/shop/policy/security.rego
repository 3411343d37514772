package main

# METADATA
# title: run-as-non-root
# description: Containers must not run as root.
# custom:
#   id: ACME-SEC-001
#   severity: error
#   hint: set spec.template.spec.securityContext.runAsNonRoot to true
#   docs: |
#     ## What it does
#     Fails a Deployment whose pod does not set `securityContext.runAsNonRoot: true`.
deny_run_as_root contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s: containers must not run as root", [input.metadata.name])
}
