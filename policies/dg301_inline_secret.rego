# METADATA
# title: inline-secret
# description: The chart renders a Secret with literal data.
# custom:
#   id: DG301
#   severity: error
#   redacts: true
#   hint: create the Secret outside the chart and reference it by name
#   docs: |
#     ## What it does
#
#     Reports every key of a rendered `Secret` whose `data` or `stringData` holds a literal,
#     non-empty value. The message names the Secret and the key; the value is never printed.
#
#     ## Why it matters
#
#     A Secret rendered by the chart has its value in the repository (in a values file or a
#     template) or in the CI log of whoever passed it on the command line. Secrets belong in the
#     cluster, created by a secret manager, and the chart only references them by name.
#
#     ## Example
#
#     ```yaml
#     # templates/secret.yaml
#     apiVersion: v1
#     kind: Secret
#     metadata:
#       name: bedrock-django
#     stringData:
#       secret-key: {{ .Values.django.secretKey }}
#     ```
#
#     reports `Secret bedrock-django renders a literal value for stringData key secret-key
#     (<redacted>)` at the values line that supplies it.
#
#     ## Fix
#
#     Drop the Secret from the chart, create it in each cluster, list it in the environment's
#     secret inventory and reference it by name:
#
#     ```yaml
#     env:
#       - name: DJANGO_SECRET_KEY
#         valueFrom:
#           secretKeyRef: { name: bedrock-django, key: secret-key }
#     ```
package driftgate.rules.inline_secret

import data.driftgate.lib.workloads

deny contains result if {
	some name, env in input.environments
	some obj in env.resources
	obj.kind == "Secret"
	some field in ["data", "stringData"]
	some key, value in workloads.entries(object.get(obj, field, {}))
	is_string(value)
	value != ""
	result := {
		"msg": sprintf("Secret %s renders a literal value for %s key %s (<redacted>)", [obj.metadata.name, field, key]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": sprintf("%s[%s]", [field, key]),
		"name": key,
	}
}
