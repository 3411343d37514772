# METADATA
# title: secret-in-env
# description: An env var with a credential-looking name carries a literal value instead of a secretKeyRef.
# custom:
#   id: DG302
#   severity: error
#   hint: move the value into a Secret and use valueFrom.secretKeyRef
#   docs: |
#     ## What it does
#
#     Reports a container env var whose name looks like a credential (it contains `PASSWORD`,
#     `PASSWD`, `SECRET`, `TOKEN`, `API_KEY`, `APIKEY`, `PRIVATE_KEY`, `ACCESS_KEY` or
#     `CREDENTIAL`) and that is set with a literal `value` rather than
#     `valueFrom.secretKeyRef`. The finding points at the values line that supplied the literal;
#     the value itself is never printed.
#
#     ## Why it matters
#
#     A literal credential lives in the repository and in every rendered manifest, is readable by
#     anyone who can read the Deployment, and cannot be rotated without a deploy.
#
#     ## Example
#
#     ```yaml
#     # values-prod.yaml
#     env:
#       DATABASE_PASSWORD: hunter2
#     ```
#
#     reports `env var DATABASE_PASSWORD of container web has a literal value (<redacted>)
#     instead of valueFrom.secretKeyRef`.
#
#     ## Fix
#
#     Keep the credential in a Secret and reference it:
#
#     ```yaml
#     env:
#       - name: DATABASE_PASSWORD
#         valueFrom:
#           secretKeyRef: { name: bedrock-db, key: password }
#     ```
package driftgate.rules.secret_in_env

import data.driftgate.lib.workloads

# Plain substring tests: a regex here would be compiled once per env var.
credential_words := ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "PRIVATEKEY", "ACCESS_KEY", "ACCESSKEY", "CREDENTIAL"]

credential_name(name) if {
	some word in credential_words
	contains(upper(name), word)
}

deny contains result if {
	some name, env in input.environments
	some obj in env.resources
	some pair in workloads.containers(obj)
	some e in workloads.items(object.get(pair[1], "env", []))
	is_string(e.name)
	credential_name(e.name)
	is_string(e.value)
	e.value != ""
	result := {
		"msg": sprintf("env var %s of container %s has a literal value (<redacted>) instead of valueFrom.secretKeyRef", [e.name, object.get(pair[1], "name", "")]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": sprintf("%s.env[%s].value", [pair[0], e.name]),
		"name": e.name,
	}
}
