#!/usr/bin/env bats
# phoenix's state directory and `phoenix gc`: what gc runs (only the
# configured runtime), which state directories it accepts (root's, written
# by root alone), and the lock files it reaps.  None of it needs AppArmor:
# gc reads records and asks the runtime before it touches a namespace.

load helpers

setup() {
	common_setup
	export ROOT="$WORK/runc-root"
	mkdir -p "$ROOT"
	STATE="$WORK/state"
	mkdir -m 0700 "$STATE"
	make_recorder
	export PHOENIX_RUNTIME="$WORK/recorder"
	printf '{"stateDir": "%s"}\n' "$STATE" >"$PHOENIX_CONFIG"
	# what a record might name as its runtime: it must never run
	printf '#!/bin/sh\ntouch "%s/pwned"\nexit 1\n' "$WORK" >"$WORK/evil"
	chmod 0755 "$WORK/evil"
}

teardown() {
	common_teardown
}

# FNV-1a 32 of the runtime root: the scope tag of phoenix's namespace names.
fnv32() {
	local s=$1 h=2166136261 i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$((((h ^ c) * 16777619) & 0xffffffff))
	done
	printf '%08x' "$h"
}

ns_of() {
	printf 'phx-%s-%s' "$(fnv32 "$ROOT")" "$1"
}

# A record as phoenix writes it, naming $WORK/evil as its runtime.
write_record() {
	local id=$1 ns
	ns=$(ns_of "$id")
	jq -n --arg id "$id" --arg root "$ROOT" --arg ns "$ns" --arg rt "$WORK/evil" \
		'{id: $id, root: $root, namespace: $ns, profile: "phoenix-default",
		  transition: "exec", runtime: $rt, created: 1}' >"$STATE/$ns.json"
}

@test "gc and gc --dry-run run the configured runtime, never the one a record names" {
	write_record c1
	run "$PHOENIX" --root "$ROOT" gc --dry-run
	[ ! -e "$WORK/pwned" ]
	assert_equal "$(recorded_argv)" "--root|$ROOT|state|c1|"
	rm -f "$RECORD_DIR/argv"
	# the runtime knows c1: kept
	RECORD_STATUS=0 run "$PHOENIX" --root "$ROOT" gc
	assert_success
	[ ! -e "$WORK/pwned" ]
	assert_equal "$(recorded_argv)" "--root|$ROOT|state|c1|"
	assert_output --partial "0 removed, 1 kept (container alive)"
}

@test "gc refuses a state directory owned by another user, or writable by others" {
	write_record c1
	chown 65534:65534 "$STATE"
	run "$PHOENIX" --root "$ROOT" gc --dry-run
	assert_failure
	assert_output --partial "state directory \`$STATE\`: \`$STATE\` belongs to uid 65534 with mode 0700: it must belong to root and not be writable by group or others"
	[ ! -e "$WORK/pwned" ]
	[ ! -e "$RECORD_DIR/argv" ]
	chown 0:0 "$STATE"
	chmod 0777 "$STATE"
	run "$PHOENIX" --root "$ROOT" gc
	assert_failure
	assert_output --partial "belongs to uid 0 with mode 0777: it must belong to root"
	[ ! -e "$RECORD_DIR/argv" ]
	# a parent others can write (they could swap the directory): refused too
	chmod 0700 "$STATE"
	mkdir -m 0777 "$WORK/open"
	mkdir -m 0700 "$WORK/open/state"
	printf '{"stateDir": "%s"}\n' "$WORK/open/state" >"$PHOENIX_CONFIG"
	run "$PHOENIX" --root "$ROOT" gc
	assert_failure
	assert_output --partial "\`$WORK/open\` (a parent) belongs to uid 0 with mode 0777"
	# a symlink to a good one: refused, not followed
	ln -s "$STATE" "$WORK/state-link"
	printf '{"stateDir": "%s"}\n' "$WORK/state-link" >"$PHOENIX_CONFIG"
	run "$PHOENIX" --root "$ROOT" gc
	assert_failure
	assert_output --partial "is a symbolic link"
	[ ! -e "$RECORD_DIR/argv" ]
	[ ! -e "$WORK/pwned" ]
}

@test "the state directory is made with its parents (0755), itself 0700; root's 0755 is accepted" {
	printf '{"stateDir": "%s"}\n' "$WORK/run/deep/phoenix" >"$PHOENIX_CONFIG"
	run "$PHOENIX" --root "$ROOT" gc --dry-run # a dry run makes nothing
	assert_success
	[ ! -e "$WORK/run" ]
	run "$PHOENIX" --root "$ROOT" gc
	assert_success
	assert_equal "$(stat -c %a "$WORK/run" "$WORK/run/deep" "$WORK/run/deep/phoenix" | tr '\n' ' ')" "755 755 700 "
	chmod 0755 "$WORK/run/deep/phoenix" # what `install -d` makes
	run "$PHOENIX" --root "$ROOT" gc
	assert_success
}

@test "gc removes lock files left without a record, never one held, never with --dry-run" {
	local stale held kept
	stale=$(ns_of gone)
	held=$(ns_of busy)
	kept=$(ns_of c1)
	: >"$STATE/$stale.lock"
	: >"$STATE/$held.lock"
	write_record c1
	: >"$STATE/$kept.lock"
	# c1 is alive
	RECORD_STATUS=0 run "$PHOENIX" --root "$ROOT" gc --dry-run
	assert_success
	assert_output --partial "2 lock files to remove"
	[ -e "$STATE/$stale.lock" ] && [ -e "$STATE/$held.lock" ]
	flock "$STATE/$held.lock" sleep 30 &
	local holder=$!
	sleep 0.5
	RECORD_STATUS=0 run "$PHOENIX" --root "$ROOT" gc
	kill "$holder"
	wait "$holder" || true
	assert_success
	assert_output --partial "1 lock file removed"
	[ ! -e "$STATE/$stale.lock" ]
	[ -e "$STATE/$held.lock" ]
	[ -e "$STATE/$kept.lock" ] # its record is still there
	[ -e "$STATE/$kept.json" ]
}
