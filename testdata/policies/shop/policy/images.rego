package main

# Written in the pre-1.0 Rego style many conftest libraries still use.

deny_latest_tag[msg] {
	input.kind == "Deployment"
	container := input.spec.template.spec.containers[_]
	endswith(container.image, ":latest")
	msg := sprintf("%s: image %s uses the latest tag", [container.name, container.image])
}

exception[rules] {
	input.metadata.annotations["policy.acme.io/allow-latest"] == "true"
	rules := ["latest_tag"]
}
