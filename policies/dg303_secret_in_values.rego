# METADATA
# title: secret-in-values
# description: A values file holds a credential-looking literal.
# custom:
#   id: DG303
#   severity: error
#   redacts: true
#   hint: keep the credential in a Secret created outside the chart and reference it by name
#   docs: |
#     ## What it does
#
#     Looks at every string an environment's merged values hold and reports the ones that look
#     like a credential: the key names one (`password`, `adminPassword`, `DB_PASSWD`, `apiToken`,
#     `secretKey`, `API_KEY`, `privateKey`, `accessKey`, `credentials`; the last word of the key
#     decides, so `secretName`, `passwordKey`, `tlsSecret` and `existingSecret` name a Secret and
#     pass), or the value is a URL with a password in it (`mysql://user:password@host/db`). A
#     value that is the name or a key of a Secret in the environment's inventory is a reference
#     and passes. The finding points at the values file and line that supplied the literal; the
#     value is never printed.
#
#     ## Why it matters
#
#     Whatever is in a values file is in the repository, its history and every clone of it. A
#     credential there is leaked the day it is committed.
#
#     ## Example
#
#     ```yaml
#     # values-prod.yaml
#     database:
#       password: hunter2
#     ```
#
#     reports `values key database.password holds a literal credential (<redacted>)`.
#
#     ## Fix
#
#     Create the Secret in the cluster, list it in the environment's secret inventory, and give
#     the chart its name:
#
#     ```yaml
#     database:
#       existingSecret: bedrock-db
#     ```
package driftgate.rules.secret_in_values

import data.driftgate.lib.workloads

# leaves are the non-empty strings of every environment's values: [env, path, value].
leaves contains [name, path, value] if {
	some name, env in input.environments
	walk(env.values, [path, value])
	is_string(value)
	value != ""
	count(path) > 0
}

# words(key) splits camelCase, snake_case, kebab-case and dotted keys into lower-case words.
words(key) := split(lower(regex.replace(regex.replace(key, `([a-z0-9])([A-Z])`, "${1}_${2}"), `[-.]`, "_")), "_")

# "secret" alone is left out: `secret`, `tlsSecret`, `existingSecret` usually name a Secret.
last_words := {"password", "passwd", "pwd", "token", "credential", "credentials", "apikey"}

last_pairs := {"api_key", "secret_key", "private_key", "access_key", "client_secret", "auth_token"}

credential_key(key) if {
	w := words(key)
	w[count(w) - 1] in last_words
	w[0] != "existing"
}

credential_key(key) if {
	w := words(key)
	count(w) >= 2
	concat("_", [w[count(w) - 2], w[count(w) - 1]]) in last_pairs
	w[0] != "existing"
}

# Each distinct key is classified once, not once per environment.
credential_keys := {key |
	some key in {leaf[1][count(leaf[1]) - 1] | some leaf in leaves}
	is_string(key)
	credential_key(key)
}

url_with_password(value) if {
	contains(value, "://")
	contains(value, "@")
	regex.match(`^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]+:[^/@\s]+@`, value)
}

literal_credential(path, value) if path[count(path) - 1] in credential_keys

literal_credential(path, value) if url_with_password(value)

# inventory_names[env] are the Secret and ConfigMap names and keys an environment lists: a value
# equal to one of them refers to a Secret, it is not a credential.
inventory_names[name] := names if {
	some name, env in input.environments
	inventory := workloads.entries(object.get(env, "inventory", null))
	entries := array.concat(workloads.items(object.get(inventory, "secrets", [])), workloads.items(object.get(inventory, "configMaps", [])))
	names := {entry.name | some entry in entries} | {key | some entry in entries; some key in workloads.items(entry.keys)}
}

deny contains result if {
	some leaf in leaves
	[name, path, value] := leaf
	literal_credential(path, value)
	not contains(value, "{{")
	not value in object.get(inventory_names, name, set())
	dotted := concat(".", [sprintf("%v", [p]) | some p in path])
	result := {
		"msg": sprintf("values key %s holds a literal credential (<redacted>)", [dotted]),
		"env": name,
		"at": "values",
		"values_path": path,
		"name": dotted,
	}
}
