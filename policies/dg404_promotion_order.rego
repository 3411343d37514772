# METADATA
# title: promotion-order
# description: A later stage pins a chart version newer than any the previous stage has.
# custom:
#   id: DG404
#   severity: error
#   hint: promote the version through the previous stage first
#   docs: |
#     ## What it does
#
#     Follows the promotion order of `driftgate.yaml` (`promotion: [dev, stage, prod]`). For
#     every environment with an exact pinned chart version, it looks at the nearest earlier stage
#     that has environments of the same chart with pinned versions, and reports the environment
#     when its version is newer than every version pinned there: the previous stage has not got
#     it yet. Older versions are fine (dev usually runs ahead of prod). Versions are compared as
#     semantic versions; ranges are left to DG401. The finding points at the version in
#     `driftgate.yaml`; the previous stage's versions are related information.
#
#     ## Why it matters
#
#     Promotion means prod runs what stage ran. A prod pin that skips stage deploys a version
#     nobody has tested.
#
#     ## Example
#
#     ```yaml
#     promotion: [dev, stage, prod]
#     charts:
#       - path: charts/bedrock
#         environments:
#           dev:   { version: 1.5.0 }
#           stage: { version: 1.4.2 }
#           prod:  { version: 1.5.0 }
#     ```
#
#     reports `prod pins chart version 1.5.0, which the previous stage (stage) has not run: it pins 1.4.2`;
#     dev running ahead of stage is fine.
#
#     ## Fix
#
#     Promote one stage at a time: pin stage to 1.5.0 first, and prod after it has run there.
#
#     ```yaml
#           stage: { version: 1.5.0 }
#           prod:  { version: 1.5.0 }
#     ```
package driftgate.rules.promotion_order

import data.driftgate.lib.workloads

normalized(version) := trim_prefix(version, "v")

exact(version) if semver.is_valid(normalized(version))

# ahead(version, before) holds when version is newer than every version pinned in before.
ahead(version, before) if {
	every e in before {
		exact(e.version)
		semver.compare(normalized(version), normalized(e.version)) > 0
	}
}

previous_stage(index) := max({e.stage_index |
	some e in input.environments
	workloads.staged(e)
	is_string(e.version)
	e.stage_index < index
})

deny contains result if {
	some name, env in input.environments
	workloads.staged(env)
	is_string(env.version)
	exact(env.version)
	previous := previous_stage(env.stage_index)
	before := [e |
		some e in input.environments
		e.stage_index == previous
		is_string(e.version)
	]
	count(before) > 0
	ahead(env.version, before)
	versions := sort({e.version | some e in before})
	result := {
		"msg": sprintf("%s pins chart version %s, which the previous stage (%s) has not run: it pins %s", [name, env.version, input.promotion[previous], concat(", ", versions)]),
		"env": name,
		"at": "version",
		"name": env.version,
		"related": [{"env": e.name, "at": "version", "msg": sprintf("%s pins %s", [e.name, e.version])} | some e in before],
	}
}
