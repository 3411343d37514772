package main

# One message per number: far more results than any policy should give.
deny contains msg if {
	some n in numbers.range(1, 5000)
	msg := sprintf("finding %d", [n])
}
