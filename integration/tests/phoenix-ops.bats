#!/usr/bin/env bats
# The operator's tools on the real kernel: phoenix check, phoenix denials,
# the poststop hook, the --debug trace.

load phoenix-helpers

setup() {
	phx_setup
}

teardown() {
	phx_teardown
	rmdir "$AAFS/policy/namespaces/ct-check" 2>/dev/null || true
}

@test "check as root, unconfined: every step works, exit 0" {
	run phx check
	assert_success
	run cat "$T/out"
	assert_line --regexp '^ok +namespace-create +scratch namespace phx-check-[0-9]+ created'
	assert_line --regexp '^ok +profile-load '
	assert_line --regexp '^ok +transition +`exec :phx-check-[0-9]+:unconfined` accepted'
	assert_line --regexp '^ok +namespace-remove '
	assert_line "phoenix can confine containers here"
	# the scratch namespace is gone
	[ -z "$(phx_namespaces | grep '^phx-check-')" ]
}

@test "check in a namespace of its own under a host profile, and confined in the root namespace" {
	load_host_profile phoenix-test-host
	mkdir -p "$AAFS/policy/namespaces/ct-check"
	run phx_as 'phoenix-test-host//&:ct-check:unconfined' check --json
	assert_success
	jq -e '.ok == true' "$T/out"
	jq -e '[.checks[] | select(.name == "transition-shape")][0].detail | contains("namespace of its own")' "$T/out"
	run phx_as phoenix-test-host check
	assert_failure
	run cat "$T/out"
	assert_line --regexp '^fail +transition-shape +confined by `phoenix-test-host` in the root policy namespace'
}

@test "check without CAP_MAC_ADMIN names the cause and the fix" {
	run capsh --drop=cap_mac_admin -- -c '"$0" check' "$PHOENIX"
	assert_failure
	assert_line --regexp '^fail +cap-mac-admin +CAP_MAC_ADMIN missing'
	assert_line --regexp '^fail +namespace-create .*not policy admin'
}

@test "denials: each container's own records" {
	make_bundle "$T/a" "$PROBE_SCRIPT"
	make_bundle "$T/b" "$PROBE_SCRIPT"
	phx run -d --bundle "$T/a" dena
	phx run -d --bundle "$T/b" denb
	wait_file "$T/a/rootfs/ready"
	wait_file "$T/b/rootfs/ready"
	run phx denials dena --json
	assert_success
	jq -e 'length >= 1' "$T/out"
	jq -e 'all(.[]; .container == "dena")' "$T/out"
	jq -e 'any(.[]; .name == "/phoenix-denied/secret" and .profile == "phoenix-default" and .denied == "r")' "$T/out"
	run phx denials denb --json
	jq -e 'length >= 1 and all(.[]; .container == "denb")' "$T/out"
	run phx denials
	assert_success
	grep -q dena "$T/out"
	grep -q denb "$T/out"
	grep -q '/phoenix-denied/secret' "$T/out"
}

@test "the poststop hook reaps the namespace when the runtime deletes without phoenix" {
	write_config '{"poststopHook": true}'
	make_bundle "$T/b" 'exec sleep 1000'
	phx run -d --bundle "$T/b" hk1
	jq -e '.hooks.poststop[-1].args | index("poststop") != null' "$T/b/config.json"
	ns=$(ns_of hk1)
	[ -n "$ns" ]
	# the runtime alone, as a client that bypasses phoenix's delete would
	runc --root "$ROOT" delete --force hk1
	[ -z "$(ns_of hk1)" ]
	[ ! -f "$T/state/$ns.json" ]
	# through phoenix, the hook steps aside and delete reaps
	phx run -d --bundle "$T/b" hk2
	run phx delete --force hk2
	assert_success
	[ -z "$(ns_of hk2)" ]
}

@test "--debug traces each step into the --log file, never onto stdio" {
	make_bundle "$T/b" 'echo container-output'
	run "$PHOENIX" --root "$ROOT" --debug --log "$T/log" --log-format json run --bundle "$T/b" dbg </dev/null
	assert_success
	assert_output "container-output"
	jq -r 'select(.level=="debug") | .msg' "$T/log" >"$T/debug"
	grep -q 'namespace phx-.*-dbg, transition `exec :phx-.*-dbg:unconfined`' "$T/debug"
	grep -q 'profile phoenix-default loaded into phx-.*-dbg (compiled policy: cache \(hit\|miss\)' "$T/debug"
	grep -q 'namespace phx-.*-dbg removed' "$T/debug"
	# the timing records bench/vm-bench.sh reads, one per step
	for step in startup parse choose probe lock record namespace load rewrite plan runtime reap total; do
		grep -Eq "^phoenix: timing: run: $step [0-9]+\.[0-9]{3} ms\$" "$T/debug"
	done
}

# Linux >= 6.8 has the LSM system calls (lsm_set_self_attr 460 on x86_64).
kernel_has_lsm_syscalls() {
	local v major minor
	v=$(uname -r)
	major=${v%%.*}
	minor=${v#*.}
	minor=${minor%%[!0-9]*}
	[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 8 ]; }
}

@test "the transition goes through lsm_set_self_attr(2) on Linux >= 6.8, procfs before: check and --debug say which" {
	run phx check
	assert_success
	run cat "$T/out"
	if kernel_has_lsm_syscalls; then
		assert_line --regexp '^ok +exec-interface +lsm_set_self_attr\(2\) \(LSM_ATTR_EXEC, LSM_ID_APPARMOR\)'
		# the pending label, read back by lsm_get_self_attr(2) in the child
		assert_line --regexp '^ok +transition +`exec :phx-check-[0-9]+:unconfined` accepted through lsm_set_self_attr\(2\), read back with lsm_get_self_attr\(2\): `:phx-check-[0-9]+:unconfined`$'
		assert_line --regexp '^ok +display-lsm '
		iface='lsm_set_self_attr(2)'
	else
		assert_line --regexp '^ok +exec-interface +procfs \(/proc/thread-self/attr/apparmor/exec\): no LSM system calls \(Linux before 6\.8\): ENOSYS$'
		assert_line --regexp '^ok +transition +`exec :phx-check-[0-9]+:unconfined` accepted through procfs$'
		iface='/proc/thread-self/attr/apparmor/exec: no LSM system calls (Linux before 6.8)'
	fi
	# create plans the same interface, and the container carries the label
	make_bundle "$T/b" "$PROBE_SCRIPT"
	# (not under bats' run: the detached container would hold its pipe)
	"$PHOENIX" --root "$ROOT" --debug --log "$T/log" --log-format json run -d --bundle "$T/b" lsm1 \
		</dev/null >"$T/out" 2>"$T/err"
	jq -r 'select(.level=="debug") | .msg' "$T/log" >"$T/debug"
	grep -F "container lsm1: transition \`exec :phx-" "$T/debug" | grep -qF ":unconfined\` through $iface"
	wait_file "$T/b/rootfs/ready"
	ns=$(ns_of lsm1)
	assert_equal "$(cat "$T/b/rootfs/label")" "phoenix-default (enforce)"
	assert_equal "$(cat /proc/"$(container_pid lsm1)"/attr/current)" ":$ns:phoenix-default (enforce)"
	phx delete --force lsm1
	[ -z "$(ns_of lsm1)" ]
}

@test "a host profile that denies every procfs attribute write: the transition still works where the system call makes it" {
	# the kernel decides which interface was used: the system call opens
	# no file, the procfs write is a file write this profile denies
	cat >"$T/noattr" <<-'EOF2'
		abi <abi/3.0>,
		include <tunables/global>
		profile phoenix-test-noprocattr flags=(attach_disconnected,mediate_deleted) {
		  include <abstractions/phoenix-test-host-base>
		  audit deny @{PROC}/*/attr/** w,
		  audit deny @{PROC}/*/task/*/attr/** w,
		}
	EOF2
	apparmor_parser -r -I "$REPO/profiles/host" "$T/noattr"
	mkdir -p "$AAFS/policy/namespaces/ct-check"
	run phx_as 'phoenix-test-noprocattr//&:ct-check:unconfined' check
	if kernel_has_lsm_syscalls; then
		assert_success
		run cat "$T/out"
		assert_line --regexp '^ok +transition +`exec :phx-check-[0-9]+:unconfined` accepted through lsm_set_self_attr\(2\), read back with lsm_get_self_attr\(2\): `:phx-check-[0-9]+:unconfined`$'
		run denials_since 'profile="phoenix-test-noprocattr"'
		refute_output --partial '/attr/'
	else
		assert_failure
		run cat "$T/out"
		assert_line --regexp '^fail +transition +`exec :phx-check-[0-9]+:unconfined` refused through procfs: .*open `/proc/thread-self/attr/apparmor/exec`: Permission denied$'
		run denials_since 'profile="phoenix-test-noprocattr"'
		assert_output --partial '/attr/apparmor/exec"'
	fi
	apparmor_parser -R -I "$REPO/profiles/host" "$T/noattr"
}
