# Unit tests of the image-unpinned policy's helpers (`driftgate test policies/`).
package driftgate.rules.image_unpinned

test_tag_after_the_last_slash if {
	image_tag("registry:5000/acme/web:1.2.3") == "1.2.3"
	image_tag("registry:5000/acme/web") == ""
	image_tag("nginx") == ""
}

test_latest_and_missing_tags_are_problems if {
	problem("nginx") == "has no tag"
	problem("nginx:latest") == "uses the mutable tag latest"
	not problem("nginx:1.27")
}
