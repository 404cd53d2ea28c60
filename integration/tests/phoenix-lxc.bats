#!/usr/bin/env bats
# Docker, containerd and Podman inside LXC containers on the real kernel:
# each LXC container runs under a host profile in a policy namespace of its
# own (hooks/phoenix-lxc-config, hooks/phoenix-lxc-ns), phoenix is
# registered with its engines (hooks/phoenix-engine-setup), and every
# nested container gets <host>//&:ct-<ctid>//<ns>:<profile>.
#
# Containers (integration/lxc/test-configs.json), made once for the file:
#   801  privileged,   phoenix-test-host (allows all but /phoenix-host-denied/)
#   802  unprivileged, phoenix-test-host (lxc.idmap, securityfs bound in)
#   951  privileged,   lxc-gpu-docker-storage (the real hardened profile)
#   952  privileged,   lxc-gpu-docker-storage, nothing but its init (a
#        second tenant under the same template)
#   900  "apparmor_profile": "unconfined"
# containerd and dockerd run in 801, 802 and 951; in 802 and 951 with
# Docker's default configuration (bridge network, iptables), in 801 without
# a network of its own (--bridge=none).

load phoenix-helpers
bats_require_minimum_version 1.5.0
# shellcheck source=integration/lxc/scene.bash
. "$REPO/integration/lxc/scene.bash"

CONFIGS=$REPO/integration/lxc/test-configs.json
NESTED_SCRIPT='trap "exit 0" TERM; cat /proc/self/attr/current >/label; while :; do sleep 1 & wait $!; done'

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local out=$BATS_FILE_TMPDIR t=$SECONDS
	# lap WHAT: the set-up's time per part, in the CI log (bats shows fd 3)
	lap() {
		echo "# setup_file: $1 in $((SECONDS - t)) s" >&3
		t=$SECONDS
	}
	sysctl -qw kernel.printk_ratelimit=0
	scene_profiles phoenix-test-host lxc-gpu-docker-storage >"$out/profiles.1" 2>&1
	scene_profiles phoenix-test-host lxc-gpu-docker-storage >"$out/profiles.2" 2>&1
	lap "host profiles loaded twice"
	scene_net_modules
	local ct
	for ct in 801 802 951; do
		scene_ct "$ct" "$CONFIGS"
		scene_engines "$ct"
	done
	scene_ct 952 "$CONFIGS" 2>"$out/952.err"
	scene_ct 900 "$CONFIGS" 2>"$out/unconfined.err" || true
	lap "5 LXC containers started, engines set up"
	scene_dockerd 801
	scene_dockerd 802 default-network
	scene_dockerd 951 default-network
	for ct in 801 802 951; do
		scene_dockerd_wait "$ct"
	done
	lap "containerd and dockerd up in 3 containers"
	scene_image 801 all
	scene_image 802
	scene_image 951
	lap "busybox images imported"
	# a compiled profile `phx-escape-probe` for the escape tests
	printf 'profile phx-escape-probe { file, }\n' >"$out/probe.sd"
	for ct in 801 802 951; do
		apparmor_parser -Q -S "$out/probe.sd" >"/var/lib/lxc/$ct/rootfs/root/probe.bin"
	done
	lap "escape probe compiled"
}

teardown_file() {
	local ct
	# the host's relay, when a relay test failed while it ran
	[[ ! -s $BATS_FILE_TMPDIR/relay.pid ]] || kill -TERM "$(cat "$BATS_FILE_TMPDIR/relay.pid")" 2>/dev/null || true
	for ct in 801 802 951 952 900; do
		lxc-stop -n "$ct" -k >/dev/null 2>&1 || true
	done
}

# nested CT ARGS...: `docker run -d --runtime=phoenix --network none ARGS`
# in CT; prints the container id.
nested() {
	local ct=$1
	shift
	docker_in "$ct" run -d --runtime=phoenix --network none "$@"
}

# nested_labels CT CID: "<init label>|<exec label>" read inside the container.
nested_labels() {
	docker_in "$1" exec "$2" sh -c 'while [ ! -s /label ]; do sleep 0.2; done
		printf "%s|%s\n" "$(cat /label)" "$(cat /proc/self/attr/current)"'
}

# dmesg_mark: writes a line of its own into the kernel log and prints it.
# A mark, not a line count: once the ring buffer is full, old lines drop
# off the front and a count no longer says where a test began.
dmesg_mark() {
	local m="phoenix-test-mark-$BATS_SUITE_TEST_NUMBER-$RANDOM$RANDOM"
	echo "$m" >/dev/kmsg
	echo "$m"
}
# dmesg_since MARK: the kernel log after MARK; fails when MARK is gone.
dmesg_since() {
	dmesg | awk -v m="$1" 'seen { print } index($0, m) { seen = 1 } END { exit !seen }' ||
		{ echo "the kernel log no longer holds mark $1" >&2; return 1; }
}
# denied_since MARK PATTERN: AppArmor denials logged after MARK.
denied_since() {
	local log
	log=$(dmesg_since "$1") || return 1
	grep 'apparmor="DENIED"' <<<"$log" | grep -F -- "$2" || true
}
# dmesg_since_has MARK TEXT: the kernel logged TEXT after MARK.
dmesg_since_has() {
	dmesg_since "$1" | grep -qF -- "$2"
}

has_cap() { # has_cap HEXMASK BIT
	(((16#$1 >> $2) & 1))
}

@test "host set-up is idempotent: profiles, LXC configuration, engines, namespace hook" {
	run cat "$BATS_FILE_TMPDIR/profiles.1"
	assert_line --partial "loaded     phoenix-test-host"
	assert_line --partial "loaded     lxc-gpu-docker-storage"
	run cat "$BATS_FILE_TMPDIR/profiles.2"
	assert_line "phoenix-host-profiles: nothing changed"
	refute_line --partial "loaded "
	run "$REPO/hooks/phoenix-host-profiles" --load
	assert_success
	assert_line --partial "loaded     lxc-phoenix-v2 (not loaded in the kernel)"
	run "$REPO/hooks/phoenix-host-profiles" --load
	assert_success
	assert_line "phoenix-host-profiles: nothing changed"
	# a profile whose name differs from its file's is renamed on the way
	mkdir -p "$BATS_TEST_TMPDIR/src" "$BATS_TEST_TMPDIR/dest"
	cp -r "$REPO/profiles/host/abstractions" "$REPO/profiles/host/tunables" "$BATS_TEST_TMPDIR/src/"
	sed 's/^profile phoenix-test-host /profile old_name /' "$REPO/profiles/host/phoenix-test-host" >"$BATS_TEST_TMPDIR/src/phx-renamed"
	run "$REPO/hooks/phoenix-host-profiles" --src "$BATS_TEST_TMPDIR/src" --dest "$BATS_TEST_TMPDIR/dest" --load
	assert_success
	assert_line --partial "renaming   profile \`old_name\` in phx-renamed to \`phx-renamed\`"
	grep -q '^profile phx-renamed flags=' "$BATS_TEST_TMPDIR/dest/phx-renamed"
	grep -qx 'phx-renamed (enforce)' "$AAFS/profiles"
	run "$REPO/hooks/phoenix-host-profiles" --src "$BATS_TEST_TMPDIR/src" --dest "$BATS_TEST_TMPDIR/dest" --load
	assert_line --partial "nothing changed"
	# the LXC block
	cp "/var/lib/lxc/801/config" "$BATS_TEST_TMPDIR/config.before"
	run "$REPO/hooks/phoenix-lxc-config" 801 "$CONFIGS" --apply
	assert_success
	assert_output "phoenix-lxc-config: /var/lib/lxc/801/config unchanged"
	cmp "$BATS_TEST_TMPDIR/config.before" /var/lib/lxc/801/config
	assert_equal "$(grep -c '^# BEGIN phoenix' /var/lib/lxc/801/config)" 1
	# by name, printed: the same block
	run "$REPO/hooks/phoenix-lxc-config" test-privileged "$CONFIGS"
	assert_success
	assert_line 'lxc.apparmor.profile = phoenix-test-host//&:ct-test-privileged:unconfined'
	# the engines
	run in_ct 801 "$REPO/hooks/phoenix-engine-setup" --docker --containerd --podman --phoenix "$PHOENIX"
	assert_success
	assert_line "phoenix-engine-setup: nothing changed"
	# the namespace hook on a running container
	run "$REPO/hooks/phoenix-lxc-ns" create 801 lxc pre-start
	assert_success
	assert_output --partial "namespace ct-801 of container 801 exists"
	run "$REPO/hooks/phoenix-lxc-ns" remove 801
	assert_failure
	assert_output --partial "refusing to remove namespace ct-801 of container 801 while tasks run in it"
	[ -d "$AAFS/policy/namespaces/ct-801" ]
	run "$REPO/hooks/phoenix-lxc-ns" create '../x'
	assert_failure
	assert_output --partial "invalid container name"
}

@test "LXC containers run under their host profile in a policy namespace of their own" {
	local ct prof pid caps
	for ct in 801 802 951; do
		prof=phoenix-test-host
		[ "$ct" != 951 ] || prof=lxc-gpu-docker-storage.951
		pid=$(scene_ct_pid "$ct")
		assert_equal "$(cat /proc/"$pid"/attr/current)" "$prof//&:ct-$ct:unconfined (enforce)"
		# inside: its own namespace is its view; mac_admin (33) is kept
		assert_equal "$(in_ct "$ct" cat /proc/self/attr/current)" "unconfined"
		assert_equal "$(in_ct "$ct" cat "$AAFS/.ns_name")" "ct-$ct"
		assert_equal "$(in_ct "$ct" cat "$AAFS/.ns_level")" 1
		caps=$(in_ct "$ct" sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
		has_cap "$caps" 33
	done
	# 802 is user-namespaced
	run in_ct 802 cat /proc/self/uid_map
	assert_output --regexp '^ *0 +100000 +65536$'
	run in_ct 801 cat /proc/self/uid_map
	assert_output --regexp '^ *0 +0 +4294967295$'
}

@test "privileged: docker run --runtime=phoenix, labels inside and from the host, both denials, exec" {
	in_ct 801 sh -c 'mkdir -p /srv/hd && echo secret >/srv/hd/secret'
	cid=$(nested 801 -v /srv/hd:/phoenix-host-denied "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	run nested_labels 801 "$cid"
	assert_output "phoenix-default (enforce)|phoenix-default (enforce)"
	ns=$(nested_ns ct-801 "$cid")
	[[ $ns == phx-*-"$cid" ]]
	run host_labels_below ct-801
	assert_output --partial "phoenix-test-host//&:ct-801//$ns:phoenix-default (enforce)"
	refute_output --regexp ":ct-801//$ns:[^p]"
	mark=$(dmesg_mark)
	run docker_in 801 exec "$cid" cat /phoenix-denied/secret
	assert_failure
	assert_output --partial "Permission denied"
	run docker_in 801 exec "$cid" cat /phoenix-host-denied/secret
	assert_failure
	assert_output --partial "Permission denied"
	run denied_since "$mark" 'name="/phoenix-denied/secret"'
	assert_output --partial "namespace=\"root//ct-801//$ns\" profile=\"phoenix-default\""
	run denied_since "$mark" 'name="/phoenix-host-denied/secret"'
	assert_output --partial 'profile="phoenix-test-host"'
	docker_in 801 rm -f "$cid" >/dev/null
	[ -z "$(nested_ns ct-801 "$cid")" ]
}

@test "unprivileged: docker run --runtime=phoenix, labels inside and from the host, both denials, exec" {
	in_ct 802 sh -c 'mkdir -p /srv/hd && echo secret >/srv/hd/secret'
	cid=$(nested 802 -v /srv/hd:/phoenix-host-denied "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	run nested_labels 802 "$cid"
	assert_output "phoenix-default (enforce)|phoenix-default (enforce)"
	ns=$(nested_ns ct-802 "$cid")
	[ -n "$ns" ]
	run host_labels_below ct-802
	assert_output --partial "phoenix-test-host//&:ct-802//$ns:phoenix-default (enforce)"
	mark=$(dmesg_mark)
	run docker_in 802 exec "$cid" cat /phoenix-denied/secret
	assert_failure
	run docker_in 802 exec "$cid" cat /phoenix-host-denied/secret
	assert_failure
	run denied_since "$mark" 'name="/phoenix-denied/secret"'
	assert_output --partial "namespace=\"root//ct-802//$ns\" profile=\"phoenix-default\""
	run denied_since "$mark" 'name="/phoenix-host-denied/secret"'
	assert_output --partial 'profile="phoenix-test-host"'
	docker_in 802 rm -f "$cid" >/dev/null
	[ -z "$(nested_ns ct-802 "$cid")" ]
}

# in_802_phx CONFIG ARGS...: phoenix in 802 with runc's state root
# /run/phx-reap and the config CONFIG, its stdio on files in 802's /tmp
# (a detached container would hold a pipe open); on failure, its stderr.
in_802_phx() {
	local cfg=$1
	shift
	in_ct 802 env PHOENIX_CONFIG="$cfg" sh -c '"$@" </dev/null >/tmp/phx-reap/out 2>/tmp/phx-reap/err' \
		sh "$PHOENIX" --root /run/phx-reap "$@" || {
		in_ct 802 cat /tmp/phx-reap/err >&2
		return 1
	}
}

# reap_802_setup: in 802, a busybox bundle running `sleep` and two
# configs: 802's own (no hook) and one with poststopHook.
reap_802_setup() {
	in_ct 802 sh -c 'set -e; b=/tmp/phx-reap/bundle
		mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/sys"
		cp /bin/busybox "$b/rootfs/bin/busybox"
		ln -sf busybox "$b/rootfs/bin/sleep"
		cd "$b" && rm -f config.json && runc spec
		jq ".process.terminal = false | .process.args = [\"sleep\", \"1000\"]" config.json >c.new
		mv c.new config.json
		cp /etc/phoenix/phoenix.json /tmp/phx-reap/plain.json
		jq ". + {poststopHook: true}" /etc/phoenix/phoenix.json >/tmp/phx-reap/hook.json'
}

# The namespaces phoenix makes inside 802 (unprivileged: a user namespace)
# cannot be removed by rmdir through 802's view of apparmorfs: gc and the
# poststop hook must use the top-level .remove, as delete does.
@test "unprivileged: phoenix gc and the poststop hook remove a namespace the runtime forgot" {
	reap_802_setup
	# gc: the runtime alone deletes the container; phoenix's record and
	# namespace remain until gc
	in_802_phx /tmp/phx-reap/plain.json run -d --bundle /tmp/phx-reap/bundle reap-gc
	ns=$(nested_ns ct-802 reap-gc)
	[ -n "$ns" ]
	run host_labels_below ct-802
	assert_output --partial ":ct-802//$ns:phoenix-default (enforce)"
	in_ct 802 runc --root /run/phx-reap delete --force reap-gc
	[ -d "$AAFS/policy/namespaces/ct-802/namespaces/$ns" ]
	in_802_phx /tmp/phx-reap/plain.json gc
	run in_ct 802 cat /tmp/phx-reap/out
	assert_line "removed  $ns (container reap-gc)"
	[ ! -e "$AAFS/policy/namespaces/ct-802/namespaces/$ns" ]
	in_ct 802 test ! -e "/run/phoenix/$ns.json"

	# the poststop hook: runc runs it when it deletes the container
	in_802_phx /tmp/phx-reap/hook.json run -d --bundle /tmp/phx-reap/bundle reap-hook
	ns=$(nested_ns ct-802 reap-hook)
	[ -n "$ns" ]
	in_ct 802 jq -e '.hooks.poststop[-1].args | index("poststop") != null' /tmp/phx-reap/bundle/config.json
	run in_ct 802 runc --root /run/phx-reap delete --force reap-hook
	assert_success
	[ ! -e "$AAFS/policy/namespaces/ct-802/namespaces/$ns" ]
	in_ct 802 test ! -e "/run/phoenix/$ns.json"
	run host_labels_below ct-802
	refute_output --partial "$ns"
}

@test "lxc-gpu-docker-storage: nested label, and the host profile's refusal of /mnt/shared beyond models" {
	in_ct 951 sh -c 'mkdir -p /srv/private /mnt/shared/models && echo secret >/srv/private/secret'
	cid=$(nested 951 -v /srv/private:/mnt/shared/private "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	run nested_labels 951 "$cid"
	assert_output "phoenix-default (enforce)|phoenix-default (enforce)"
	ns=$(nested_ns ct-951 "$cid")
	run host_labels_below ct-951
	assert_output --partial "lxc-gpu-docker-storage.951//&:ct-951//$ns:phoenix-default (enforce)"
	mark=$(dmesg_mark)
	run docker_in 951 exec "$cid" cat /mnt/shared/private/secret
	assert_failure
	run denied_since "$mark" 'name="/mnt/shared/private/secret"'
	assert_output --partial 'profile="lxc-gpu-docker-storage.951"'
	# the host profile's /proc rules bind the nested container as well
	mark=$(dmesg_mark)
	run docker_in 951 exec "$cid" sh -c 'echo 1 >/proc/sys/kernel/core_pattern'
	assert_failure
	docker_in 951 rm -f "$cid" >/dev/null
	[ -z "$(nested_ns ct-951 "$cid")" ]
}

@test "docker stop, kill, restart; docker rm removes the namespace" {
	cid=$(nested 801 "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	run nested_labels 801 "$cid"
	assert_output "phoenix-default (enforce)|phoenix-default (enforce)"
	# stop: PID 1 traps TERM, so this takes well under the timeout
	start=$SECONDS
	docker_in 801 stop -t 30 "$cid"
	((SECONDS - start < 25))
	assert_equal "$(docker_in 801 inspect -f '{{.State.ExitCode}}' "$cid")" 0
	docker_in 801 start "$cid"
	run nested_labels 801 "$cid"
	assert_output "phoenix-default (enforce)|phoenix-default (enforce)"
	docker_in 801 kill "$cid"
	assert_equal "$(docker_in 801 inspect -f '{{.State.Running}}' "$cid")" false
	docker_in 801 restart -t 30 "$cid"
	run nested_labels 801 "$cid"
	assert_output "phoenix-default (enforce)|phoenix-default (enforce)"
	ns=$(nested_ns ct-801 "$cid")
	[ -n "$ns" ]
	run host_labels_below ct-801
	assert_output --partial ":ct-801//$ns:phoenix-default (enforce)"
	docker_in 801 stop -t 30 "$cid"
	docker_in 801 rm "$cid"
	[ -z "$(nested_ns ct-801 "$cid")" ]
	run host_labels_below ct-801
	refute_output --partial "$cid"
}

@test "--security-opt apparmor=unconfined: the namespace's unconfined, still under the host profile" {
	in_ct 801 sh -c 'mkdir -p /srv/hd && echo secret >/srv/hd/secret'
	cid=$(nested 801 --security-opt apparmor=unconfined -v /srv/hd:/phoenix-host-denied "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	run nested_labels 801 "$cid"
	assert_output "unconfined|unconfined"
	ns=$(nested_ns ct-801 "$cid")
	[ -n "$ns" ]
	run host_labels_below ct-801
	assert_output --partial "phoenix-test-host//&:ct-801//$ns:unconfined"
	run docker_in 801 exec "$cid" cat /phoenix-denied/secret
	assert_success
	assert_output secret
	run docker_in 801 exec "$cid" cat /phoenix-host-denied/secret
	assert_failure
	docker_in 801 rm -f "$cid" >/dev/null
}

@test "--security-opt apparmor=<custom>: that profile; an unknown one is refused" {
	cid=$(nested 801 --security-opt apparmor=phoenix-test-custom "$SCENE_IMAGE" sh -c "mkdir -p /phoenix-custom-denied; $NESTED_SCRIPT")
	run nested_labels 801 "$cid"
	assert_output "phoenix-test-custom (enforce)|phoenix-test-custom (enforce)"
	run docker_in 801 exec "$cid" cat /phoenix-denied/secret
	assert_failure
	docker_in 801 rm -f "$cid" >/dev/null
	run nested 801 --security-opt apparmor=phx-no-such-profile "$SCENE_IMAGE" true
	assert_failure
	assert_output --partial "phx-no-such-profile"
}

@test "a GPU container gets phoenix-gpu (NVIDIA_VISIBLE_DEVICES, or a /dev/dri device)" {
	cid=$(nested 801 -e NVIDIA_VISIBLE_DEVICES=all "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	run nested_labels 801 "$cid"
	assert_output "phoenix-gpu (enforce)|phoenix-gpu (enforce)"
	docker_in 801 rm -f "$cid" >/dev/null
	in_ct 801 sh -c 'mkdir -p /dev/dri && { [ -c /dev/dri/card0 ] || mknod /dev/dri/card0 c 226 0; }'
	cid=$(nested 801 --device /dev/dri/card0 "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	run nested_labels 801 "$cid"
	assert_output "phoenix-gpu (enforce)|phoenix-gpu (enforce)"
	ns=$(nested_ns ct-801 "$cid")
	run host_labels_below ct-801
	assert_output --partial "phoenix-test-host//&:ct-801//$ns:phoenix-gpu (enforce)"
	docker_in 801 rm -f "$cid" >/dev/null
}

@test "containerd: ctr run --runc-binary phoenix, and the runtime handler in config.toml" {
	run in_ct 801 ctr run --rm --runc-binary "$PHOENIX" docker.io/library/phx-bb:latest phx-ctr1 cat /proc/self/attr/current
	assert_success
	assert_output "phoenix-default (enforce)"
	in_ct 801 ctr run -d --runc-binary "$PHOENIX" docker.io/library/phx-bb:latest phx-ctr2 sh -c "$NESTED_SCRIPT"
	ns=$(nested_ns ct-801 phx-ctr2)
	[ -n "$ns" ]
	run host_labels_below ct-801
	assert_output --partial "phoenix-test-host//&:ct-801//$ns:phoenix-default (enforce)"
	in_ct 801 ctr task kill phx-ctr2
	for _ in $(seq 50); do in_ct 801 ctr task ls | grep -q 'phx-ctr2.*STOPPED' && break; sleep 0.2; done
	in_ct 801 ctr task rm phx-ctr2 || true
	in_ct 801 ctr container rm phx-ctr2
	[ -z "$(nested_ns ct-801 phx-ctr2)" ]
	# the handler phoenix-engine-setup wrote is what containerd reads:
	# containerd 1.x dumps it as written (version 2), containerd 2.x as it
	# migrated it (version 3: the runtimes under io.containerd.cri.v1.runtime,
	# TOML literal strings)
	run in_ct 801 containerd config dump
	assert_success
	assert_output --regexp "\\[plugins\\.[\"']io\\.containerd\\.(grpc\\.v1\\.cri|cri\\.v1\\.runtime)[\"']\\.containerd\\.runtimes\\.phoenix\\]"
	assert_output --regexp "BinaryName = [\"']${PHOENIX}[\"']"
}

@test "podman --runtime phoenix, by path and by the name containers.conf.d gives it" {
	local p=(podman --cgroup-manager cgroupfs --events-backend file)
	run in_ct 801 "${p[@]}" --runtime "$PHOENIX" run --rm --network none bb cat /proc/self/attr/current
	assert_success
	assert_output "phoenix-default (enforce)"
	run in_ct 801 "${p[@]}" --runtime phoenix run --rm --network none bb cat /proc/self/attr/current
	assert_success
	assert_output "phoenix-default (enforce)"
}

# escape_attempts: every way to the host's root namespace from inside an
# LXC container; prints one line per attempt: "<attempt> <status>".
ESCAPE_SCRIPT='a=/sys/kernel/security/apparmor; other=$1
try() { what=$1; shift; if "$@" 2>/dev/null; then echo "$what ok"; else echo "$what refused"; fi; }
try mkdir-next-to-own mkdir "$a/policy/../phx-escape"
try rmdir-other rmdir "$a/policy/../$other"
try root-replace sh -c "cat /root/probe.bin >$a/policy/../../.replace"
try root-load sh -c "cat /root/probe.bin >$a/policy/../../.load"
try root-remove sh -c "printf %s :$other: >$a/policy/../../.remove"
try root-ns-replace sh -c "cat /root/probe.bin >$a/policy/../$other/.replace"
try top-replace sh -c "cat /root/probe.bin >$a/.replace"
try policy-replace sh -c "cat /root/probe.bin >$a/policy/.replace"'

@test "from inside LXC containers, the host's root policy namespace is out of reach" {
	local ct other
	before=$(ls "$AAFS/policy/namespaces")
	for ct in 801 802 951; do
		other="ct-951"
		[ "$ct" != 951 ] || other="ct-801"
		mark=$(dmesg_mark)
		run in_ct "$ct" sh -c "$ESCAPE_SCRIPT" sh "$other"
		assert_line "mkdir-next-to-own refused"
		assert_line "rmdir-other refused"
		assert_line "root-replace refused"
		assert_line "root-load refused"
		assert_line "root-remove refused"
		assert_line "root-ns-replace refused"
		# loads through the container's own interface land in its namespace
		if [ "$ct" = 802 ]; then
			assert_line "top-replace ok"
		else
			assert_line "top-replace ok"
			assert_line "policy-replace ok"
		fi
		grep -qx ":ct-$ct:phx-escape-probe (enforce)" "$AAFS/profiles"
		if [ "$ct" = 951 ]; then
			# the hardened profile refuses (and logs) the namespace mkdir itself
			run denied_since "$mark" 'operation="mkdir"'
			assert_output --partial 'profile="lxc-gpu-docker-storage.951"'
		fi
	done
	refute grep -q '^phx-escape-probe ' "$AAFS/profiles"
	assert_equal "$(ls "$AAFS/policy/namespaces")" "$before"
}

@test "from inside a nested container (SYS_ADMIN and MAC_ADMIN asked for, securityfs bound in), policy is out of reach" {
	script='a=/sk/apparmor
try() { what=$1; shift; if "$@" 2>/dev/null; then echo "$what ok"; else echo "$what refused"; fi; }
grep CapEff /proc/self/status
try mount-securityfs mount -t securityfs none /mnt
try load sh -c "cat /probe.bin >$a/.load"
try replace sh -c "cat /probe.bin >$a/.replace"
try policy-replace sh -c "cat /probe.bin >$a/policy/.replace"
try mkdir-child mkdir "$a/policy/namespaces/phx-escape"
try mkdir-next-to-own mkdir "$a/policy/../phx-escape"
try root-replace sh -c "cat /probe.bin >$a/policy/../../../../.replace"
cat /proc/self/attr/current'
	in_ct 801 cp /root/probe.bin /srv/probe.bin
	# (not --privileged: Docker then asks for every capability the kernel
	# knows, and runc cannot grant those LXC dropped from the bounding set)
	run docker_in 801 run --rm --runtime=phoenix --network none --cap-add SYS_ADMIN --cap-add MAC_ADMIN \
		-v /sys/kernel/security:/sk -v /srv/probe.bin:/probe.bin "$SCENE_IMAGE" sh -c "$script"
	assert_success
	for what in mount-securityfs load replace policy-replace mkdir-child mkdir-next-to-own root-replace; do
		assert_line "$what refused"
	done
	assert_line "phoenix-default (enforce)"
	caps=$(sed -n 's/^CapEff:[[:space:]]*//p' <<<"$output")
	[ -n "$caps" ]
	run has_cap "$caps" 33
	assert_failure
}

# The kernel-filesystem probe (integration/tools/kernelfs-probe.c), copied
# into container 951.  For the sealed re-exec it also runs from a tmpfs:
# the container's root is already an overlay of the VM's overlay root, and
# overlayfs refuses a third level (FILESYSTEM_MAX_STACK_DEPTH, EINVAL), so
# runc's own sealed overlay of /usr/sbin falls back here.  An overlay of
# the tmpfs is the same access pattern, one level down.
KFS_PROBE=/usr/local/bin/kernelfs-probe
kfs_probe_install() {
	install -m 0755 "${PHOENIX%/*}/kernelfs-probe" "/var/lib/lxc/951/rootfs$KFS_PROBE"
	in_ct 951 sh -c 'mountpoint -q /run/kfs || { mkdir -p /run/kfs && LIBMOUNT_FORCE_MOUNT2=always mount -t tmpfs tmpfs /run/kfs; }
		mkdir -p /run/kfs/bin /run/kfs/empty && cp '"$KFS_PROBE"' /run/kfs/bin/'
}

@test "lxc-gpu-docker-storage: runc's sealed re-exec and its detached-procfs sysctl writes pass, namespaced sysctls only" {
	kfs_probe_install
	label=$(in_ct 951 cat /proc/self/attr/current)
	host_msgmax=$(cat /proc/sys/kernel/msgmax)
	host_mq=$(cat /proc/sys/fs/mqueue/msg_max)
	mark=$(dmesg_mark)
	# runc >= 1.2: the binary from a detached read-only overlay (exeseal),
	# its memfd fallback, and a detached clone of the binary alone (named
	# "/", phoenix-nesting)
	run in_ct 951 /run/kfs/bin/kernelfs-probe sealed-exec overlay /run/kfs/empty
	assert_success
	assert_output "ok label=$label"
	run in_ct 951 "$KFS_PROBE" sealed-exec memfd
	assert_success
	assert_output "ok label=$label"
	run in_ct 951 /run/kfs/bin/kernelfs-probe sealed-exec bind
	assert_success
	assert_output "ok label=$label"
	# runc >= 1.3.3: sysctls through fsopen("proc") and a clone of /proc,
	# the O_PATH handle reopened through /proc/thread-self/fd
	local mode
	for mode in fsopen clone; do
		run in_ct 951 "$KFS_PROBE" sysctl "$mode" net.ipv4.ip_unprivileged_port_start 0
		assert_output ok
		run in_ct 951 "$KFS_PROBE" sysctl "$mode" kernel.msgmax 65536
		assert_output ok
		run in_ct 951 "$KFS_PROBE" sysctl "$mode" kernel.shmmni 4000
		assert_output ok
		run in_ct 951 "$KFS_PROBE" sysctl "$mode" fs.mqueue.msg_max 20
		assert_output ok
		# and the host-wide ones, named the same way, are not
		run in_ct 951 "$KFS_PROBE" sysctl "$mode" kernel.core_pattern core
		assert_failure 1
		assert_output 'reopen sys/kernel/core_pattern: Permission denied'
		run in_ct 951 "$KFS_PROBE" sysctl "$mode" vm.stat_interval 1
		assert_failure 1
		assert_output 'reopen sys/vm/stat_interval: Permission denied'
	done
	run in_ct 951 cat /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/fs/mqueue/msg_max
	assert_output $'65536\n0\n20'
	# the container's IPC namespace, not the host's
	assert_equal "$(cat /proc/sys/kernel/msgmax)" "$host_msgmax"
	assert_equal "$(cat /proc/sys/fs/mqueue/msg_max)" "$host_mq"
	run denied_since "$mark" 'profile="lxc-gpu-docker-storage.951"'
	assert_line --partial 'name="/sys/kernel/core_pattern"'
	assert_line --partial 'name="/sys/vm/stat_interval"'
	refute_line --partial 'operation="exec"'
	refute_line --partial 'name="/sys/net/'
	refute_line --partial 'name="/sys/kernel/msgmax"'
	refute_line --partial 'name="/sys/fs/mqueue/'
	in_ct 951 sh -c 'echo 1024 >/proc/sys/net/ipv4/ip_unprivileged_port_start'
}

@test "lxc-gpu-docker-storage: docker run --sysctl with the namespaced sysctls (net.*, kernel.msg*, fs.mqueue.*)" {
	run docker_in 951 run --rm --runtime=phoenix --network none \
		--sysctl net.ipv4.ip_unprivileged_port_start=0 --sysctl kernel.msgmax=65536 \
		--sysctl fs.mqueue.msg_max=20 --sysctl kernel.shmmni=4000 "$SCENE_IMAGE" \
		cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/msgmax \
		/proc/sys/fs/mqueue/msg_max /proc/sys/kernel/shmmni
	assert_success
	assert_output $'0\n65536\n20\n4000'
}

## Docker's default network (issue 14.3) ##################################
# dockerd in 951 (privileged) and 802 (unprivileged: its iptables-nft
# rules, bridge and veth pairs belong to 802's user namespace) runs with its
# default configuration: the bridge docker0, iptables-nft rules, NAT, and
# docker-proxy for published ports.  Neither has a network device but
# loopback (make-ct: lxc.net.0.type = empty), so the nested containers'
# bridge lives in the LXC container's own network namespace and a published
# port is reached from there.

# sysctls_of WHERE...: the three net.ipv4 values the test sets in nested
# containers, read by WHERE (a command prefix; none: the VM itself).
NET_SYSCTLS='/proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/tcp_keepalive_time /proc/sys/net/ipv4/ip_default_ttl'
sysctls_of() {
	# shellcheck disable=SC2086 # a list of paths
	"$@" cat $NET_SYSCTLS | tr '\n' ' '
}

# dnat_hits CT PORT: packets Docker's DNAT rule for PORT has rewritten.
dnat_hits() {
	in_ct "$1" iptables -t nat -L DOCKER -n -v -x |
		awk -v p="dpt:$2" '$3 == "DNAT" && index($0, p) { print $1; found = 1 } END { exit !found }'
}

# default_network CT HOSTPROFILE: Docker's default network in CT, whose
# nested containers run under HOSTPROFILE (the host profile's name in
# their label and in its audit records).
default_network() {
	local ct=$1 hp=$2 gw=172.17.0.1 srv ip before hits
	# dockerd's default bridge and its rules (iptables-nft)
	run in_ct "$ct" ip -4 -o addr show dev docker0
	assert_success
	assert_output --regexp "inet $gw/16 "
	run in_ct "$ct" iptables -t nat -S
	assert_success
	assert_line -- '-N DOCKER'
	assert_line '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE'
	assert_line -- '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER'
	ct_before=$(sysctls_of in_ct "$ct")
	vm_before=$(sysctls_of)
	# the values asked for below are none of CT's or the VM's own
	for v in 444 321 33; do
		[[ " $ct_before $vm_before " != *" $v "* ]]
	done

	mark=$(dmesg_mark)
	# a web server on the default network, its port published; each reply
	# is the server's own label (with its newline), so what answers is
	# phoenix's container
	srv=$(docker_in "$ct" run -d --runtime=phoenix -p 8080:80 \
		--sysctl net.ipv4.ip_unprivileged_port_start=444 --sysctl net.ipv4.tcp_keepalive_time=321 \
		"$SCENE_IMAGE" sh -c 'mkdir /www && cat /proc/self/attr/current >/www/index.html &&
			exec httpd -f -p 80 -h /www')
	run docker_in "$ct" inspect -f '{{range $n, $e := .NetworkSettings.Networks}}{{$n}} {{$e.IPAddress}}{{end}}' "$srv"
	assert_success
	assert_output --regexp '^bridge 172\.17\.[0-9]+\.[0-9]+$'
	ip=${output#bridge }
	# its end of a veth pair is on docker0
	run in_ct "$ct" ip -o link show master docker0
	assert_success
	assert_output --regexp 'veth'
	run in_ct "$ct" iptables -t nat -S DOCKER
	assert_success
	assert_line "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination $ip:80"

	# from CT through docker-proxy (127.0.0.1: Docker's OUTPUT rule leaves
	# loopback alone) and through the DNAT rule (docker0's address), with
	# busybox's wget (the guests of every release have it; its -T crashes
	# in busybox 1.35: timeout bounds it)
	for _ in $(seq 30); do
		in_ct "$ct" timeout 5 busybox wget -q -O /dev/null "http://127.0.0.1:8080/" 2>/dev/null && break
		sleep 0.5
	done
	run in_ct "$ct" timeout 15 busybox wget -q -O - "http://127.0.0.1:8080/"
	assert_success
	assert_output "phoenix-default (enforce)"
	run in_ct "$ct" pgrep -a docker-proxy
	assert_output --regexp " -host-port 8080 .*-container-ip $ip -container-port 80"
	before=$(dnat_hits "$ct" 8080)
	run in_ct "$ct" timeout 15 busybox wget -q -O - "http://$gw:8080/"
	assert_success
	assert_output "phoenix-default (enforce)"
	hits=$(dnat_hits "$ct" 8080)
	((hits > before))

	# a second nested container reaches the first by address (ICMP and
	# TCP), with a net.* sysctl of its own
	run docker_in "$ct" run --rm --runtime=phoenix --sysctl net.ipv4.ip_default_ttl=33 "$SCENE_IMAGE" \
		sh -c "ping -c 1 -W 5 $ip >/dev/null && echo ping ok; wget -q -O - http://$ip/
			cat /proc/sys/net/ipv4/ip_default_ttl /proc/self/attr/current"
	assert_success
	assert_output $'ping ok\nphoenix-default (enforce)\n33\nphoenix-default (enforce)'
	# the server's sysctls, inside it
	run docker_in "$ct" exec "$srv" cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/tcp_keepalive_time
	assert_success
	assert_output $'444\n321'
	# its /sys/firmware is masked: an empty read-only tmpfs (runc's own,
	# or with runc >= 1.3.6 where the host profile lets it, the one it
	# mounted on the first masked directory)
	run docker_in "$ct" exec "$srv" sh -c 'set -- $(ls -A /sys/firmware); echo "entries $#"
		grep " /sys/firmware " /proc/self/mountinfo'
	assert_success
	assert_line --index 0 "entries 0"
	assert_line --index 1 --regexp '^[0-9]+ [0-9]+ [0-9]+:[0-9]+ / /sys/firmware ro[, ].* - tmpfs '
	assert_equal "${#lines[@]}" 2
	# CT's and the VM's own values are unchanged
	assert_equal "$(sysctls_of in_ct "$ct")" "$ct_before"
	assert_equal "$(sysctls_of)" "$vm_before"
	# from the host, the server carries phoenix's label under
	# HOSTPROFILE
	ns=$(nested_ns "ct-$ct" "$srv")
	[ -n "$ns" ]
	run host_labels_below "ct-$ct"
	assert_output --partial "$hp//&:ct-$ct//$ns:phoenix-default (enforce)"

	# the kernel log since the mark: the denial asked for here
	# (phoenix-default's, proving the records are read) and none of the
	# host profile's: runc's perfmon check (its BPF device filter) and
	# runc >= 1.3.6's bind of its masking tmpfs onto /sys/firmware are
	# refused quietly (phoenix-nesting)
	run docker_in "$ct" exec "$srv" cat /phoenix-denied/secret
	assert_failure
	run denied_since "$mark" 'apparmor="DENIED"'
	assert_success
	refute_output --partial "profile=\"$hp\""
	assert_equal "${#lines[@]}" 1
	assert_output --partial "namespace=\"root//ct-$ct//$ns\" profile=\"phoenix-default\""
	assert_output --partial 'name="/phoenix-denied/secret"'
	docker_in "$ct" rm -f "$srv" >/dev/null
	[ -z "$(nested_ns "ct-$ct" "$srv")" ]
}

@test "lxc-gpu-docker-storage: Docker's default network: docker0, a published port, container to container, --sysctl net.*, no denial" {
	default_network 951 lxc-gpu-docker-storage.951
}

@test "unprivileged: Docker's default network: docker0, a published port, container to container, --sysctl net.*, no denial" {
	default_network 802 phoenix-test-host
}

# What root in the privileged container 951 tries against the host: a fresh
# procfs, sysfs and cgroup v1 hierarchy below /var/lib/docker (where
# phoenix-nesting allows such mounts), the same filesystems detached, and a
# procfs attached elsewhere with move_mount().  The v1 hierarchy is the
# host's own (named phxacc, mounted on the host first): in a cgroup
# namespace the kernel lets a container mount an existing hierarchy, not
# create one.  The fresh mounts go through mount(2), whose mount rules
# are what is shown here: util-linux >= 2.39 would attach them with
# move_mount(), refused on its own (see the next test).
KFS_ATTACK='p=/usr/local/bin/kernelfs-probe d=/var/lib/docker/phx-acc
export LIBMOUNT_FORCE_MOUNT2=always
try() { what=$1; shift; if "$@" 2>/dev/null; then echo "$what ok"; else echo "$what refused"; fi; }
probe() { what=$1; shift; echo "$what: $($p "$@")"; }
mkdir -p $d/proc $d/sys $d/cg/sys/fs/cgroup/phx $d/mv
mount -t proc proc $d/proc && echo "mount proc ok"
mount -t sysfs sysfs $d/sys && echo "mount sysfs ok"
mount -t cgroup -o none,name=phxacc cgroup $d/cg/sys/fs/cgroup/phx && echo "mount cgroup ok"
try core_pattern sh -c "printf %s \"|/tmp/evil %p\" >$d/proc/sys/kernel/core_pattern"
try sysrq-trigger sh -c "echo h >$d/proc/sysrq-trigger"
try release_agent sh -c "echo /tmp/evil >$d/cg/sys/fs/cgroup/phx/release_agent"
try module sh -c "cat $d/sys/module/printk/parameters/time >$d/sys/module/printk/parameters/time"
try net-sysctl sh -c "echo 1024 >$d/proc/sys/net/ipv4/ip_unprivileged_port_start"
if [ -e /sys/kernel/uevent_helper ]; then
	try uevent_helper sh -c "echo /tmp/evil >$d/sys/kernel/uevent_helper"
	probe det-uevent detached sysfs kernel/uevent_helper /tmp/evil
fi
probe det-core detached proc sys/kernel/core_pattern "|/tmp/evil %p"
probe det-sysrq detached proc sysrq-trigger h
probe det-release detached cgroup release_agent /tmp/evil none name=phxacc
probe clone-sysrq clone /proc sysrq-trigger h
probe clone-core clone $d/proc/sys/kernel core_pattern "|/tmp/evil %p"
probe clone-vm clone $d/proc/sys/vm stat_interval 1
probe attach-core attach proc $d/mv sys/kernel/core_pattern "|/tmp/evil %p"
probe attach-vm attach proc $d/mv sys/vm/stat_interval 1
umount $d/proc $d/sys $d/cg/sys/fs/cgroup/phx
while umount $d/mv 2>/dev/null; do :; done'

@test "lxc-gpu-docker-storage: fresh and detached proc, sysfs and cgroup v1 cannot reach the host's core_pattern, sysrq, uevent_helper, release_agent" {
	kfs_probe_install
	mkdir -p /tmp/phxacc-cg
	mountpoint -q /tmp/phxacc-cg || mount -t cgroup -o none,name=phxacc cgroup /tmp/phxacc-cg
	core=$(cat /proc/sys/kernel/core_pattern)
	# uevent_helper exists only with CONFIG_UEVENT_HELPER (Debian's kernels
	# have none): its rule is then proven by tests/bats/profiles.bats only
	uevent=absent
	[ ! -e /sys/kernel/uevent_helper ] || uevent=$(cat /sys/kernel/uevent_helper)
	mark=$(dmesg_mark)
	run in_ct 951 sh -c "$KFS_ATTACK"
	# the mounts themselves are allowed: the writes below are what is refused
	assert_line "mount proc ok"
	assert_line "mount sysfs ok"
	assert_line "mount cgroup ok"
	assert_line "core_pattern refused"
	assert_line "sysrq-trigger refused"
	assert_line "release_agent refused"
	assert_line "module refused"
	assert_line "net-sysctl ok"
	if [ "$uevent" != absent ]; then
		assert_line "uevent_helper refused"
		assert_line "det-uevent: open kernel/uevent_helper: Permission denied"
	fi
	assert_line "det-core: open sys/kernel/core_pattern: Permission denied"
	assert_line "det-sysrq: open sysrq-trigger: Permission denied"
	assert_line "det-release: open release_agent: Permission denied"
	assert_line "clone-sysrq: open sysrq-trigger: Permission denied"
	assert_line "clone-core: open core_pattern: Permission denied"
	# a subtree cloned out of a procfs: Linux 6.1 names a detached mount's
	# files from its superblock's root (dentry_path_raw(), as for fsopen):
	# /sys/vm/stat_interval, refused like any host-wide sysctl
	assert_line "clone-vm: open stat_interval: Permission denied"
	# move_mount() is mediated from Linux 6.6 on (apparmor_move_mount); on
	# 6.1 the procfs lands, and its core_pattern is refused by name
	assert_line --regexp '^attach-core: (open /var/lib/docker/phx-acc/mv/sys/kernel/core_pattern|move_mount /var/lib/docker/phx-acc/mv): Permission denied$'
	# what AppArmor cannot name (README, "What the host profiles
	# guarantee"): a host-wide sysctl of a procfs attached under a name
	# that is not proc, where the kernel lets move_mount() place one
	assert_line --regexp '^attach-vm: (ok|move_mount /var/lib/docker/phx-acc/mv: Permission denied)$'
	echo "# $(grep '^attach-vm: ' <<<"$output") (kernel $(uname -r))" >&3
	# the host is unchanged, the kernel printed no SysRq help, and each
	# refusal is logged with the name AppArmor gave the file
	assert_equal "$(cat /proc/sys/kernel/core_pattern)" "$core"
	[ "$uevent" = absent ] || assert_equal "$(cat /sys/kernel/uevent_helper)" "$uevent"
	assert_equal "$(cat /tmp/phxacc-cg/release_agent)" ""
	refute dmesg_since_has "$mark" 'sysrq: HELP'
	run denied_since "$mark" 'profile="lxc-gpu-docker-storage.951"'
	assert_line --partial 'name="/var/lib/docker/phx-acc/proc/sys/kernel/core_pattern"'
	assert_line --partial 'name="/var/lib/docker/phx-acc/proc/sysrq-trigger"'
	assert_line --partial 'name="/var/lib/docker/phx-acc/cg/sys/fs/cgroup/phx/release_agent"'
	assert_line --partial 'name="/var/lib/docker/phx-acc/sys/module/printk/parameters/time"'
	assert_line --partial 'name="/sys/kernel/core_pattern"'
	assert_line --partial 'name="/sysrq-trigger"'
	assert_line --partial 'name="/release_agent"'
	assert_line --partial 'name="/sys/vm/stat_interval"'
	[ "$uevent" = absent ] || assert_line --partial 'name="/kernel/uevent_helper"'
	# the same probe, unconfined on the host, does reach the kernel: the
	# refusals above are the host profile's
	mark=$(dmesg_mark)
	run "${PHOENIX%/*}/kernelfs-probe" detached proc sysrq-trigger h
	assert_output ok
	dmesg_since_has "$mark" 'sysrq: HELP'
	run "${PHOENIX%/*}/kernelfs-probe" detached proc sys/kernel/core_pattern "$core"
	assert_output ok
	run "${PHOENIX%/*}/kernelfs-probe" detached cgroup release_agent "" none name=phxacc
	assert_output ok
	umount /tmp/phxacc-cg
}

# Attaching a detached mount: from Linux 6.7 (security/apparmor/mount.c,
# aa_move_mount: a source outside the caller's mount namespace is matched
# as no source at all; features/mount/move_mount reads "detached") the
# kernel cannot tell the host profile what is attached, neither its
# filesystem type nor where it was cloned from.  A rule allowing it would
# let root attach a fresh procfs, or a clone of /proc/sys/vm, under any
# name the file rules do not know, so lxc-gpu-docker-storage refuses it
# (README, "What the host profiles guarantee").  util-linux >= 2.39
# mounts that way by default (fsopen, fsmount, move_mount): inside such a
# container mount(8) needs LIBMOUNT_FORCE_MOUNT2=always (integration/lxc/
# ct-init), and mount(2) is mediated with the filesystem's type.
@test "lxc-gpu-docker-storage: a detached mount cannot be attached; mount(8) works through mount(2)" {
	kfs_probe_install
	local mediated=no fd_mount=no
	[ ! -e /sys/kernel/security/apparmor/features/mount/move_mount ] || mediated=yes
	! in_ct 951 mount -V | grep -q fd-based-mount || fd_mount=yes
	in_ct 951 mkdir -p /run/phx-mv /run/phx-m1 /run/phx-m2
	mark=$(dmesg_mark)
	# the kernel's part, whatever util-linux does: a detached tmpfs (where
	# it lands, the probe's open of f fails: the fresh tmpfs is empty)
	run in_ct 951 "$KFS_PROBE" attach tmpfs /run/phx-mv f x
	if [ "$mediated" = yes ]; then
		assert_failure 2
		assert_output 'move_mount /run/phx-mv: Permission denied'
	else
		assert_failure 1
		assert_output 'open /run/phx-mv/f: No such file or directory'
	fi
	# util-linux's default
	run in_ct 951 sh -c 'mount -t tmpfs tmpfs /run/phx-m1 && mountpoint -q /run/phx-m1'
	if [ "$mediated$fd_mount" = yesyes ]; then
		assert_failure
		refute in_ct 951 mountpoint -q /run/phx-m1
	else
		assert_success
	fi
	echo "# mount(8) by default: status $status (kernel $(uname -r), move_mount mediated: $mediated, libmount fd-based: $fd_mount)" >&3
	# mount(2), as ct-init mounts
	run in_ct 951 env LIBMOUNT_FORCE_MOUNT2=always sh -c 'mount -t tmpfs tmpfs /run/phx-m2 && mountpoint -q /run/phx-m2'
	assert_success
	run denied_since "$mark" 'profile="lxc-gpu-docker-storage.951"'
	if [ "$mediated" = yes ]; then
		assert_line --regexp 'operation="mount".*name="/run/phx-mv/"'
		refute_line --regexp 'srcname=.*name="/run/phx-mv/"'
	fi
	refute_output --partial 'name="/run/phx-m2/"'
	in_ct 951 sh -c 'while umount /run/phx-mv /run/phx-m1 /run/phx-m2 2>/dev/null; do :; done; true'
}

@test "a container configured \"unconfined\" gets no profile, and is told so" {
	run cat "$BATS_FILE_TMPDIR/unconfined.err"
	assert_output --partial 'WARNING: container 900 (base) is configured "apparmor_profile": "unconfined".'
	assert_output --partial "NO AppArmor confinement"
	run sed -n '/^# BEGIN phoenix/,/^# END phoenix/p' /var/lib/lxc/900/config
	assert_line "lxc.apparmor.profile = unconfined"
	refute_output --partial "lxc.hook"
	pid=$(scene_ct_pid 900)
	assert_equal "$(cat /proc/"$pid"/attr/current)" "unconfined"
	[ ! -d "$AAFS/policy/namespaces/ct-900" ]
}

## Each LXC container's own AppArmor records, from the host's relay (issue 18.1)
# The host (the VM) runs `phoenix relay`; phoenix-lxc-config bound each
# container's /run/phoenix-records/ct-NAME read-only at
# /var/lib/phoenix/host-records, where `phoenix denials` inside reads it
# (neither container can read /dev/kmsg usefully: 802 lacks CAP_SYSLOG of
# the initial user namespace, and 951's kernel log would be the host's).

RELAY_DIR=/run/phoenix-records

# relay_start / relay_stop: the relay on the host, its output in a file
# (no descriptor of bats' left open to it).
relay_start() {
	"$PHOENIX" relay </dev/null >>"$BATS_FILE_TMPDIR/relay.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/relay.pid"
}
relay_stop() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/relay.pid")
	kill -TERM "$pid"
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
# relayed CT TEXT: wait (10 s at most) until the relay wrote TEXT for CT.
relayed() {
	for _ in $(seq 50); do
		grep -qF -- "$2" "$RELAY_DIR/ct-$1/records" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "not relayed to ct-$1: $2" >&2
	return 1
}
# relay_deny CT CID NAME: a denial of /phoenix-denied/NAME in nested CID
# (the file must exist: open(2) of a missing one fails before AppArmor is
# asked; /phoenix-denied is CT's /srv/relay, bound in by the first test).
relay_deny() {
	in_ct "$1" sh -c 'echo secret >"/srv/relay/$1"' sh "$3"
	run docker_in "$1" exec "$2" cat "/phoenix-denied/$3"
	assert_failure
	assert_output --partial "Permission denied"
}

@test "relay: phoenix denials in 951 (privileged) and 802 (unprivileged) shows its own nested containers' records, never the other's" {
	local ct other cid951 cid802 tag=$RANDOM$RANDOM
	# the hook made each directory before LXC mounted it, read-only
	for ct in 951 802; do
		[ "$(stat -c %a "$RELAY_DIR/ct-$ct")" = 755 ]
		run in_ct "$ct" touch /var/lib/phoenix/host-records/forged
		assert_failure
		assert_output --partial "Read-only file system"
	done
	[ "$(stat -c %a "$RELAY_DIR")" = 711 ]
	relay_start
	for ct in 951 802; do
		in_ct "$ct" mkdir -p /srv/relay
	done
	cid951=$(nested 951 -v /srv/relay:/phoenix-denied "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	cid802=$(nested 802 -v /srv/relay:/phoenix-denied "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	nested_labels 951 "$cid951" >/dev/null
	nested_labels 802 "$cid802" >/dev/null
	# --follow in 951, started before the denial
	in_ct 951 timeout -s TERM 20 "$PHOENIX" denials --follow </dev/null \
		>"$BATS_FILE_TMPDIR/follow.951" 2>&1 3>&- &
	local follow=$!
	sleep 2
	relay_deny 951 "$cid951" "relay-951-$tag"
	relay_deny 802 "$cid802" "relay-802-$tag"
	relayed 951 "relay-951-$tag"
	relayed 802 "relay-802-$tag"
	for ct in 951 802; do
		other=802
		[ "$ct" = 951 ] || other=951
		# inside: the relayed records are the source (no kernel log read)
		run --separate-stderr in_ct "$ct" "$PHOENIX" --debug denials
		assert_success
		assert_output --partial "/phoenix-denied/relay-$ct-$tag"
		refute_output --partial "relay-$other-$tag"
		refute_output --partial "ct-$other"
		# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
		[[ $stderr == *"reading relay \`/var/lib/phoenix/host-records/records\`"* ]]
		[[ $stderr != *"records may be missing"* ]]
		# the host's own records, and other LXC containers', never reach it
		run grep -c -e "ct-$other" -e 'namespace="root"' "$RELAY_DIR/ct-$ct/records"
		assert_output 0
	done
	# by container id, as Docker named it
	run in_ct 951 "$PHOENIX" denials "$cid951"
	assert_success
	assert_output --partial "/phoenix-denied/relay-951-$tag"
	wait "$follow" || true
	run cat "$BATS_FILE_TMPDIR/follow.951"
	assert_output --partial "/phoenix-denied/relay-951-$tag"
	refute_output --partial "relay-802-$tag"
	relay_stop
	echo "$tag $cid951 $cid802" >"$BATS_FILE_TMPDIR/relay.tag"
}

@test "relay: restarted, it writes no record twice and loses none written while it was down" {
	local tag cid951 cid802 ct
	read -r tag cid951 cid802 <"$BATS_FILE_TMPDIR/relay.tag"
	# while it is down
	relay_deny 951 "$cid951" "down-951-$tag"
	relay_deny 802 "$cid802" "down-802-$tag"
	relay_start
	relayed 951 "down-951-$tag"
	relayed 802 "down-802-$tag"
	# restarted once more, and again after a new record
	relay_stop
	relay_start
	relay_deny 951 "$cid951" "after-951-$tag"
	relayed 951 "after-951-$tag"
	relay_stop
	relay_start
	sleep 2
	relay_stop
	for ct in 951 802; do
		run in_ct "$ct" "$PHOENIX" denials --json
		assert_success
		for what in relay down; do
			[ "$(grep -o "/phoenix-denied/$what-$ct-$tag\"" <<<"$output" | wc -l)" = 1 ]
		done
		# the kernel's sequence numbers in the file: each one once, rising
		run sh -c "cut -d, -f2 $RELAY_DIR/ct-$ct/records | grep -E '^[0-9]+\$' | sort -n | uniq -d"
		assert_output ""
		run sh -c "grep -v '^phoenix-relay: gap: ' $RELAY_DIR/ct-$ct/records | cut -d, -f2 | sort -n -c"
		assert_success
		run grep -c '^phoenix-relay: gap: ' "$RELAY_DIR/ct-$ct/records"
		assert_output 0
	done
	run in_ct 951 "$PHOENIX" denials --json
	[ "$(grep -o "/phoenix-denied/after-951-$tag\"" <<<"$output" | wc -l)" = 1 ]
	docker_in 951 rm -f "$cid951" >/dev/null
	docker_in 802 rm -f "$cid802" >/dev/null
}

## phoenix learn inside each LXC container, from the relay (issue 18.3) ##
# What a user inside 951 or 802 types (README.md, "Learning a profile"): a
# nested container run under phoenix-learn, `phoenix learn` from the
# records the host's relay handed that LXC container, then the same
# workload under the learned profile.  Each container's workload names its
# own files (page-gpu-TAG.html, web-unpriv-TAG.log): a record of the other's
# learned would show in the profile.

# The workload: busybox httpd serving /www on port 80 (the nested network
# namespace's lo), fetched with wget, a log line written, a helper run
# (md5sum, another exec), httpd stopped with a signal; its results on
# stdout (docker logs: no file of its own to learn).  `learn` also tries
# what phoenix's bounds (/proc/sysrq-trigger) and the host profiles refuse
# (lxc-gpu-docker-storage: writing /status; phoenix-test-host:
# /phoenix-host-denied/); `attack` does what it never did: reads another
# file, runs another shell, uses a capability (CAP_CHOWN, Docker's default).
LEARN_SCRIPT='mode=$1 id=$2
httpd -f -p 80 -h /www & h=$!
i=0
until wget -q -O /tmp/got "http://127.0.0.1/page-$id.html"; do
	i=$((i + 1)); [ $i -lt 50 ] || break; sleep 0.2
done
echo "GET /page-$id.html" >>"/tmp/web-$id.log"
busybox md5sum /tmp/got >"/tmp/sum-$id"
kill $h
wait $h
echo "fetched=$(cat /tmp/got)"
if [ "$mode" = learn ]; then
	cat /proc/sysrq-trigger >/dev/null 2>&1; echo "base-denied=$?"
	cat /phoenix-host-denied/secret >/dev/null 2>&1; echo "host-denied-read=$?"
	(echo x >/status) 2>/dev/null; echo "host-denied-write=$?"
fi
if [ "$mode" = attack ]; then
	cat "/www/secret-$id" >/dev/null 2>&1; echo "attack-file=$?"
	/opt/ash2 -c true 2>/dev/null; echo "attack-shell=$?"
	busybox chown 1:1 "/tmp/web-$id.log" 2>/dev/null; echo "attack-cap=$?"
fi
echo workload-done
exec sleep 1000'

# learn_setup CT ID: the workload's files in CT's /srv/learn.
learn_setup() {
	in_ct "$1" sh -c 'd=/srv/learn; rm -rf $d; mkdir -p $d/www $d/hd $d/bin &&
		echo "hello-$1" >"$d/www/page-$1.html" && echo secret >"$d/www/secret-$1" &&
		echo secret >$d/hd/secret && cp /bin/busybox $d/bin/ash2 && cat >$d/run.sh' sh "$2" <<<"$LEARN_SCRIPT"
}
# learn_run CT ID MODE [DOCKER-RUN-OPTION...]: the workload in a nested
# container of CT; prints its id.
learn_run() {
	local d=/srv/learn
	nested "$1" "${@:4}" -v "$d/www:/www" -v "$d/hd:/phoenix-host-denied" -v "$d/bin:/opt" \
		-v "$d/run.sh:/run.sh:ro" "$SCENE_IMAGE" sh /run.sh "$3" "$2"
}
# learn_done CT CID: wait (60 s at most) for the workload's last line.
learn_done() {
	for _ in $(seq 300); do
		docker_in "$1" logs "$2" 2>&1 | grep -qx workload-done && return 0
		sleep 0.2
	done
	docker_in "$1" logs "$2" >&2
	return 1
}

@test "learn in 951 (privileged) and 802 (unprivileged) from the relay: learned, enforced with no denial; what it never did is denied and reported; nothing of the bounds, the host profile or the other container learned" {
	local ct other tag p
	local -A lcid ecid acid id
	# letters only: learning turns a file name's digits into [0-9]*
	tag=$(tr 0-9 a-j <<<"$RANDOM$RANDOM")
	id[951]=gpu-$tag
	id[802]=unpriv-$tag
	relay_start
	for ct in 951 802; do
		learn_setup "$ct" "${id[$ct]}"
	done
	# 1. record, in both at once (their records interleave in the kernel's log)
	for ct in 951 802; do
		lcid[$ct]=$(learn_run "$ct" "${id[$ct]}" learn --security-opt apparmor=phoenix-learn)
	done
	for ct in 951 802; do
		learn_done "$ct" "${lcid[$ct]}"
		run docker_in "$ct" logs "${lcid[$ct]}"
		assert_line "fetched=hello-${id[$ct]}"
		assert_line "base-denied=1"
		# complain mode, under the enforcing host profile ("mixed")
		run host_label_of "ct-$ct" "${lcid[$ct]}"
		assert_output --partial ":phoenix-learn (mixed)"
		relayed "$ct" 'name="/status"'
	done
	# learning reached nothing its host profile refuses
	run docker_in 951 logs "${lcid[951]}"
	assert_line "host-denied-write=1"
	run docker_in 802 logs "${lcid[802]}"
	assert_line "host-denied-read=1"

	# 2. learn, inside the LXC container, from what the relay handed it
	for ct in 951 802; do
		other=802
		[ "$ct" = 951 ] || other=951
		run --separate-stderr in_ct "$ct" "$PHOENIX" --debug learn "${lcid[$ct]}" "phx-web-$ct"
		printf "%s\n" "$output" | sed "s/^/# $ct: /" >&3
		assert_success
		[[ $stderr == *"reading relay \`/var/lib/phoenix/host-records/records\`"* ]]
		assert_line --regexp "^[0-9]+ records of container ${lcid[$ct]} \(namespace root//ct-$ct//phx-[^)]*\), [0-9]+ rules learned\$"
		assert_line "written: /etc/phoenix/profiles/phx-web-$ct"
		[[ $output != *"gap: "* ]]
		# what the host profile refused: handed over by the relay with
		# the container's own record of it, listed, not learned
		if [ "$ct" = 951 ]; then
			assert_line --regexp '^not learned: [a-z]+ /status \(denied by `lxc-gpu-docker-storage\.951'
		else
			assert_line --partial 'not learned: open /phoenix-host-denied/secret (denied by `phoenix-test-host'
		fi
		p=$(in_ct "$ct" cat "/etc/phoenix/profiles/phx-web-$ct")
		grep -qxF "  /www/page-${id[$ct]}.html r," <<<"$p"
		grep -q "^  /tmp/web-${id[$ct]}.log .*w" <<<"$p"
		# (no capability net_bind_service: Docker sets the nested network
		# namespace's net.ipv4.ip_unprivileged_port_start to 0)
		grep -q '^  network inet stream,' <<<"$p"
		grep -q '^  /bin/busybox .*ix' <<<"$p"
		# nothing of the bounds', nothing of the other container's
		[[ $p != *sysrq-trigger* ]]
		[[ $p != *"${id[$other]}"* ]]
		[[ $p != *"ct-$other"* ]]
		[[ $p != *secret-* && $p != */opt/ash2* && $p != *"capability chown"* ]]
		docker_in "$ct" rm -f "${lcid[$ct]}" >/dev/null
	done
	# nothing of the host profiles': what each refused is listed, not learned
	run in_ct 951 cat /etc/phoenix/profiles/phx-web-951
	refute_output --partial '/status'
	run in_ct 802 cat /etc/phoenix/profiles/phx-web-802
	refute_output --partial 'phoenix-host-denied'

	# 3. enforce: the same workload; 4. what it never did
	for ct in 951 802; do
		ecid[$ct]=$(learn_run "$ct" "${id[$ct]}" plain --security-opt "apparmor=phx-web-$ct")
		learn_done "$ct" "${ecid[$ct]}"
		run host_label_of "ct-$ct" "${ecid[$ct]}"
		assert_output --partial ":phx-web-$ct (enforce)"
		run docker_in "$ct" logs "${ecid[$ct]}"
		assert_line "fetched=hello-${id[$ct]}"
		acid[$ct]=$(learn_run "$ct" "${id[$ct]}" attack --security-opt "apparmor=phx-web-$ct")
		learn_done "$ct" "${acid[$ct]}"
		run docker_in "$ct" logs "${acid[$ct]}"
		assert_line "fetched=hello-${id[$ct]}"
		refute_line "attack-file=0"
		refute_line "attack-shell=0"
		refute_line "attack-cap=0"
		relayed "$ct" "name=\"/www/secret-${id[$ct]}\""
		relayed "$ct" 'capname="chown"'
	done
	for ct in 951 802; do
		run in_ct "$ct" "$PHOENIX" denials "${ecid[$ct]}" --json
		assert_success
		printf "%s\n" "$output" | sed "s/^/# $ct enforced: /" >&3
		jq -e 'length == 0' <<<"$output"
		run in_ct "$ct" "$PHOENIX" denials "${acid[$ct]}" --json
		assert_success
		printf "%s\n" "$output" | sed "s/^/# $ct attack: /" >&3
		jq -e --arg p "phx-web-$ct" 'length >= 3 and all(.[]; .profile == $p and .kind == "DENIED")' <<<"$output"
		jq -e --arg n "/www/secret-${id[$ct]}" 'any(.[]; .operation == "open" and .name == $n)' <<<"$output"
		jq -e 'any(.[]; .operation == "exec" and .name == "/opt/ash2")' <<<"$output"
		jq -e 'any(.[]; .operation == "capable" and .capability == "chown")' <<<"$output"
		docker_in "$ct" rm -f "${ecid[$ct]}" "${acid[$ct]}" >/dev/null
	done
	relay_stop
}

@test "lxc-stop removes the container's namespace (post-stop hook), nested namespaces with it" {
	cid=$(nested 951 "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	run nested_labels 951 "$cid"
	assert_output "phoenix-default (enforce)|phoenix-default (enforce)"
	[ -n "$(nested_ns ct-951 "$cid")" ]
	# killed, not shut down: what matters here is the post-stop hook, which
	# LXC runs either way
	run timeout -k 5 120 lxc-stop -n 951 -k
	assert_success
	for _ in $(seq 100); do
		[ -d "$AAFS/policy/namespaces/ct-951" ] || break
		sleep 0.2
	done
	[ ! -d "$AAFS/policy/namespaces/ct-951" ]
	run host_labels_below ct-951
	assert_output ""
}

## One LXC container and another's policy namespaces (issue 15.4) ########
# 951 and 952 run under the same template, lxc-gpu-docker-storage, each
# under its own copy (lxc-gpu-docker-storage.951, .952) that names its own
# namespace alone.  The kernel's namespace mkdir and rmdir check only that
# the caller administers policy (apparmorfs.c, ns_mkdir_op/ns_rmdir_op), so
# only the profile stands between one container and the other's tree.

# tenant_up CT: CT running (the post-stop test above stops 951).
tenant_up() {
	lxc-info -n "$1" -s | grep -q RUNNING && return 0
	lxc-start -n "$1" -l INFO -o "/var/lib/lxc/$1/start.log"
	for _ in $(seq 120); do
		in_ct "$1" test -e /run/ct-init.ready 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# tenant_nested CT: in CT, as phoenix would (mkdir and .replace through
# the `policy` link), the namespace phx-t-CT with the profile
# phx-tenant-probe, and a task running in it.
tenant_nested() {
	local a=$AAFS
	apparmor_parser -Q -S "$BATS_FILE_TMPDIR/tenant.sd" >"/var/lib/lxc/$1/rootfs/root/tenant.bin"
	in_ct "$1" sh -c "mkdir -p $a/policy/namespaces/phx-t-$1 &&
		cat /root/tenant.bin >$a/policy/namespaces/phx-t-$1/.replace &&
		(printf %s 'exec :phx-t-$1:unconfined' >/proc/self/attr/apparmor/exec && exec sleep 900) </dev/null >/dev/null 2>&1 &"
	for _ in $(seq 50); do
		host_labels_below "ct-$1" | grep -qF ":ct-$1//phx-t-$1:" && return 0
		sleep 0.2
	done
	return 1
}

# tenant_tree CT: what the host sees of CT's namespace tree: directories,
# profiles, and the labels of the tasks in it.
tenant_tree() {
	(cd "$AAFS/policy/namespaces/ct-$1" && find . -maxdepth 5 -type d | LC_ALL=C sort)
	grep -F ":ct-$1" "$AAFS/profiles" | LC_ALL=C sort
	host_labels_below "ct-$1" | cut -d' ' -f2- | LC_ALL=C sort
}

# Every way for one container to change another's namespaces, and the same
# in its own: prints "<attempt> ok|refused".
TENANT_SCRIPT='a=/sys/kernel/security/apparmor; o=ct-$1; n=phx-t-$1
try() { what=$1; shift; if "$@" >/dev/null 2>&1; then echo "$what ok"; else echo "$what refused"; fi; }
try other-rmdir rmdir "$a/policy/../$o/namespaces/$n"
try other-mkdir mkdir "$a/policy/../$o/namespaces/evil"
try other-mkdir-below mkdir "$a/policy/../$o/namespaces/$n/namespaces/evil"
try other-load sh -c "cat /root/tenant.bin >$a/policy/../$o/namespaces/$n/.load"
try other-replace sh -c "cat /root/tenant.bin >$a/policy/../$o/namespaces/$n/.replace"
try other-remove sh -c "printf %s phx-tenant-probe >$a/policy/../$o/namespaces/$n/.remove"
try other-ct-replace sh -c "cat /root/tenant.bin >$a/policy/../$o/.replace"
try other-ct-remove sh -c "printf %s :$n: >$a/policy/../$o/.remove"
try other-list ls "$a/policy/../$o/namespaces/"
try own-mkdir mkdir "$a/policy/namespaces/phx-own"
try own-load sh -c "cat /root/tenant.bin >$a/policy/namespaces/phx-own/.load"
try own-replace sh -c "cat /root/tenant.bin >$a/policy/namespaces/phx-own/.replace"
try own-remove sh -c "printf %s phx-tenant-probe >$a/policy/namespaces/phx-own/.remove"
try own-mkdir-below mkdir "$a/policy/namespaces/phx-own/namespaces/deeper"
try own-rmdir-below rmdir "$a/policy/namespaces/phx-own/namespaces/deeper"
try own-rmdir rmdir "$a/policy/namespaces/phx-own"'

@test "each LXC container runs under its own copy of the template, written and loaded by phoenix-lxc-config" {
	local ct pid
	tenant_up 951
	for ct in 951 952; do
		grep -qx "lxc-gpu-docker-storage.$ct (enforce)" "$AAFS/profiles"
		head -n 1 "/etc/apparmor.d/lxc-gpu-docker-storage.$ct" |
			grep -qxF "# phoenix per-container profile: template lxc-gpu-docker-storage, container $ct (written by phoenix-host-profiles; do not edit)"
		grep -qx "@{PHOENIX_CT_NS} = ct-$ct" "/etc/apparmor.d/lxc-gpu-docker-storage.$ct"
		pid=$(scene_ct_pid "$ct")
		assert_equal "$(cat /proc/"$pid"/attr/current)" "lxc-gpu-docker-storage.$ct//&:ct-$ct:unconfined (enforce)"
		grep -qx "lxc.apparmor.profile = lxc-gpu-docker-storage.$ct//&:ct-$ct:unconfined" "/var/lib/lxc/$ct/config"
	done
	# the template stays loaded, and names no container's namespace
	grep -qx "lxc-gpu-docker-storage (enforce)" "$AAFS/profiles"
	# a privileged container's configuration comes with the warning
	run cat "$BATS_FILE_TMPDIR/952.err"
	assert_output --partial "WARNING: container 952 (second-tenant) is privileged"
	assert_output --partial "its host profile lxc-gpu-docker-storage.952 is then the only boundary"
	assert_output --partial '"What the host profiles guarantee"'
	# rewriting changes nothing; a redeployment keeps the copies
	run "$REPO/hooks/phoenix-lxc-config" 952 "$CONFIGS" --apply
	assert_success
	assert_line "phoenix-lxc-config: /var/lib/lxc/952/config unchanged"
	refute_output --partial WARNING
	run scene_profiles lxc-gpu-docker-storage
	assert_success
	assert_line "phoenix-host-profiles: unchanged  lxc-gpu-docker-storage.951"
	assert_line "phoenix-host-profiles: up to date lxc-gpu-docker-storage.952 (loaded)"
	assert_line "phoenix-host-profiles: nothing changed"
}

@test "neither of two LXC containers under the same template can remove, create or load into the other's namespaces; each can in its own" {
	local ct other before mark
	tenant_up 951
	printf 'profile phx-tenant-probe { file, }\n' >"$BATS_FILE_TMPDIR/tenant.sd"
	tenant_nested 951
	tenant_nested 952
	for ct in 951 952; do
		other=952
		[ "$ct" = 951 ] || other=951
		before=$(tenant_tree "$other")
		# the other's tree has what the attacks aim at
		grep -qx "./namespaces/phx-t-$other" <<<"$before"
		grep -qF ":ct-$other//phx-t-$other:phx-tenant-probe" <<<"$before" ||
			grep -qF ":ct-$other://phx-t-$other:phx-tenant-probe" <<<"$before"
		grep -qF "lxc-gpu-docker-storage.$other//&:ct-$other//phx-t-$other:unconfined" <<<"$before"
		mark=$(dmesg_mark)
		run in_ct "$ct" sh -c "$TENANT_SCRIPT" sh "$other"
		assert_success
		for what in other-rmdir other-mkdir other-mkdir-below other-load other-replace other-remove \
			other-ct-replace other-ct-remove other-list; do
			assert_line "$what refused"
		done
		for what in own-mkdir own-load own-replace own-remove own-mkdir-below own-rmdir-below own-rmdir; do
			assert_line "$what ok"
		done
		# the other's tree is as it was, its task still in its namespace
		assert_equal "$(tenant_tree "$other")" "$before"
		[ ! -d "$AAFS/policy/namespaces/ct-$ct/namespaces/phx-own" ]
		# refused by the container's own copy, which logs it
		run denied_since "$mark" "name=\"/namespaces/ct-$other/namespaces/phx-t-$other"
		assert_output --partial 'operation="rmdir"'
		assert_output --partial "profile=\"lxc-gpu-docker-storage.$ct\""
		run denied_since "$mark" "name=\"/namespaces/ct-$other/namespaces/evil"
		assert_output --partial 'operation="mkdir"'
		assert_output --partial "profile=\"lxc-gpu-docker-storage.$ct\""
	done
	for ct in 951 952; do
		host_labels_below "ct-$ct" | grep -F ":ct-$ct//phx-t-$ct:" | cut -d' ' -f1 | xargs -r kill
	done
}
