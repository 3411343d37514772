package main

test_one_replica_is_denied if {
	deny["run at least two replicas"] with input as {"kind": "Deployment", "spec": {"replicas": 1}}
}

# Wrong on purpose: three replicas are fine, so this test fails.
test_three_replicas_are_denied if {
	deny["run at least two replicas"] with input as {"kind": "Deployment", "spec": {"replicas": 3}}
}
