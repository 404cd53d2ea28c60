#!/usr/bin/env bats
# Each failure cause phoenix names, provoked for real on the kernel: the
# container does not start, nothing is left, and the message says why and
# what to do.

load phoenix-helpers

setup() {
	phx_setup
	make_bundle "$T/b" 'exec sleep 1000'
}

teardown() {
	phx_teardown
	for ns in ct-nomac ct-nochange; do
		rmdir "$AAFS/policy/namespaces/$ns" 2>/dev/null || true
	done
}

# expect_create_failure SUBSTRING [WRAPPER...]: create fails with SUBSTRING
# in the --log error line; no namespace, no record left.
expect_create_failure() {
	local want=$1
	shift
	rm -f "$T/log"
	run "$@" sh -c 'exec "$0" "$@" </dev/null >/dev/null 2>&1' \
		"$PHOENIX" --root "$ROOT" --log "$T/log" --log-format json create --bundle "$T/b" f1
	assert_failure
	run jq -r 'select(.level=="error") | .msg' "$T/log"
	assert_output --partial "$want"
	[ -z "$(phx_namespaces)" ]
	[ -z "$(ls "$T/state"/*.json 2>/dev/null)" ]
	run runc --root "$ROOT" state f1
	assert_failure
}

@test "securityfs not mounted" {
	expect_create_failure "securityfs is not mounted" \
		unshare -m sh -c 'umount /sys/kernel/security && exec "$@"' sh
}

@test "CAP_MAC_ADMIN missing" {
	expect_create_failure "CAP_MAC_ADMIN" capsh --drop=cap_mac_admin -- -c 'exec "$0" "$@"'
	grep -q 'not policy admin' "$T/log"
}

@test "the caller's profile lacks capability mac_admin" {
	load_host_profile phoenix-test-host-nomacadmin
	mkdir -p "$AAFS/policy/namespaces/ct-nomac"
	expect_create_failure "mac_admin" aa-exec -p 'phoenix-test-host-nomacadmin//&:ct-nomac:unconfined' --
}

@test "the caller's profile has no change_profile rule for the transition" {
	cat >"$T/nochange" <<-'EOF2'
		abi <abi/3.0>,
		profile phoenix-test-nochange flags=(attach_disconnected,mediate_deleted) {
		  file, capability, network, mount, umount, pivot_root, signal, ptrace, unix,
		}
	EOF2
	apparmor_parser -r "$T/nochange"
	# Only a caller confined in the root namespace is checked for the
	# transition (domain.c: changes apply to the members of the caller's
	# own namespace): the bounded stack phoenix writes for it when
	# allowRootNamespaceStack is on needs `change_profile -> &:<ns>:...`.
	write_config '{"allowRootNamespaceStack": true}'
	expect_create_failure "change_profile" aa-exec -p phoenix-test-nochange --
}

@test "user-namespace level differs from the policy-namespace level" {
	expect_create_failure "not policy admin" unshare -U -r --
}

@test "profile missing, and profile that does not compile" {
	jq '.process.apparmorProfile = "no-such-profile"' "$T/b/config.json" >"$T/c" && mv "$T/c" "$T/b/config.json"
	expect_create_failure "profile \`no-such-profile\` not found"
	printf 'profile broken {\n  this is not a rule,\n}\n' >"$T/profiles/broken"
	jq '.process.apparmorProfile = "broken"' "$T/b/config.json" >"$T/c" && mv "$T/c" "$T/b/config.json"
	expect_create_failure "broken"
}

@test "exec into a container whose namespace vanished: label not found" {
	phx run -d --bundle "$T/b" f2
	ns=$(ns_of f2)
	# only possible behind phoenix's back: the kernel lets rmdir remove a
	# namespace with tasks (they fall back to its unconfined)
	rmdir "$AAFS/policy/namespaces/$ns"
	run phx exec f2 true
	assert_failure
	log_error | grep -qF -- "not found"
	runc --root "$ROOT" delete --force f2
}
