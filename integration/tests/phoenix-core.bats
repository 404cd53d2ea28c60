#!/usr/bin/env bats
# phoenix on the real AppArmor kernel, with the real runc and
# apparmor_parser: namespaces, profile loading, transitions for each kind
# of caller, exec, delete, failures.

load phoenix-helpers

setup() {
	phx_setup
}

teardown() {
	phx_teardown
}

@test "unconfined caller: the container runs under phoenix-default in a namespace of its own" {
	make_bundle "$T/b" "$PROBE_SCRIPT"
	run phx create --bundle "$T/b" c1
	assert_success
	ns=$(ns_of c1)
	[ -n "$ns" ]
	# the profile is loaded in that namespace, and only there
	grep -qx 'phoenix-default (enforce)' "$AAFS/policy/namespaces/$ns/profiles/"*/name 2>/dev/null ||
		cat "$AAFS/policy/namespaces/$ns/profiles/"*/name | grep -qx phoenix-default
	! grep -q '^phoenix-default ' "$AAFS/profiles"
	# config.json now names the in-namespace profile
	jq -e '.process.apparmorProfile == "phoenix-default"' "$T/b/config.json"
	run phx start c1
	assert_success
	wait_file "$T/b/rootfs/ready"
	assert_equal "$(cat "$T/b/rootfs/label")" "phoenix-default (enforce)"
	pid=$(container_pid c1)
	assert_equal "$(cat /proc/"$pid"/attr/current)" ":$ns:phoenix-default (enforce)"
	# the profile really enforces: EACCES and a kernel audit record
	assert_equal "$(cat "$T/b/rootfs/denied.status")" 1
	grep -q 'Permission denied' "$T/b/rootfs/denied.err"
	run denials_since "name=\"/phoenix-denied/secret\""
	assert_output --partial "namespace=\"root//$ns\" profile=\"phoenix-default\""
}

@test "delete removes the namespace; a second delete (as containerd does) is harmless" {
	make_bundle "$T/b" 'exec sleep 1000'
	phx create --bundle "$T/b" c2
	phx start c2
	ns=$(ns_of c2)
	[ -d "$AAFS/policy/namespaces/$ns" ]
	[ -f "$T/state/$ns.json" ]
	phx kill c2 KILL
	for _ in $(seq 50); do [ "$(runc --root "$ROOT" state c2 | jq -r .status)" = stopped ] && break; sleep 0.1; done
	[ -f "$T/state/$ns.lock" ]
	run phx delete c2
	assert_success
	[ ! -d "$AAFS/policy/namespaces/$ns" ]
	[ ! -f "$T/state/$ns.json" ]
	[ ! -e "$T/state/$ns.lock" ] # the lock file goes with the record
	run phx delete c2
	assert_failure # runc's own "container does not exist"
	[ -z "$(phx_namespaces)" ]
}

@test "delete --force of a running container reaps the namespace only after the runtime" {
	make_bundle "$T/b" 'exec sleep 1000'
	phx run -d --bundle "$T/b" c3
	ns=$(ns_of c3)
	[ -n "$ns" ]
	run phx delete --force c3
	assert_success
	[ -z "$(phx_namespaces)" ]
}

@test "exec enters the same namespace with the same profile" {
	make_bundle "$T/b" 'exec sleep 1000'
	phx run -d --bundle "$T/b" c4
	ns=$(ns_of c4)
	run phx exec c4 cat /proc/self/attr/current
	assert_success
	assert_equal "$(cat "$T/out")" "phoenix-default (enforce)"
	# a --process file as Docker writes it (docker-default) runs under the
	# container's profile
	cat >"$T/p.json" <<-'JSON'
		{"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
		 "args": ["cat", "/proc/self/attr/current"], "env": ["PATH=/bin"],
		 "apparmorProfile": "docker-default"}
	JSON
	run phx exec --process "$T/p.json" c4
	assert_success
	assert_equal "$(cat "$T/out")" "phoenix-default (enforce)"
	# the runtime got phoenix's own copy: the caller's file is as written
	jq -e '.apparmorProfile == "docker-default"' "$T/p.json"
	# detached with a pid file (containerd's form): verified label
	phx exec --detach --pid-file "$T/exec.pid" c4 sleep 100
	assert_equal "$(cat /proc/"$(cat "$T/exec.pid")"/attr/current)" ":$ns:phoenix-default (enforce)"
	# a process gone (and reaped) before its label can be read, as with
	# `docker exec c true`, is not an error
	for _ in 1 2 3 4 5; do
		phx exec --detach --pid-file "$T/true.pid" c4 true
	done
	# an exec may not change the container's profile
	jq '.apparmorProfile = "phoenix-test-custom"' "$T/p.json" >"$T/p2.json"
	run phx exec --process "$T/p2.json" c4
	assert_failure
	log_error | grep -qF -- "cannot change the container's profile"
	run phx exec --apparmor unconfined c4 true
	assert_failure
}

@test "a profile in complain mode: create, start and exec are verified against complain" {
	write_config '{"complain": ["phoenix-default"]}'
	make_bundle "$T/b" 'exec sleep 1000'
	phx run -d --bundle "$T/b" c18
	ns=$(ns_of c18)
	assert_equal "$(cat "$AAFS/policy/namespaces/$ns/profiles/"phoenix-default*/mode)" complain
	pid=$(runc --root "$ROOT" state c18 | jq -r .pid)
	assert_equal "$(cat /proc/"$pid"/attr/current)" ":$ns:phoenix-default (complain)"
	# exec's label check follows the profile's mode instead of killing it
	run phx exec c18 cat /proc/self/attr/current
	assert_success
	assert_equal "$(cat "$T/out")" "phoenix-default (complain)"
	phx exec --detach --pid-file "$T/e.pid" c18 sleep 100
	assert_equal "$(cat /proc/"$(cat "$T/e.pid")"/attr/current)" ":$ns:phoenix-default (complain)"
	phx delete --force c18
	[ -z "$(phx_namespaces)" ]
}

@test "run in the foreground: exit status returned, namespace reaped afterwards" {
	make_bundle "$T/b" 'cat /proc/self/attr/current; exit 5'
	run phx run --bundle "$T/b" c5
	assert_equal "$status" 5
	assert_equal "$(cat "$T/out")" "phoenix-default (enforce)"
	[ -z "$(phx_namespaces)" ]
	[ -z "$(ls "$T/state"/*.json 2>/dev/null)" ]
}

@test "a custom profile from localProfilesDir, and unconfined per policy" {
	cp "$REPO/profiles/container/phoenix-test-custom" "$T/profiles/"
	cp -r "$REPO/profiles/container/abstractions" "$T/profiles/"
	make_bundle "$T/b" 'cat /proc/self/attr/current; cat /phoenix-custom-denied/secret; echo status=$?'
	jq '.process.apparmorProfile = "phoenix-test-custom"' "$T/b/config.json" >"$T/c" && mv "$T/c" "$T/b/config.json"
	run phx run --bundle "$T/b" c6
	run cat "$T/out"
	assert_line "phoenix-test-custom (enforce)"
	assert_line "status=1"
	# unconfined (default policy "namespace"): the namespace's own unconfined
	make_bundle "$T/u" 'cat /proc/self/attr/current; cat /phoenix-denied/secret >/dev/null; echo status=$?'
	jq '.process.apparmorProfile = "unconfined"' "$T/u/config.json" >"$T/c" && mv "$T/c" "$T/u/config.json"
	run phx run --bundle "$T/u" c7
	run cat "$T/out"
	assert_line "unconfined"
	assert_line "status=0"
	# policy "default": the default profile instead
	write_config '{"unconfined": "default"}'
	jq '.process.apparmorProfile = "unconfined"' "$T/u/config.json" >"$T/c" && mv "$T/c" "$T/u/config.json"
	run phx run --bundle "$T/u" c8
	run cat "$T/out"
	assert_line "phoenix-default (enforce)"
	[ -z "$(phx_namespaces)" ]
}

@test "caller in a namespace of its own under a host profile: the host profile still bounds" {
	load_host_profile phoenix-test-host
	mkdir -p "$AAFS/policy/namespaces/ct"
	make_bundle "$T/b" "$PROBE_SCRIPT"
	stacked='phoenix-test-host//&:ct:unconfined'
	run phx_as "$stacked" create --bundle "$T/b" c10
	assert_success
	# the namespace is a child of ct, not of the root namespace
	ns=$(ns_of c10 ct)
	[ -n "$ns" ]
	[ -z "$(ns_of c10)" ]
	run phx_as "$stacked" start c10
	assert_success
	wait_file "$T/b/rootfs/ready"
	pid=$(container_pid c10)
	assert_equal "$(cat /proc/"$pid"/attr/current)" "phoenix-test-host//&:ct//$ns:phoenix-default (enforce)"
	assert_equal "$(cat "$T/b/rootfs/label")" "phoenix-default (enforce)"
	# denied by phoenix-default, and by the host profile although
	# phoenix-default allows that path
	assert_equal "$(cat "$T/b/rootfs/denied.status")" 1
	assert_equal "$(cat "$T/b/rootfs/host-denied.status")" 1
	run denials_since 'name="/phoenix-host-denied/secret"'
	assert_output --partial 'profile="phoenix-test-host"'
	run phx_as "$stacked" delete --force c10
	assert_success
	[ -z "$(phx_namespaces ct)" ]
	rmdir "$AAFS/policy/namespaces/ct"
}

@test "confined root-namespace caller: refused by default, bounded stack with the switch" {
	# a static root-namespace profile that lets its container administer
	# policy (the shape phoenix refuses by default): everything allowed but
	# one audited path
	cat >"$T/static" <<-'EOF2'
		abi <abi/3.0>,
		profile phoenix-test-static flags=(attach_disconnected,mediate_deleted) {
		  file, capability, network, mount, umount, remount, pivot_root, signal, ptrace, unix,
		  change_profile -> **,
		  audit deny /phoenix-host-denied/ rwklx,
		  audit deny /phoenix-host-denied/** rwklx,
		}
	EOF2
	apparmor_parser -r "$T/static"
	make_bundle "$T/b" "$PROBE_SCRIPT"
	run phx_as phoenix-test-static create --bundle "$T/b" c11
	assert_failure
	log_error | grep -qF -- "confined by \`phoenix-test-static\` in the root policy namespace"
	log_error | grep -qF -- "allowRootNamespaceStack"
	[ -z "$(phx_namespaces)" ]
	write_config '{"allowRootNamespaceStack": true}'
	run phx_as phoenix-test-static run -d --bundle "$T/b" c11
	assert_success
	jq -r 'select(.level=="warning") | .msg' "$T/log" | grep -qF -- "allowRootNamespaceStack"
	wait_file "$T/b/rootfs/ready"
	ns=$(ns_of c11)
	pid=$(container_pid c11)
	assert_equal "$(cat /proc/"$pid"/attr/current)" "phoenix-test-static//&:$ns:phoenix-default (enforce)"
	assert_equal "$(cat "$T/b/rootfs/host-denied.status")" 1
	assert_equal "$(cat "$T/b/rootfs/denied.status")" 1
	phx_as phoenix-test-static delete --force c11
	[ -z "$(phx_namespaces)" ]
}

@test "a runtime failure after the namespace was created leaves nothing behind" {
	make_bundle "$T/b" 'true'
	jq '.root.path = "/nonexistent-rootfs"' "$T/b/config.json" >"$T/c" && mv "$T/c" "$T/b/config.json"
	run phx create --bundle "$T/b" c12
	assert_failure
	[ -z "$(phx_namespaces)" ]
	[ -z "$(ls "$T/state"/*.json 2>/dev/null)" ]
}

@test "phoenix killed mid-create: gc removes what it left, once its tasks are gone" {
	# a runtime that never returns holds phoenix inside create
	cat >"$T/slow-runtime" <<-'SH'
		#!/bin/sh
		case " $* " in *" state "*) exit 1 ;; esac
		echo $$ >"$(dirname "$0")/runtime.pid"
		exec sleep 1000
	SH
	chmod +x "$T/slow-runtime"
	make_bundle "$T/b" 'true'
	PHOENIX_RUNTIME=$T/slow-runtime "$PHOENIX" --root "$ROOT" create --bundle "$T/b" c13 </dev/null >/dev/null 2>&1 &
	pid=$!
	wait_file "$T/runtime.pid"
	ns=$(ns_of c13)
	[ -n "$ns" ]
	kill -9 "$pid"
	wait "$pid" || true
	# the runtime phoenix started runs in the namespace: gc keeps it
	PHOENIX_RUNTIME="$T/slow-runtime" run phx gc
	assert_success
	run cat "$T/out"
	assert_output --partial "busy     $ns (container c13)"
	[ -d "$AAFS/policy/namespaces/$ns" ]
	kill -9 "$(cat "$T/runtime.pid")"
	sleep 0.2
	PHOENIX_RUNTIME="$T/slow-runtime" run phx gc --dry-run
	assert_success
	run cat "$T/out"
	assert_output --partial "would remove $ns"
	[ -d "$AAFS/policy/namespaces/$ns" ]
	PHOENIX_RUNTIME="$T/slow-runtime" run phx gc
	assert_success
	[ -z "$(phx_namespaces)" ]
	[ -z "$(ls "$T/state"/*.json 2>/dev/null)" ]
}

@test "two ids whose namespace names collide: the second create is refused, the first keeps its namespace and record" {
	# FNV-1a 64 of both is 0xd3faa732fd1f4d0a (tests/unit/test_state.c)
	make_bundle "$T/a" 'exec sleep 1000'
	make_bundle "$T/b" 'exec sleep 1000'
	phx run -d --bundle "$T/a" +s0ifxtWtiaA
	ns=$(phx_namespaces) # the only one: hashed, phx-<scope>-xd3faa732fd1f4d0a
	[[ "$ns" == *-xd3faa732fd1f4d0a ]]
	pid=$(container_pid +s0ifxtWtiaA)
	run phx create --bundle "$T/b" +5n92B2WHfAN
	assert_failure
	run log_error
	assert_output --partial "would have the policy namespace \`$ns\` of container \`+s0ifxtWtiaA\`"
	jq -e '.id == "+s0ifxtWtiaA"' "$T/state/$ns.json"
	assert_equal "$(cat /proc/"$pid"/attr/current)" ":$ns:phoenix-default (enforce)"
	run runc --root "$ROOT" state +5n92B2WHfAN
	assert_failure
	# delete of the second id does not reap the first's namespace either
	run phx delete +5n92B2WHfAN
	assert_failure
	[ -d "$AAFS/policy/namespaces/$ns" ]
	[ -f "$T/state/$ns.json" ]
	phx delete --force +s0ifxtWtiaA
	[ -z "$(phx_namespaces)" ]
}

@test "a cache directory is made with its parents; root's 0755 is accepted, one others can write refused" {
	# a minimal root filesystem has no /var/cache
	write_config "$(jq -n --arg c "$T/min/var/cache/phoenix" '{cacheDir: $c}')"
	make_bundle "$T/b" 'exec sleep 1000'
	phx create --bundle "$T/b" c20
	assert_equal "$(stat -c %a "$T/min" "$T/min/var" "$T/min/var/cache" "$T/min/var/cache/phoenix" | tr '\n' ' ')" "755 755 755 700 "
	phx delete --force c20
	chmod 0755 "$T/min/var/cache/phoenix" # what a package or install -d makes
	phx create --bundle "$T/b" c20
	phx delete --force c20
	chmod 0777 "$T/min/var/cache"
	run phx create --bundle "$T/b" c20
	assert_failure
	run log_error
	assert_output --partial "\`$T/min/var/cache\` (a parent) belongs to uid 0 with mode 0777"
	[ -z "$(phx_namespaces)" ]
}

@test "gc keeps the namespaces of live containers" {
	make_bundle "$T/b" 'exec sleep 1000'
	phx run -d --bundle "$T/b" c14
	run phx gc
	assert_success
	run cat "$T/out"
	assert_output --partial "0 removed, 1 kept"
	[ -n "$(ns_of c14)" ]
	phx delete --force c14
}

@test "start verifies the init create recorded from --pid-file, without asking the runtime" {
	make_bundle "$T/b" "$PROBE_SCRIPT"
	phx --debug create --pid-file "$T/c16.pid" --bundle "$T/b" c16
	pid=$(cat "$T/c16.pid")
	jq -e --argjson p "$pid" '.initPid == $p and .initStart > 0' "$T/state"/*-c16.json
	# until start, the init runs runc itself, in the form the release's
	# runc takes against CVE-2019-5736 (runc 1.1:
	# libcontainer/nsenter/cloned_binary.c, 1.2+: libcontainer/exeseal),
	# each what the verification takes for "still the runtime": a
	# detached read-only bind mount of its binary (Debian 12's 1.1.5:
	# readlink shows "/", same device and inode), a sealed memfd (Debian
	# 13's 1.1.15), or its file in a detached overlayfs whose lower layer
	# is runc's directory (unstable's 1.3.6: "/runc", same inode, the
	# overlay's device)
	exe=$(readlink "/proc/$pid/exe")
	runc_bin=$(realpath "$(command -v runc)")
	echo "# runc's init before start runs $exe" >&3
	case $exe in
	/) [ "$(stat -L -c %d:%i "/proc/$pid/exe")" = "$(stat -c %d:%i "$runc_bin")" ] ;;
	"/memfd:runc_cloned:/proc/self/exe (deleted)") ;;
	"/${runc_bin##*/}")
		[ "$(stat -L -f -c %T "/proc/$pid/exe")" = overlayfs ]
		[ "$(stat -L -c %i:%s:%Y "/proc/$pid/exe")" = "$(stat -c %i:%s:%Y "$runc_bin")" ]
		;;
	*) false ;;
	esac
	phx --debug start c16
	grep -qF "init of c16 from the record: pid $pid" "$T/log"
	grep -qF "process $pid verified" "$T/log"
	wait_file "$T/b/rootfs/ready"
	assert_equal "$(cat "$T/b/rootfs/label")" "phoenix-default (enforce)"
}

@test "without --pid-file phoenix asks the runtime for one in its state directory" {
	make_bundle "$T/b" "$PROBE_SCRIPT"
	phx --debug create --bundle "$T/b" c17
	ns=$(ns_of c17)
	pid=$(cat "$T/state/$ns.pid")
	[ "$pid" = "$(runc --root "$ROOT" state c17 | jq -r .pid)" ]
	jq -e --argjson p "$pid" '.initPid == $p and .initStart > 0' "$T/state/$ns.json"
	phx --debug start c17
	grep -qF "init of c17 from the record: pid $pid" "$T/log"
	wait_file "$T/b/rootfs/ready"
	assert_equal "$(cat "$T/b/rootfs/label")" "phoenix-default (enforce)"
	phx delete --force c17
	[ ! -e "$T/state/$ns.pid" ]
	[ ! -e "$T/state/$ns.json" ]
}

@test "the verification kills a container whose process does not carry the planned label" {
	make_bundle "$T/b" 'exec sleep 1000'
	# (with a pid file, as containerd passes it: the record then names an
	# init that the tampering below replaces, and start must notice)
	phx create --pid-file "$T/c15.pid" --bundle "$T/b" c15
	jq -e '.initPid > 0' "$T/state"/*-c15.json
	# tamper: the bundle's profile is switched to the namespace's unconfined
	# behind phoenix's back, as a runtime that skipped AppArmor would
	ns=$(ns_of c15)
	runc --root "$ROOT" delete --force c15
	jq '.process.apparmorProfile = "unconfined"' "$T/b/config.json" >"$T/c" && mv "$T/c" "$T/b/config.json"
	runc --root "$ROOT" create --bundle "$T/b" c15
	run phx start c15
	assert_failure
	log_error | grep -qF -- "confinement check failed, container killed"
	for _ in $(seq 50); do [ "$(runc --root "$ROOT" state c15 | jq -r .status)" = stopped ] && break; sleep 0.1; done
	assert_equal "$(runc --root "$ROOT" state c15 | jq -r .status)" stopped
	phx delete --force c15
	[ -z "$(phx_namespaces)" ]
}

@test "32 containers in parallel: one namespace each, none after deleting" {
	make_bundle "$T/b" 'exec sleep 1000'
	for i in $(seq 32); do
		mkdir -p "$T/p$i"
		cp "$T/b/config.json" "$T/p$i/config.json"
		cp -a "$T/b/rootfs" "$T/p$i/rootfs"
	done
	for i in $(seq 32); do
		"$PHOENIX" --root "$ROOT" --log "$T/log" --log-format json run -d --bundle "$T/p$i" "par$i" </dev/null >/dev/null 2>&1 &
	done
	wait
	jq -r 'select(.level=="error") | .msg' "$T/log" | head -5
	assert_equal "$(runc --root "$ROOT" list -q | wc -l)" 32
	assert_equal "$(phx_namespaces | wc -l)" 32
	for i in $(seq 32); do
		"$PHOENIX" --root "$ROOT" delete --force "par$i" </dev/null >/dev/null 2>&1 &
	done
	wait
	assert_equal "$(phx_namespaces | wc -l)" 0
}

@test "crun through phoenix: same label" {
	write_config '{"runtime": "/usr/bin/crun"}'
	make_bundle "$T/b" 'cat /proc/self/attr/current'
	ROOT=$T/crun-root run phx run --bundle "$T/b" k1
	assert_success
	assert_equal "$(cat "$T/out")" "phoenix-default (enforce)"
	[ -z "$(phx_namespaces)" ]
}

@test "an init kept in the runtime past the settle time is waited for, then verified" {
	# crun's start returns as soon as the init is released; a startContainer
	# hook (run by the init before its execve) keeps it in crun for 10 s,
	# longer than a process in any other state may carry the transition
	write_config '{"runtime": "/usr/bin/crun"}'
	make_bundle "$T/b" "$PROBE_SCRIPT"
	jq '.hooks.startContainer = [{"path": "/bin/sleep", "args": ["sleep", "10"]}]' \
		"$T/b/config.json" >"$T/c" && mv "$T/c" "$T/b/config.json"
	export ROOT=$T/crun-root
	phx --debug create --pid-file "$T/k2.pid" --bundle "$T/b" k2
	pid=$(cat "$T/k2.pid")
	phx --debug start k2 || { jq -c '[.time,.msg]' "$T/log" >&3; false; }
	grep -qF "process $pid still runs the runtime: waiting for its execve" "$T/log"
	grep -qF "process $pid verified: :$(ns_of k2):phoenix-default" "$T/log"
	wait_file "$T/b/rootfs/ready"
	assert_equal "$(cat "$T/b/rootfs/label")" "phoenix-default (enforce)"
	phx delete --force k2
	[ -z "$(phx_namespaces)" ]
}

@test "run in the foreground forwards signals to the container" {
	make_bundle "$T/b" 'trap "echo got-term; exit 7" TERM; touch /ready; while :; do sleep 0.1; done'
	"$PHOENIX" --root "$ROOT" run --bundle "$T/b" sig1 </dev/null >"$T/out" 2>&1 &
	pid=$!
	wait_file "$T/b/rootfs/ready"
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 7
	grep -q got-term "$T/out"
	[ -z "$(ns_of sig1)" ]
}
