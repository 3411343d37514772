# METADATA
# title: resource-parity
# description: A resource exists in some environments of a chart and not in others.
# custom:
#   id: DG204
#   severity: warning
#   hint: render the resource in this environment too, or make the difference explicit and ignore it in driftgate.yaml
#   docs: |
#     ## What it does
#
#     Compares the resources each environment of a chart renders, by kind and by the template
#     that writes them (names often differ per environment on purpose). A resource rendered in
#     some environments and missing in another is reported for the environment that lacks it,
#     at its override file, with the places that render it elsewhere as related information.
#     Environments that fail to render or render nothing are left out (DG001-DG003 report
#     failures).
#
#     ## Why it matters
#
#     A resource that exists in stage but not in prod (a NetworkPolicy, a PodDisruptionBudget,
#     a CronJob) is often a feature flag left off by mistake, and the difference is invisible in
#     the override files.
#
#     ## Example
#
#     ```yaml
#     # values-stage.yaml
#     pdb:
#       enabled: true
#     # values-prod.yaml does not enable it
#     ```
#
#     reports `PodDisruptionBudget/web is rendered for stage but not for prod`.
#
#     ## Fix
#
#     ```yaml
#     # values-prod.yaml
#     pdb:
#       enabled: true
#     ```
#
#     Differences that are meant to be can be ignored: `DG204: { ignore: [ { resource:
#     PodDisruptionBudget/web, env: dev } ] }`.
package driftgate.rules.resource_parity

import data.driftgate.lib.workloads

# complete[env] are the environments that rendered something without errors: one that failed
# to render (or was not rendered because its values did not load) lacks everything, which
# DG001-DG003 already report.
complete[name] := env if {
	some name, env in input.environments
	not env.render_failed
	count(env.resources) > 0
}

# rendered[env] is what an environment renders, keyed by kind and template: names often carry
# the environment (`web-settings-prod`), the template that writes a resource does not.
rendered[name] := {[obj.kind, env.resource_templates[i]] | some i, obj in env.resources} if {
	some name, env in complete
}

deny contains result if {
	some name, _ in complete
	some other, other_env in complete
	other != name
	some i, obj in other_env.resources
	key := [obj.kind, other_env.resource_templates[i]]
	not key in rendered[name]
	# Reported once per missing resource, from the first environment that renders it.
	holders := sort([e | some e, _ in complete; key in rendered[e]])
	other == holders[0]
	result := {
		"msg": sprintf("%s/%s is rendered for %s but not for %s", [obj.kind, obj.metadata.name, concat(", ", holders), name]),
		"env": name,
		"at": "override",
		"name": obj.metadata.name,
		"related": [{"env": e, "resource": workloads.resource_id(obj), "at": "template", "msg": sprintf("rendered here for %s", [e])} | some e in holders],
	}
}
