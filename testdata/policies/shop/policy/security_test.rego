package main

test_root_pod_is_denied if {
	deny_run_as_root["web: containers must not run as root"] with input as {
		"kind": "Deployment",
		"metadata": {"name": "web"},
		"spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": false}}}},
	}
}

test_non_root_pod_passes if {
	count(deny_run_as_root) == 0 with input as {
		"kind": "Deployment",
		"metadata": {"name": "web"},
		"spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": true}}}},
	}
}

test_latest_is_exempted_by_annotation if {
	exception[["latest_tag"]] with input as {"metadata": {"annotations": {"policy.acme.io/allow-latest": "true"}}}
}
