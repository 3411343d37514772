# METADATA
# title: missing-configmap
# description: A referenced ConfigMap is neither rendered by the chart nor listed in the environment's inventory.
# custom:
#   id: DG203
#   severity: error
#   hint: create the ConfigMap in this environment and list it under configMaps in its inventory, or render it from the chart
#   docs: |
#     ## What it does
#
#     For every environment that has an inventory (`secrets:` in `driftgate.yaml`), finds the
#     ConfigMaps its rendered resources reference — `env[].valueFrom.configMapKeyRef`,
#     `envFrom[].configMapRef`, `volumes[].configMap` and
#     `volumes[].projected.sources[].configMap` — and reports each one that the chart does not
#     render for that environment and the inventory's `configMaps` does not list. A
#     `configMapKeyRef` whose key is missing from an inventory entry that lists its keys is
#     reported too. References marked `optional: true` are skipped.
#
#     ## Why it matters
#
#     A pod that mounts or reads a missing ConfigMap does not start, and only in the environment
#     where somebody forgot to create it.
#
#     ## Example
#
#     ```yaml
#     # secrets/prod.yaml
#     configMaps:
#       - name: shop-geoip
#     # rendered for prod
#     volumes:
#       - name: features
#         configMap: { name: shop-features }
#     ```
#
#     reports `ConfigMap shop-features is referenced by Deployment/shop but is neither rendered
#     for prod nor listed in secrets/prod.yaml`.
#
#     ## Fix
#
#     ```yaml
#     # secrets/prod.yaml
#     configMaps:
#       - name: shop-geoip
#       - name: shop-features
#     ```
package driftgate.rules.missing_configmap

import data.driftgate.lib.workloads

checked[name] := env if {
	some name, env in input.environments
	is_object(env.inventory)
}

refs contains {"env": name, "resource": workloads.resource_id(obj), "path": path, "config_map": ref.name, "key": key} if {
	some name, env in checked
	some obj in env.resources
	some pair in workloads.containers(obj)
	some e in workloads.items(object.get(pair[1], "env", []))
	ref := e.valueFrom.configMapKeyRef
	is_string(ref.name)
	not ref.optional == true
	path := sprintf("%s.env[%s].valueFrom.configMapKeyRef", [pair[0], e.name])
	key := object.get(ref, "key", null)
}

refs contains {"env": name, "resource": workloads.resource_id(obj), "path": path, "config_map": ref.name, "key": null} if {
	some name, env in checked
	some obj in env.resources
	some pair in workloads.containers(obj)
	some i, from in workloads.items(object.get(pair[1], "envFrom", []))
	ref := from.configMapRef
	is_string(ref.name)
	not ref.optional == true
	path := sprintf("%s.envFrom[%d].configMapRef", [pair[0], i])
}

refs contains {"env": name, "resource": workloads.resource_id(obj), "path": path, "config_map": v.configMap.name, "key": null} if {
	some name, env in checked
	some obj in env.resources
	pod := workloads.pod_spec(obj)
	some v in workloads.items(object.get(pod[1], "volumes", []))
	is_string(v.configMap.name)
	not v.configMap.optional == true
	path := sprintf("%s.volumes[%s].configMap", [pod[0], v.name])
}

refs contains {"env": name, "resource": workloads.resource_id(obj), "path": path, "config_map": source.configMap.name, "key": null} if {
	some name, env in checked
	some obj in env.resources
	pod := workloads.pod_spec(obj)
	some v in workloads.items(object.get(pod[1], "volumes", []))
	some i, source in workloads.items(v.projected.sources)
	is_string(source.configMap.name)
	not source.configMap.optional == true
	path := sprintf("%s.volumes[%s].projected.sources[%d].configMap", [pod[0], v.name, i])
}

rendered(env, config_map) if {
	some obj in env.resources
	obj.kind == "ConfigMap"
	obj.metadata.name == config_map
}

listed(env, config_map) if {
	some entry in workloads.items(env.inventory.configMaps)
	entry.name == config_map
}

deny contains result if {
	some ref in refs
	env := input.environments[ref.env]
	not rendered(env, ref.config_map)
	not listed(env, ref.config_map)
	result := {
		"msg": sprintf("ConfigMap %s is referenced by %s/%s but is neither rendered for %s nor listed in %s", [ref.config_map, ref.resource.kind, ref.resource.name, ref.env, env.inventory.file]),
		"env": ref.env,
		"resource": ref.resource,
		"path": ref.path,
		"name": ref.config_map,
		"related": [{"env": ref.env, "at": "inventory", "msg": sprintf("%s is not listed in this inventory", [ref.config_map])}],
	}
}

deny contains result if {
	some ref in refs
	is_string(ref.key)
	env := input.environments[ref.env]
	not rendered(env, ref.config_map)
	some entry in workloads.items(env.inventory.configMaps)
	entry.name == ref.config_map
	is_array(entry.keys)
	not ref.key in entry.keys
	result := {
		"msg": sprintf("ConfigMap %s has no key %s in %s, but %s/%s reads it", [ref.config_map, ref.key, env.inventory.file, ref.resource.kind, ref.resource.name]),
		"env": ref.env,
		"resource": ref.resource,
		"path": concat("", [ref.path, ".key"]),
		"name": ref.config_map,
		"related": [{"env": ref.env, "at": "inventory", "inventory": ref.config_map, "msg": sprintf("%s is listed here without key %s", [ref.config_map, ref.key])}],
	}
}
