# METADATA
# title: secret-in-env
# description: An env var with a credential-looking name carries a literal value instead of a secretKeyRef.
# custom:
#   id: DG302
#   severity: error
#   redacts: true
#   hint: move the value into a Secret and use valueFrom.secretKeyRef
#   docs: |
#     ## What it does
#
#     Reports a container env var whose name looks like a credential (it contains `PASSWORD`,
#     `PASSWD`, `SECRET`, `TOKEN`, `API_KEY`, `APIKEY`, `PRIVATE_KEY`, `ACCESS_KEY` or
#     `CREDENTIAL`) and that is set with a literal `value` rather than
#     `valueFrom.secretKeyRef`, and any env var whose literal value is a URL carrying a password
#     (`mysql://user:password@host/db`). The finding points at the values line (or template
#     line) that supplied the literal; the value itself is never printed.
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
#     reports `env var DATABASE_PASSWORD has a literal value (<redacted>) instead of
#     valueFrom.secretKeyRef`.
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

# url_with_password(value) holds for `scheme://user:password@host...`.
url_with_password(value) if {
	contains(value, "://")
	contains(value, "@")
	regex.match(`^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]+:[^/@\s]+@`, value)
}

# literal_env is every env entry with a literal value, with where it is.
literal_env contains {"env": name, "resource": workloads.resource_id(obj), "container": pair[0], "name": e.name, "value": e.value} if {
	some name, env in input.environments
	some obj in env.resources
	some pair in workloads.containers(obj)
	some e in workloads.items(object.get(pair[1], "env", []))
	is_string(e.name)
	is_string(e.value)
	e.value != ""
}

# Names are tested once each, not once per container and environment.
credential_names := {n | some n in {e.name | some e in literal_env}; credential_name(n)}

# why(e) says what makes the literal value of env entry e a credential.
why(e) := "has a literal value" if e.name in credential_names

why(e) := "has a literal URL with a password" if {
	not e.name in credential_names
	url_with_password(e.value)
}

deny contains result if {
	some e in literal_env
	reason := why(e)
	result := {
		"msg": sprintf("env var %s %s (<redacted>) instead of valueFrom.secretKeyRef", [e.name, reason]),
		"env": e.env,
		"resource": e.resource,
		"path": sprintf("%s.env[%s].value", [e.container, e.name]),
		"name": e.name,
	}
}
