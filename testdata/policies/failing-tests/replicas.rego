package main

deny contains msg if {
	input.kind == "Deployment"
	input.spec.replicas < 2
	msg := "run at least two replicas"
}
