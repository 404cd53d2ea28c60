#!/usr/bin/env bats
# Spec hardening on the real kernel, through phoenix and the real runc: the
# MAC capabilities a spec asks for, seccomp validation before the runtime,
# and phoenix's default seccomp filter.

load phoenix-helpers

setup() {
	phx_setup
}

teardown() {
	phx_teardown
}

# A container that asks for CAP_MAC_ADMIN in every set, runs as its
# namespace's unconfined (so that no file rule of a profile is in the way:
# only the capability decides), has securityfs mounted, and records its
# effective capabilities and whether it could create a policy namespace
# below its own (policy administration).
make_mac_admin_bundle() {
	make_bundle "$T/b" 'grep CapEff /proc/self/status >/capeff
mkdir /sys/kernel/security/apparmor/policy/namespaces/inner 2>/mkdir.err; echo $? >/mkdir.status
touch /ready
exec sleep 1000'
	jq '.process.apparmorProfile = "unconfined" |
		.process.capabilities |= with_entries(.value += ["CAP_MAC_ADMIN"]) |
		.mounts += [{"destination": "/sys/kernel/security", "type": "securityfs",
			"source": "securityfs", "options": ["nosuid", "noexec", "nodev"]}]' \
		"$T/b/config.json" >"$T/c.new"
	mv "$T/c.new" "$T/b/config.json"
}

# has_cap_mac_admin HEX: whether bit 33 (CAP_MAC_ADMIN) is set in HEX.
has_cap_mac_admin() {
	(((0x$1 >> 33) & 1))
}

@test "CAP_MAC_ADMIN asked for by the spec is dropped by default: gone from CapEff, no policy administration" {
	make_mac_admin_bundle
	phx --debug run -d --bundle "$T/b" m1
	wait_file "$T/b/rootfs/ready"
	ns=$(ns_of m1)
	# the container really is its namespace's unconfined
	assert_equal "$(cat "/proc/$(container_pid m1)/attr/current")" ":$ns:unconfined"
	capeff=$(awk '{print $2}' "$T/b/rootfs/capeff")
	run has_cap_mac_admin "$capeff"
	assert_failure
	# the kernel refused the namespace (not policy admin)
	[ "$(cat "$T/b/rootfs/mkdir.status")" != 0 ]
	grep -q 'Permission denied' "$T/b/rootfs/mkdir.err"
	[ ! -d "$AAFS/policy/namespaces/$ns/namespaces/inner" ]
	# --debug says what was removed
	grep -q 'CAP_MAC_ADMIN' "$T/log"
	# so does the spec the runtime got
	run jq -e '[.process.capabilities[] | .[]] | index("CAP_MAC_ADMIN")' "$T/b/config.json"
	assert_failure
}

@test "with the operator's keep, the container keeps CAP_MAC_ADMIN and can administer its namespace, with a warning" {
	write_config '{"macCapabilities": "keep"}'
	make_mac_admin_bundle
	phx run -d --bundle "$T/b" m2
	wait_file "$T/b/rootfs/ready"
	ns=$(ns_of m2)
	capeff=$(awk '{print $2}' "$T/b/rootfs/capeff")
	has_cap_mac_admin "$capeff"
	assert_equal "$(cat "$T/b/rootfs/mkdir.status")" 0
	# the new namespace is below the container's own, nowhere else
	[ -d "$AAFS/policy/namespaces/$ns/namespaces/inner" ]
	[ ! -d "$AAFS/policy/namespaces/inner" ]
	run jq -r 'select(.level=="warning") | .msg' "$T/log"
	assert_output --partial "keeps CAP_MAC_ADMIN"
	# deleting the container removes its namespace and the one it made
	phx delete --force m2
	[ ! -d "$AAFS/policy/namespaces/$ns" ]
}

@test "refuse: a spec asking for CAP_MAC_ADMIN does not start, nothing is left" {
	write_config '{"macCapabilities": "refuse"}'
	make_mac_admin_bundle
	run phx create --bundle "$T/b" m3
	assert_failure
	log_error | grep -q 'CAP_MAC_ADMIN'
	[ -z "$(phx_namespaces)" ]
	run runc --root "$ROOT" state m3
	assert_failure
}

@test "a seccomp rule with an unknown syscall fails at phoenix with its JSON path, before runc" {
	make_bundle "$T/b" 'exec sleep 1000'
	jq '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["getpid", "no_such_syscall"], "action": "SCMP_ACT_ERRNO"}]}' \
		"$T/b/config.json" >"$T/c.new"
	mv "$T/c.new" "$T/b/config.json"
	run phx create --bundle "$T/b" s1
	assert_failure
	run log_error
	assert_output --partial 'linux.seccomp.syscalls[0].names[1]'
	assert_output --partial 'no_such_syscall'
	[ -z "$(phx_namespaces)" ]
	run runc --root "$ROOT" state s1
	assert_failure
}

@test "default seccomp filter: unshare(CLONE_NEWUSER) gets EPERM inside; without the filter it succeeds" {
	local script='unshare -U true 2>/unshare.err; echo $? >/unshare.status; touch /ready; exec sleep 1000'
	# without the filter (the default), the kernel allows it
	make_bundle "$T/off" "$script"
	phx run -d --bundle "$T/off" u1
	wait_file "$T/off/rootfs/ready"
	assert_equal "$(cat "$T/off/rootfs/unshare.status")" 0
	jq -e '.linux.seccomp == null' "$T/off/config.json"
	# with seccompDefault, phoenix's filter refuses it with EPERM
	write_config '{"seccompDefault": true}'
	make_bundle "$T/on" "$script"
	phx run -d --bundle "$T/on" u2
	wait_file "$T/on/rootfs/ready"
	[ "$(cat "$T/on/rootfs/unshare.status")" != 0 ]
	grep -q 'Operation not permitted' "$T/on/rootfs/unshare.err"
	# the filter is the one the README documents, in the spec runc got
	jq -e '.linux.seccomp.syscalls[] | select(.names | index("unshare")) | .errnoRet == 1' "$T/on/config.json"
	# and the process really runs under a filter (Seccomp: 2)
	assert_equal "$(awk '/^Seccomp:/ {print $2}' "/proc/$(container_pid u2)/status")" 2
	assert_equal "$(awk '/^Seccomp:/ {print $2}' "/proc/$(container_pid u1)/status")" 0
}
