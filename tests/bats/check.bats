#!/usr/bin/env bats
# phoenix check on this machine, whose kernel has no AppArmor: it says
# exactly that, how to fix it, and exits non-zero.  (On the real kernel:
# integration/tests/phoenix-check.bats.)

load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

@test "check without AppArmor: the reason, the fix, exit status 1" {
	if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
		fail "this test expects a kernel without AppArmor (the VM suite covers the other case)"
	fi
	run --separate-stderr "$PHOENIX" check
	assert_failure 1
	assert_line --regexp '^fail +apparmor-enabled +AppArmor is not enabled'
	assert_line --regexp 'fix: boot a kernel with AppArmor'
	assert_line "phoenix cannot confine containers here (see the failures above)"
	assert_line --regexp '^ok +runtime +/.*runc version'
}

@test "check --json is one document with a result per check" {
	run --separate-stderr "$PHOENIX" check --json
	assert_failure 1
	echo "$output" | jq -e '.ok == false'
	echo "$output" | jq -e '[.checks[] | select(.name == "apparmor-enabled")][0].result == "fail"'
	echo "$output" | jq -e '[.checks[] | select(.result == "fail")] | all(.fix | length > 0)'
}

@test "check refuses unknown arguments" {
	run --separate-stderr "$PHOENIX" check --frobnicate
	assert_failure 1
	# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
	[[ "$stderr" == *"check: unknown argument"* ]]
}
