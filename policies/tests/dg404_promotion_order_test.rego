# Unit tests of the promotion-order policy (`driftgate test policies/`).
package driftgate.rules.promotion_order

environments := {
	"dev": {"name": "dev", "stage_index": 0, "version": "1.5.0"},
	"stage": {"name": "stage", "stage_index": 1, "version": "1.4.2"},
	"prod": {"name": "prod", "stage_index": 2, "version": "v1.5.0"},
}

test_prod_ahead_of_stage_is_reported if {
	results := deny with input as {"promotion": ["dev", "stage", "prod"], "environments": environments}
	count(results) == 1
	some result in results
	result.env == "prod"
}

test_stage_behind_dev_is_fine if {
	results := deny with input as {"promotion": ["dev", "stage", "prod"], "environments": object.remove(environments, ["prod"])}
	count(results) == 0
}
