# METADATA
# title: env-var-parity
# description: An env var set on a container in an earlier stage is missing in a later stage.
# custom:
#   id: DG201
#   severity: error
#   hint: set the variable in this environment too, or ignore it in driftgate.yaml if it belongs to earlier stages only
#   docs: |
#     ## What it does
#
#     Compares the environment variables of every container across the environments of a chart.
#     When a container sets a variable in an environment of an earlier promotion stage (dev) and
#     the same container in an environment of a later stage (prod-iowa) does not, it reports the
#     later environment. The finding points at the key in the later environment's override files
#     where the variable would go (its `env:` map, when it has one; else line 1 of its last
#     override file) and, as related information, at the places where the other environments up
#     to that stage set it (nearest first).
#
#     ## Why it matters
#
#     A feature tested in dev that needs `SENTRY_DSN` works there and fails in prod because
#     somebody added the variable to the dev override only. The deploy succeeds; the outage
#     follows.
#
#     ## Example
#
#     ```yaml
#     # values-dev.yaml
#     env:
#       SENTRY_DSN: https://sentry.example/1
#     # values-prod-iowa.yaml
#     env: {}
#     ```
#
#     reports `env var SENTRY_DSN is set in dev but not in prod-iowa`.
#
#     ## Fix
#
#     Set the variable in the later environment too (or in `values.yaml` for all of them):
#
#     ```yaml
#     # values-prod-iowa.yaml
#     env:
#       SENTRY_DSN: https://sentry.example/7
#     ```
#
#     A variable that is meant for early stages only can be ignored in `driftgate.yaml`:
#     `DG201: { ignore: [ { env: dev, name: DEBUG_TOOLBAR, reason: "dev only" } ] }`.
package driftgate.rules.env_var_parity

import data.driftgate.lib.workloads

# env_vars[env] is the set of [resource, container path, variable] an environment sets.
env_vars[name] := vars if {
	some name, env in input.environments
	workloads.staged(env)
	vars := {[workloads.resource_id(obj), pair[0], e.name] |
		some obj in env.resources
		some pair in workloads.containers(obj)
		some e in workloads.items(object.get(pair[1], "env", []))
		is_string(e.name)
	}
}

# env_containers[env] is the set of [resource, container path] an environment renders.
env_containers[name] := found if {
	some name, env in input.environments
	workloads.staged(env)
	found := {[workloads.resource_id(obj), pair[0]] |
		some obj in env.resources
		some pair in workloads.containers(obj)
	}
}

missing contains [later, item] if {
	some later, later_env in input.environments
	workloads.staged(later_env)
	some earlier, earlier_env in input.environments
	workloads.staged(earlier_env)
	earlier_env.stage_index < later_env.stage_index
	some item in env_vars[earlier]
	[item[0], item[1]] in env_containers[later]
	not item in env_vars[later]
}

deny contains result if {
	some pair in missing
	later := pair[0]
	item := pair[1]
	later_index := input.environments[later].stage_index
	setters := [[e.stage_index, e.name] |
		some e in input.environments
		workloads.staged(e)
		e.name != later
		e.stage_index <= later_index
		item in env_vars[e.name]
	]
	first := sort(setters)[0][1]
	path := sprintf("%s.env[%s]", [item[1], item[2]])
	result := {
		"msg": sprintf("env var %s is set in %s but not in %s", [item[2], first, later]),
		"env": later,
		"resource": item[0],
		"path": path,
		"at": "override",
		"name": item[2],
		# Every environment up to this stage that sets it, nearest stage first.
		"related": [{"env": s[1], "resource": item[0], "path": path, "msg": sprintf("set here for %s", [s[1]])} |
			some s in sort([[0 - x[0], x[1]] | some x in setters])
		],
	}
}
