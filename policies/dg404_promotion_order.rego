# METADATA
# title: promotion-order
# description: A later stage pins a chart version that no environment of the previous stage has.
# custom:
#   id: DG404
#   severity: error
#   hint: promote the version through the previous stage first
#   docs: |
#     ## What it does
#
#     Follows the promotion order of `driftgate.yaml` (`promotion: [dev, stage, prod]`). For
#     every environment with a pinned chart version, it looks at the nearest earlier stage that
#     has environments of the same chart with pinned versions, and reports the environment when
#     none of them pins the same version. The finding points at the version in `driftgate.yaml`;
#     the previous stage's versions are related information.
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
#     reports `prod pins chart version 1.5.0, which no environment of the previous stage
#     stage has (1.4.2)`.
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
	previous := previous_stage(env.stage_index)
	before := [e |
		some e in input.environments
		e.stage_index == previous
		is_string(e.version)
	]
	count(before) > 0
	not normalized(env.version) in {normalized(e.version) | some e in before}
	versions := sort({e.version | some e in before})
	result := {
		"msg": sprintf("%s pins chart version %s, which no environment of the previous stage %s has (%s)", [name, env.version, input.promotion[previous], concat(", ", versions)]),
		"env": name,
		"at": "version",
		"name": env.version,
		"related": [{"env": e.name, "at": "version", "msg": sprintf("%s pins %s", [e.name, e.version])} | some e in before],
	}
}
