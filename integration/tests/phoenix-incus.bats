#!/usr/bin/env bats
# Docker inside an Incus container on the real kernel: Incus (Debian 13's
# 6.0, unstable's 7.0) as the LXC manager instead of lxc-start.  Incus puts
# each container in an AppArmor policy namespace of its own and stacks its
# generated profile on it: `incus-NAME_</var/lib/incus>//&:incus-NAME_<var-lib-incus>:unconfined`
# (lxd/instance/drivers/driver_lxc.go, lxc.apparmor.profile; the namespace
# from apparmor.InstanceNamespaceName).  phoenix inside then makes the
# nested container's namespace below Incus's.
#
# The scene: incusd started by hand (no systemd in the guest), a `dir`
# storage pool and no network (no dnsmasq; `none` as Incus calls it), an
# image built offline (metadata.yaml and a rootfs, `incus image import`)
# whose /usr is the VM's own, bound in read-only (dockerd, containerd,
# runc, busybox), this checkout bound in at its own path (phoenix, its
# profiles, ct-init as PID 1).  Container `phx-priv` is privileged,
# `phx-unpriv` is not (Incus's default); both security.nesting=true.
#
# Not in `make check` (time): `make integration INCUS_RELEASES=sid`.
# Debian 12 has no Incus: the file is skipped on bookworm.

load phoenix-helpers
bats_require_minimum_version 1.5.0
# shellcheck source=integration/lxc/scene.bash
. "$REPO/integration/lxc/scene.bash"

INCUS_LOG=/var/log/incusd.log
NESTED_SCRIPT='trap "exit 0" TERM; cat /proc/self/attr/current >/label; while :; do sleep 1 & wait $!; done'

# in_ct NAME COMMAND...: scene.bash's in_ct, through `incus exec` (the
# container's namespaces, cgroup and AppArmor label), so that its engine
# and image helpers work unchanged.
in_ct() {
	local name=$1
	shift
	timeout -k 5 "${SCENE_TIMEOUT:-180}" incus exec "$name" --env "PATH=$SCENE_PATH" --env HOME=/root -- "$@"
}

# incus_ns NAME: the policy namespace Incus gives container NAME (seen from
# the host), from the label of its init.
incus_ns() {
	local pid label
	pid=$(incus query "/1.0/instances/$1/state" | jq -r .pid)
	label=$(cat "/proc/$pid/attr/current")
	label=${label#*//&:}
	printf '%s\n' "${label%%:*}"
}

# incus_image DIR: build the image `phx` offline in DIR.
incus_image() {
	local dir=$1 l rootfs=$1/rootfs
	mkdir -p "$rootfs"/{usr,proc,sys,dev,run,tmp,root,srv,var/lib/docker,var/lib/containerd,var/lib/containers,var/log,var/cache/phoenix}
	for l in bin sbin lib lib32 lib64 libx32; do
		[[ -L /$l ]] && cp -P "/$l" "$rootfs/$l"
	done
	cp -a /etc "$rootfs/etc"
	mkdir -p "$rootfs/etc/phoenix"
	jq -n --arg repo "$REPO" '{profilesDir: ($repo + "/profiles/container"), cacheDir: "/var/cache/phoenix"}' \
		>"$rootfs/etc/phoenix/phoenix.json"
	chmod 0700 "$rootfs/var/cache/phoenix"
	cat >"$dir/metadata.yaml" <<EOF
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: phoenix test image (the VM's /usr bound in)
  os: debian
EOF
	tar -C "$dir" -cf "$dir/phx.tar" metadata.yaml rootfs
	incus image import "$dir/phx.tar" --alias phx
}

# incus_ct NAME [incus launch option...]: launch container NAME from `phx`
# with nesting, /usr and the checkout bound in, ct-init as PID 1.
incus_ct() {
	local name=$1
	shift
	incus init phx "$name" -c security.nesting=true \
		-c raw.lxc="lxc.init.cmd = $REPO/integration/lxc/ct-init" "$@" || return 1
	incus config device add "$name" usr disk source=/usr path=/usr readonly=true >/dev/null || return 1
	incus config device add "$name" repo disk source="$REPO" path="$REPO" readonly=true >/dev/null || return 1
	incus start "$name" || {
		incus info "$name" --show-log >&2
		return 1
	}
	for _ in $(seq 120); do
		in_ct "$name" test -e /run/ct-init.ready 2>/dev/null && return 0
		sleep 0.5
	done
	echo "container $name: init not ready" >&2
	incus info "$name" --show-log >&2
	return 1
}

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local out=$BATS_FILE_TMPDIR t=$SECONDS incusd
	# the whole file is skipped (setup) with the reason written here: bats
	# 1.8 (Debian 12) counts a skip in setup_file as its failure
	if [[ ${PHOENIX_RELEASE:-bookworm} == bookworm ]]; then
		echo "no Incus in Debian 12 (bookworm): run with PHOENIX_RELEASE=trixie or sid" >"$out/skip"
		return 0
	fi
	incusd=$(command -v incusd || echo /usr/libexec/incus/incusd)
	if [[ ! -x $incusd ]]; then
		echo "incusd is not installed (guest-root.sh's incus-base)" >"$out/skip"
		return 0
	fi
	lap() {
		echo "# setup_file: $1 in $((SECONDS - t)) s" >&3
		t=$SECONDS
	}
	sysctl -qw kernel.printk_ratelimit=0
	grep -q '^root:' /etc/subuid 2>/dev/null || echo root:1000000:1000000000 >>/etc/subuid
	grep -q '^root:' /etc/subgid 2>/dev/null || echo root:1000000:1000000000 >>/etc/subgid
	mkdir -p /var/log/incus
	# fd 3 closed: bats waits for every holder of it before it ends
	setsid -f "$incusd" --group root --logfile "$INCUS_LOG" </dev/null >/dev/null 2>&1 3>&-
	incus admin waitready --timeout 300 || {
		tail -n 30 "$INCUS_LOG" >&2
		return 1
	}
	incus admin init --preseed <<'EOF'
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk
EOF
	lap "incusd up (dir pool, no network)"
	incus_image "$out/image"
	lap "image imported"
	scene_net_modules
	incus_ct phx-priv -c security.privileged=true
	incus_ct phx-unpriv 2>"$out/unpriv.err" || true
	lap "Incus containers started"
	local ct
	for ct in phx-priv phx-unpriv; do
		in_ct "$ct" true 2>/dev/null || continue
		# Incus mounts no securityfs in the container: phoenix needs its
		# view of apparmorfs (the container's own policy namespace)
		in_ct "$ct" sh -c 'mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security' ||
			echo "$ct: cannot mount securityfs" >&2
		scene_engines "$ct" || return 1
		scene_dockerd "$ct" || return 1
	done
	for ct in phx-priv phx-unpriv; do
		in_ct "$ct" true 2>/dev/null || continue
		scene_dockerd_wait "$ct" || return 1
		scene_image "$ct" || return 1
	done
	lap "containerd, dockerd, busybox image in the containers"
}

setup() {
	[[ ! -s $BATS_FILE_TMPDIR/skip ]] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
}

teardown_file() {
	local ct
	[[ ! -s $BATS_FILE_TMPDIR/skip ]] || return 0
	for ct in phx-priv phx-unpriv; do
		timeout 60 incus stop -f "$ct" >/dev/null 2>&1 </dev/null 3>&- || true
	done
}

# nested_check CT: docker run --runtime=phoenix in CT; labels inside and
# from the host, the nested profile's denial, reaping on docker rm.
nested_check() {
	local ct=$1 ins cid ns mark
	ins=$(incus_ns "$ct")
	echo "# $ct: Incus's namespace $ins" >&3
	cid=$(docker_in "$ct" run -d --runtime=phoenix --network none "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	run docker_in "$ct" exec "$cid" sh -c 'while [ ! -s /label ]; do sleep 0.2; done
		printf "%s|%s\n" "$(cat /label)" "$(cat /proc/self/attr/current)"'
	assert_output "phoenix-default (enforce)|phoenix-default (enforce)"
	ns=$(nested_ns "$ins" "$cid")
	[[ $ns == phx-*-"$cid" ]]
	run host_labels_below "$ins"
	echo "# $ct: nested, from the host: $(grep -F -- "//$ns:" <<<"$output" | head -n 1 | cut -d' ' -f2-)" >&3
	assert_line --regexp "^[0-9]+ incus-$ct"'_</var/lib/incus>//&:'"incus-$ct"'_<var-lib-incus>//'"$ns:phoenix-default \(enforce\)$"
	mark=$(dmesg_mark)
	run docker_in "$ct" exec "$cid" cat /phoenix-denied/secret
	assert_failure
	assert_output --partial "Permission denied"
	run denied_since "$mark" 'name="/phoenix-denied/secret"'
	assert_output --partial "namespace=\"root//$ins//$ns\" profile=\"phoenix-default\""
	docker_in "$ct" rm -f "$cid" >/dev/null
	[ -z "$(nested_ns "$ins" "$cid")" ]
	[ ! -d "$AAFS/policy/namespaces/$ins/namespaces/$ns" ]
}

dmesg_mark() {
	local m="phoenix-test-mark-$BATS_SUITE_TEST_NUMBER-$RANDOM$RANDOM"
	echo "$m" >/dev/kmsg
	echo "$m"
}
denied_since() {
	local log
	log=$(dmesg | awk -v m="$1" 'seen { print } index($0, m) { seen = 1 } END { exit !seen }') || return 1
	grep 'apparmor="DENIED"' <<<"$log" | grep -F -- "$2" || true
}

@test "Incus containers run stacked on a policy namespace of their own" {
	local ct pid label
	for ct in phx-priv phx-unpriv; do
		in_ct "$ct" true || {
			cat "$BATS_FILE_TMPDIR/unpriv.err" >&2
			return 1
		}
		pid=$(incus query "/1.0/instances/$ct/state" | jq -r .pid)
		label=$(cat "/proc/$pid/attr/current")
		echo "# $ct: init's label from the host: $label" >&3
		assert_equal "$label" "incus-${ct}_</var/lib/incus>//&:incus-${ct}_<var-lib-incus>:unconfined (enforce)"
		assert_equal "$(in_ct "$ct" cat /proc/self/attr/current)" "unconfined"
		assert_equal "$(in_ct "$ct" cat "$AAFS/.ns_name")" "incus-${ct}_<var-lib-incus>"
	done
	run in_ct phx-unpriv cat /proc/self/uid_map
	assert_output --regexp '^ *0 +1000000 +'
}

@test "privileged Incus container: docker run --runtime=phoenix, labels, denial, reaped on rm" {
	nested_check phx-priv
}

@test "unprivileged Incus container: docker run --runtime=phoenix, labels, denial, reaped on rm" {
	in_ct phx-unpriv true || {
		cat "$BATS_FILE_TMPDIR/unpriv.err" >&2
		return 1
	}
	nested_check phx-unpriv
}
