# METADATA
# title: image-unpinned
# description: An image has no tag or the mutable tag latest.
# custom:
#   id: DG403
#   severity: error
#   hint: pin the image to a version tag or a digest
#   docs: |
#     ## What it does
#
#     Reports a container or init container whose `image` has no tag (`nginx`) or the tag
#     `latest` (`nginx:latest`). Images pinned by digest (`nginx@sha256:...`) are fine. The
#     finding points at the values line that supplies the tag (or the image).
#
#     ## Why it matters
#
#     A mutable tag makes the same chart version deploy different code on different days and
#     different nodes, and makes a rollback roll back nothing.
#
#     ## Example
#
#     ```yaml
#     # values.yaml
#     image:
#       repository: ghcr.io/acme/bedrock
#       tag: latest
#     ```
#
#     reports `image ghcr.io/acme/bedrock:latest of container web uses the mutable tag latest`.
#
#     ## Fix
#
#     Pin a version (or a digest):
#
#     ```yaml
#     image:
#       repository: ghcr.io/acme/bedrock
#       tag: 2024.06.1
#     ```
package driftgate.rules.image_unpinned

import data.driftgate.lib.workloads

# image_tag(image) is the tag of an image reference, "" when it has none.
image_tag(image) := tag if {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := substring(last, indexof(last, ":") + 1, -1)
}

image_tag(image) := "" if {
	parts := split(image, "/")
	not contains(parts[count(parts) - 1], ":")
}

problem(image) := "has no tag" if image_tag(image) == ""

problem(image) := "uses the mutable tag latest" if image_tag(image) == "latest"

deny contains result if {
	some name, env in input.environments
	some obj in env.resources
	some pair in workloads.containers(obj)
	image := pair[1].image
	is_string(image)
	not contains(image, "@")
	what := problem(image)
	result := {
		"msg": sprintf("image %s of container %s %s", [image, pair[2], what]),
		"env": name,
		"resource": workloads.resource_id(obj),
		"path": sprintf("%s.image", [pair[0]]),
		"name": image,
	}
}
