#!/usr/bin/env bats
# Fault injection on the real kernel: every kernel operation phoenix does is
# made to fail, in turn, with a chosen errno (PHOENIX_FAULT, compiled into
# build-faults/ only: `make FAULTS=1`; the release build ignores it).  For each, the container does not
# start, no namespace, record or runtime state is left, and the error names
# the operation and the errno.

load phoenix-helpers

FAULTY=$REPO/build-faults/phoenix

setup() {
	phx_setup
	[ -x "$FAULTY" ] || {
		echo "$FAULTY is missing: make FAULTS=1" >&2
		return 1
	}
	make_bundle "$T/b" 'cat /proc/self/attr/current >/label; exec sleep 1000'
	# a cache of the test's own: the compile fault needs a miss
	write_config "$(jq -n --arg c "$T/cache" '{cacheDir: $c}')"
}

teardown() {
	phx_teardown
}

# faulty FAULT ARGS...: the fault-injection build, with PHOENIX_FAULT=FAULT.
faulty() {
	PHOENIX_FAULT=$1 "$FAULTY" --root "$ROOT" --log "$T/log" --log-format json "${@:2}" \
		</dev/null >"$T/out" 2>"$T/err"
}

# nothing_left ID: no namespace, no record, no runtime state of ID.
nothing_left() {
	[ -z "$(phx_namespaces)" ] || {
		echo "namespaces left: $(phx_namespaces)" >&2
		return 1
	}
	[ -z "$(ls "$T/state"/*.json 2>/dev/null)" ] || {
		echo "records left: $(ls "$T/state")" >&2
		return 1
	}
	run runc --root "$ROOT" state "$1"
	assert_failure
}

# expect_fault FAULT COMMAND MESSAGE...: COMMAND (create or run -d) of a
# fresh container fails under FAULT with every MESSAGE in the --log error,
# and leaves nothing.
expect_fault() {
	local fault=$1 cmd=$2 id=f$RANDOM m
	shift 2
	rm -f "$T/log"
	# shellcheck disable=SC2086 # cmd is "create" or "run -d"
	run faulty "$fault" $cmd --bundle "$T/b" "$id"
	assert_failure
	run log_error
	for m in "$@"; do
		assert_output --partial "$m"
	done
	nothing_left "$id"
	# the same command without the fault works: the fault was the cause
	# shellcheck disable=SC2086
	run faulty "" $cmd --bundle "$T/b" "$id"
	assert_success
	[ -n "$(ns_of "$id")" ]
	phx delete --force "$id"
	nothing_left "$id"
}

@test "the release build ignores PHOENIX_FAULT" {
	PHOENIX_FAULT=ns_create:EACCES phx create --bundle "$T/b" r1
	[ -n "$(ns_of r1)" ]
	phx delete r1
	nothing_left r1
}

@test "fault: namespace creation (mkdir in apparmorfs)" {
	expect_fault ns_create:ENOSPC create "create policy namespace" "No space left on device"
	expect_fault ns_create:EACCES run\ -d "create policy namespace" "Permission denied"
}

@test "fault: profile compilation (apparmor_parser)" {
	expect_fault compile:EMFILE create "Too many open files"
}

@test "fault: profile load (.replace of the namespace)" {
	expect_fault policy_load:ENOMEM create "phoenix-default" "Cannot allocate memory"
	expect_fault policy_load:EACCES run\ -d "phoenix-default" "Permission denied"
}

@test "fault: the transition written before the runtime's exec" {
	expect_fault transition:EACCES create "transition" "Permission denied"
	expect_fault transition:EINVAL run\ -d "transition" "Invalid argument"
}

@test "fault: reading phoenix's own label (the probe)" {
	expect_fault self_label:EIO create "cannot read this process's own AppArmor label" "Input/output error"
}

@test "fault: reading the started container's label (verification)" {
	expect_fault label_read:EIO run\ -d "confinement check failed, container killed" "Input/output error"
}

@test "fault: the task scan before a namespace is removed; gc removes it later" {
	phx run -d --bundle "$T/b" t1
	ns=$(ns_of t1)
	run faulty ns_tasks:EIO delete --force t1
	assert_failure
	run log_error
	assert_output --partial "read the label of task"
	assert_output --partial "Input/output error"
	# tasks that cannot be checked keep the namespace
	[ -d "$AAFS/policy/namespaces/$ns" ]
	phx gc
	nothing_left t1
}

@test "fault: the display LSM is not written on a kernel without LSM stacking" {
	# Debian's 6.1 has no display interface: phoenix does not touch it,
	# so the fault cannot fire (the simulated-tree unit tests cover it)
	faulty display:EACCES create --bundle "$T/b" d1
	[ -n "$(ns_of d1)" ]
	phx delete d1
	nothing_left d1
}

@test "fault: namespace removal on delete; gc removes what was left" {
	phx run -d --bundle "$T/b" g1
	ns=$(ns_of g1)
	run faulty ns_remove:EBUSY delete --force g1
	assert_failure
	run log_error
	assert_output --partial "$ns"
	assert_output --partial "Device or resource busy"
	# the runtime's container is gone; phoenix's namespace and record stay
	run runc --root "$ROOT" state g1
	assert_failure
	[ -d "$AAFS/policy/namespaces/$ns" ]
	# a later delete (containerd repeats it) or gc cleans up
	phx gc
	nothing_left g1
}

@test "fault: several at once, by number" {
	expect_fault compile:24,ns_create:28 create "No space left on device"
}
