package acme.registry

warn contains msg if {
	some container in input.spec.template.spec.containers
	not approved(container.image)
	msg := sprintf("image %s is not from an approved registry", [container.image])
}

approved(image) if {
	some prefix in data.registries.allowed
	startswith(image, prefix)
}
