# METADATA
# title: missing-secret
# description: A referenced Secret is neither rendered by the chart nor listed in the environment's inventory.
# custom:
#   id: DG202
#   severity: error
#   hint: create the Secret in this environment and list it in its secret inventory, or reference one that exists
#   docs: |
#     ## What it does
#
#     For every environment that has a secret inventory (`secrets:` in `driftgate.yaml`), finds
#     the Secrets its rendered resources reference — `env[].valueFrom.secretKeyRef`,
#     `envFrom[].secretRef`, `volumes[].secret`, `volumes[].projected.sources[].secret` and
#     `imagePullSecrets` — and reports each one that the chart does not render for that
#     environment and the inventory does not list. A `secretKeyRef` whose key is missing from an
#     inventory entry that lists its keys is reported too. References marked `optional: true`
#     are skipped.
#
#     ## Why it matters
#
#     A pod that references a missing Secret never starts (`CreateContainerConfigError`). The
#     Secret usually exists in the environment where the chart was tested and not in the next
#     one.
#
#     ## Example
#
#     ```yaml
#     # secrets/prod-iowa.yaml
#     secrets:
#       - name: bedrock-django
#         keys: [secret-key]
#     # values-prod-iowa.yaml
#     sentry:
#       existingSecret: bedrock-sentry   # rendered as secretKeyRef {name: bedrock-sentry, key: dsn}
#     ```
#
#     reports `Secret bedrock-sentry is referenced by Deployment/bedrock-web but is neither
#     rendered for prod-iowa nor listed in secrets/prod-iowa.yaml`.
#
#     ## Fix
#
#     Create the Secret in the cluster and list it in the inventory (names and keys only, never
#     values), or reference one that exists:
#
#     ```yaml
#     # secrets/prod-iowa.yaml
#     secrets:
#       - name: bedrock-django
#         keys: [secret-key]
#       - name: bedrock-sentry
#         keys: [dsn]
#     ```
package driftgate.rules.missing_secret

import data.driftgate.lib.workloads

checked[name] := env if {
	some name, env in input.environments
	is_object(env.inventory)
}

refs contains {"env": name, "resource": workloads.resource_id(obj), "path": path, "secret": ref.name, "key": key} if {
	some name, env in checked
	some obj in env.resources
	some pair in workloads.containers(obj)
	some e in workloads.items(object.get(pair[1], "env", []))
	ref := e.valueFrom.secretKeyRef
	is_string(ref.name)
	not ref.optional == true
	path := sprintf("%s.env[%s].valueFrom.secretKeyRef", [pair[0], e.name])
	key := object.get(ref, "key", null)
}

refs contains {"env": name, "resource": workloads.resource_id(obj), "path": path, "secret": ref.name, "key": null} if {
	some name, env in checked
	some obj in env.resources
	some pair in workloads.containers(obj)
	some i, from in workloads.items(object.get(pair[1], "envFrom", []))
	ref := from.secretRef
	is_string(ref.name)
	not ref.optional == true
	path := sprintf("%s.envFrom[%d].secretRef", [pair[0], i])
}

refs contains {"env": name, "resource": workloads.resource_id(obj), "path": path, "secret": v.secret.secretName, "key": null} if {
	some name, env in checked
	some obj in env.resources
	pod := workloads.pod_spec(obj)
	some v in workloads.items(object.get(pod[1], "volumes", []))
	is_string(v.secret.secretName)
	not v.secret.optional == true
	path := sprintf("%s.volumes[%s].secret", [pod[0], v.name])
}

refs contains {"env": name, "resource": workloads.resource_id(obj), "path": path, "secret": source.secret.name, "key": null} if {
	some name, env in checked
	some obj in env.resources
	pod := workloads.pod_spec(obj)
	some v in workloads.items(object.get(pod[1], "volumes", []))
	some i, source in workloads.items(v.projected.sources)
	is_string(source.secret.name)
	not source.secret.optional == true
	path := sprintf("%s.volumes[%s].projected.sources[%d].secret", [pod[0], v.name, i])
}

refs contains {"env": name, "resource": workloads.resource_id(obj), "path": path, "secret": p.name, "key": null} if {
	some name, env in checked
	some obj in env.resources
	pod := workloads.pod_spec(obj)
	some p in workloads.items(object.get(pod[1], "imagePullSecrets", []))
	is_string(p.name)
	path := sprintf("%s.imagePullSecrets[%s]", [pod[0], p.name])
}

rendered(env, secret) if {
	some obj in env.resources
	obj.kind == "Secret"
	obj.metadata.name == secret
}

listed(env, secret) if {
	some entry in workloads.items(env.inventory.secrets)
	entry.name == secret
}

# similar(env, secret) are the listed Secrets whose name extends or is extended by secret
# (`orders-db` for `orders-db-v2`): the likely previous or next name of a rotated Secret.
similar(env, secret) := sort({entry.name |
	some entry in workloads.items(env.inventory.secrets)
	entry.name != secret
	startswith(secret, entry.name)
} | {entry.name |
	some entry in workloads.items(env.inventory.secrets)
	entry.name != secret
	startswith(entry.name, secret)
})

missing_related(env, ref) := {"env": ref.env, "at": "inventory", "inventory": name, "msg": sprintf("%s lists %s, not %s", [env.inventory.file, name, ref.secret])} if {
	name := similar(env, ref.secret)[0]
}

missing_related(env, ref) := {"env": ref.env, "at": "inventory", "msg": sprintf("%s is not listed in this inventory", [ref.secret])} if {
	count(similar(env, ref.secret)) == 0
}

deny contains result if {
	some ref in refs
	env := input.environments[ref.env]
	not rendered(env, ref.secret)
	not listed(env, ref.secret)
	result := {
		"msg": sprintf("Secret %s is referenced by %s/%s but is neither rendered for %s nor listed in %s", [ref.secret, ref.resource.kind, ref.resource.name, ref.env, env.inventory.file]),
		"env": ref.env,
		"resource": ref.resource,
		"path": ref.path,
		"name": ref.secret,
		"related": [missing_related(env, ref)],
	}
}

deny contains result if {
	some ref in refs
	is_string(ref.key)
	env := input.environments[ref.env]
	not rendered(env, ref.secret)
	some entry in workloads.items(env.inventory.secrets)
	entry.name == ref.secret
	is_array(entry.keys)
	not ref.key in entry.keys
	result := {
		"msg": sprintf("Secret %s has no key %s in %s, but %s/%s reads it", [ref.secret, ref.key, env.inventory.file, ref.resource.kind, ref.resource.name]),
		"env": ref.env,
		"resource": ref.resource,
		"path": concat("", [ref.path, ".key"]),
		"name": ref.secret,
		"related": [{"env": ref.env, "at": "inventory", "inventory": ref.secret, "msg": sprintf("%s is listed here without key %s", [ref.secret, ref.key])}],
	}
}
