#!/usr/bin/env bats
# Runs last: locking policy cannot be undone until the VM reboots.

load phoenix-helpers

setup() {
	phx_setup
	make_bundle "$T/b" 'exec sleep 1000'
}

teardown() {
	phx_teardown
}

@test "policy locked: create fails with the reason, phoenix check explains" {
	echo 1 >/sys/module/apparmor/parameters/lock_policy
	run phx create --bundle "$T/b" l1
	assert_failure
	run jq -r 'select(.level=="error") | .msg' "$T/log"
	assert_output --partial "locked"
	[ -z "$(phx_namespaces)" ]
	run "$PHOENIX" check
	assert_failure
	assert_output --partial "policy is locked"
}
