#!/usr/bin/env bats
# The real runc on this machine, driven through phoenix and directly, with
# busybox root filesystems.  This kernel has no AppArmor: by default
# phoenix refuses to create containers (fail closed, error in --log in
# runc's format); with requireApparmor=false it warns and hands every
# command to runc, which must then behave exactly as without phoenix.

load helpers

setup() {
	common_setup
	export ROOT="$WORK/runc-root"
	mkdir -p "$ROOT"
}

teardown() {
	for id in $(runc --root "$ROOT" list -q 2>/dev/null); do
		runc --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	common_teardown
}

@test "create without AppArmor fails closed with phoenix's message in the --log file" {
	make_bundle "$WORK/b" '["sleep","100"]'
	cp "$WORK/b/config.json" "$WORK/config.orig"
	run "$PHOENIX" --root "$ROOT" --log "$WORK/log.json" --log-format json create --bundle "$WORK/b" c1
	assert_failure 1
	assert_output ""                     # the container's stdio stays clean
	assert_equal "$(wc -l <"$WORK/log.json")" 1
	jq -e '.level == "error"' "$WORK/log.json"
	jq -e '.msg | startswith("phoenix: create c1: cannot confine container `c1`: AppArmor is not enabled")' "$WORK/log.json"
	jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2})$")' "$WORK/log.json"
	# nothing was created and the bundle is untouched
	run runc --root "$ROOT" state c1
	assert_failure
	cmp "$WORK/config.orig" "$WORK/b/config.json"
}

@test "without --log the error goes to stderr in text format" {
	make_bundle "$WORK/b" '["true"]'
	run --separate-stderr "$PHOENIX" --root "$ROOT" run --bundle "$WORK/b" c1
	assert_failure 1
	assert_equal "$output" ""
	# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
	[[ "$stderr" =~ ^time=\".*\"\ level=error\ msg=\"phoenix:\ run\ c1:\ cannot\ confine ]]
}

@test "--log-format text appends a logrus text line" {
	make_bundle "$WORK/b" '["true"]'
	echo 'time="x" level=info msg="earlier line"' >"$WORK/log.txt"
	run "$PHOENIX" --root "$ROOT" --log "$WORK/log.txt" --log-format text create -b "$WORK/b" c1
	assert_failure
	assert_equal "$(wc -l <"$WORK/log.txt")" 2
	tail -n 1 "$WORK/log.txt" | grep -q '^time=".*" level=error msg="phoenix: create c1: '
}

# The same sequence through phoenix and straight to runc (lifecycle.sh);
# outputs compared after removing what differs between any two runs.
lifecycle() {
	ROOT=$ROOT bash "$BATS_TEST_DIRNAME/lifecycle.sh" "$@"
}

@test "the whole lifecycle through phoenix gives runc's own results" {
	config_without_apparmor
	make_bundle "$WORK/b1" '["sleep","1000"]'
	make_bundle "$WORK/b2" '["sleep","1000"]'
	lifecycle runc same "$WORK/b1" "$WORK/direct.out"
	lifecycle "$PHOENIX --log $WORK/log.json --log-format json" same "$WORK/b2" "$WORK/phoenix.out"
	sed -i "s|$WORK/b[12]|BUNDLE|g" "$WORK/direct.out" "$WORK/phoenix.out"
	diff -u "$WORK/direct.out" "$WORK/phoenix.out"
	grep -q 'exec-out' "$WORK/phoenix.out"
	grep -q 'exec-status=7' "$WORK/phoenix.out"
	# each create/exec warned in the log that AppArmor is not used
	run jq -s '[.[] | select(.level == "warning" and (.msg | contains("WITHOUT AppArmor")))] | length' "$WORK/log.json"
	assert_output 3 # create and the two execs
}

@test "run in the foreground returns the container's exit status and output" {
	config_without_apparmor
	make_bundle "$WORK/b" '["sh","-c","echo from-container; exit 3"]'
	run --separate-stderr "$PHOENIX" --root "$ROOT" --log "$WORK/log" run --bundle "$WORK/b" r1
	assert_equal "$status" 3
	assert_equal "$output" "from-container"
	assert_equal "$stderr" ""
	run runc --root "$ROOT" state r1
	assert_failure
}

@test "spec, features and --version through phoenix" {
	mkdir "$WORK/s1" "$WORK/s2"
	(cd "$WORK/s1" && runc spec --rootless)
	(cd "$WORK/s2" && "$PHOENIX" spec --rootless)
	cmp "$WORK/s1/config.json" "$WORK/s2/config.json"
	run "$PHOENIX" features
	assert_success
	echo "$output" | jq -e '.ociVersionMax'
}

@test "without AppArmor, start, delete and the other commands still reach runc" {
	# default config: requireApparmor is true; only confining commands fail
	make_bundle "$WORK/b" '["sleep","1000"]'
	runc --root "$ROOT" create --bundle "$WORK/b" d1 </dev/null >/dev/null 2>&1
	run "$PHOENIX" --root "$ROOT" start d1
	assert_success
	assert_equal "$(runc --root "$ROOT" state d1 | jq -r .status)" running
	run "$PHOENIX" --root "$ROOT" delete --force d1
	assert_success
	run runc --root "$ROOT" state d1
	assert_failure
}
