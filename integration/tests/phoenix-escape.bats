#!/usr/bin/env bats
# Escape attempts from inside a nested container on the real kernel.  The
# caller is confined the way phoenix runs inside an LXC container (host
# profile phoenix-test-host stacked with a namespace of its own, ct-esc),
# and the nested container gets everything that would help it: securityfs
# mounted, the host's PID namespace, and CAP_MAC_ADMIN kept (the operator's
# `keep`), so that AppArmor alone stands in the way.  Each attempt is
# refused by the kernel, and the host's policy is unchanged afterwards.

load phoenix-helpers

CALLER='phoenix-test-host-strict//&:ct-esc:unconfined'

setup_file() {
	load_host_profile phoenix-test-host-strict
}

setup() {
	phx_setup
	mkdir -p "$AAFS/policy/namespaces/ct-esc"
	write_config '{"macCapabilities": "keep"}'
	# a process outside the container, to signal and to inspect
	sleep 1000 &
	VICTIM=$!
	export VICTIM
	make_bundle "$T/b" "$(cat <<-EOF
		cat /proc/self/attr/current >/label
		try() { name=\$1; shift; "\$@" >/dev/null 2>/esc-\$name.err; echo \$? >/esc-\$name.status; }
		A=/sys/kernel/security/apparmor
		try load sh -c "echo x >\$A/.load"
		try replace sh -c "echo x >\$A/.replace"
		try remove sh -c "echo phoenix-default >\$A/.remove"
		try policy-replace sh -c "echo x >\$A/policy/.replace"
		try mkdir-ns mkdir \$A/policy/namespaces/escape
		try mkdir-root-ns mkdir \$A/policy/../escape
		try rmdir-own sh -c "cd \$A/policy/.. && rmdir phx-*"
		try change-root sh -c "echo 'changeprofile :root:unconfined' >/proc/\\\$\\\$/attr/apparmor/current"
		try change-own sh -c "echo 'changeprofile unconfined' >/proc/\\\$\\\$/attr/apparmor/current"
		try other-attr sh -c "echo 'changeprofile unconfined' >/proc/$VICTIM/attr/apparmor/current"
		try host-denied cat /phoenix-host-denied/secret
		try signal kill -TERM $VICTIM
		try ptrace-read cat /proc/$VICTIM/environ
		touch /ready
		exec sleep 1000
	EOF
	)"
	jq '.linux.namespaces |= map(select(.type != "pid")) |
		.process.capabilities |= with_entries(.value += ["CAP_MAC_ADMIN"]) |
		.mounts += [{"destination": "/sys/kernel/security", "type": "securityfs",
			"source": "securityfs", "options": ["nosuid", "noexec", "nodev"]}]' \
		"$T/b/config.json" >"$T/c.new"
	mv "$T/c.new" "$T/b/config.json"
	profiles_before=$(sort "$AAFS/profiles")
	export profiles_before
}

teardown() {
	kill "$VICTIM" 2>/dev/null || true
	phx_teardown
	rmdir "$AAFS/policy/namespaces/ct-esc" 2>/dev/null || true
}

start_container() {
	run phx_as "$CALLER" run -d --bundle "$T/b" esc
	assert_success
	wait_file "$T/b/rootfs/ready"
	NS=$(ns_of esc ct-esc)
	export NS
	assert_equal "$(cat "/proc/$(container_pid esc)/attr/current")" \
		"phoenix-test-host-strict//&:ct-esc//$NS:phoenix-default (enforce)"
	# it really holds CAP_MAC_ADMIN: only AppArmor refuses what follows
	capeff=$(awk '/^CapEff/ {print $2}' "/proc/$(container_pid esc)/status")
	(((0x$capeff >> 33) & 1))
}

# refused NAME: the attempt NAME failed inside the container.
refused() {
	local status
	status=$(cat "$T/b/rootfs/esc-$1.status")
	[ "$status" != 0 ] || {
		echo "escape attempt $1 succeeded" >&2
		return 1
	}
}

@test "policy loads are refused everywhere: .load, .replace, .remove, the policy link" {
	start_container
	for a in load replace remove policy-replace; do
		refused "$a"
		grep -q 'Permission denied' "$T/b/rootfs/esc-$a.err"
	done
	assert_equal "$(grep -v "^:ct-esc//$NS:" "$AAFS/profiles" | sort)" "$profiles_before"
	# the container's own profile is still loaded, unchanged
	grep -qx ":ct-esc//$NS:phoenix-default (enforce)" "$AAFS/profiles"
}

@test "namespaces can be neither created (below its own or the root) nor removed (its own)" {
	start_container
	refused mkdir-ns
	refused mkdir-root-ns
	refused rmdir-own
	[ -d "$AAFS/policy/namespaces/ct-esc/namespaces/$NS" ]
	[ ! -e "$AAFS/policy/namespaces/escape" ]
	[ ! -e "$AAFS/policy/namespaces/ct-esc/namespaces/escape" ]
	[ ! -e "$AAFS/policy/namespaces/ct-esc/namespaces/$NS/namespaces/escape" ]
}

@test "no change to a profile outside the container's namespace, nor to its unconfined" {
	start_container
	refused change-root
	refused change-own
	assert_equal "$(cat "$T/b/rootfs/label")" "phoenix-default (enforce)"
	assert_equal "$(cat "/proc/$(container_pid esc)/attr/current")" \
		"phoenix-test-host-strict//&:ct-esc//$NS:phoenix-default (enforce)"
}

@test "another task's attributes cannot be written" {
	start_container
	refused other-attr
	assert_equal "$(cat "/proc/$VICTIM/attr/current")" "unconfined"
}

@test "a path the host profile denies stays denied, with the host profile's audit record" {
	start_container
	refused host-denied
	run denials_since 'name="/phoenix-host-denied/secret"'
	assert_output --partial 'profile="phoenix-test-host-strict"'
}

# The container's own profile cannot decide this: the victim's label is
# outside its namespace, and the kernel skips label components a profile
# cannot see (security/apparmor/label.c, label_components_match()).  The
# host profile's signal and ptrace rules are what refuse it.
@test "processes outside can be neither signalled nor inspected (ptrace read)" {
	start_container
	refused signal
	refused ptrace-read
	kill -0 "$VICTIM"
	run denials_since 'operation="signal"'
	assert_output --partial 'profile="phoenix-test-host-strict"'
	# (the ptrace read is refused before AppArmor is asked: the
	# container's root lacks capabilities the host's root holds, and
	# the capability module, first in the LSM order, refuses that)
	grep -q 'Permission denied' "$T/b/rootfs/esc-ptrace-read.err"
}
