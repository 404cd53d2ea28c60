# The nested scene shared by integration/demo.sh and
# integration/tests/phoenix-lxc.bats, run inside the integration VM: host
# profiles deployed by hooks/phoenix-host-profiles, LXC containers made by
# make-ct (configured by hooks/phoenix-lxc-config), containerd and dockerd
# inside them set up by hooks/phoenix-engine-setup, and a busybox image
# built from the VM's /bin/busybox (no registry).
#
# Source it from bash; it sets no shell options of its own.

SCENE_LXC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SCENE_REPO=$(cd "$SCENE_LXC/../.." && pwd -P)
SCENE_PHOENIX=${PHOENIX_BIN:-$SCENE_REPO/build/phoenix}
SCENE_AAFS=/sys/kernel/security/apparmor
SCENE_IMAGE=phx-bb
SCENE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Docker's client from the docker.io package (a newer CLI may sit in
# /usr/local/bin)
SCENE_DOCKER=/usr/bin/docker

# in_ct NAME COMMAND...: run COMMAND in LXC container NAME (lxc-attach: the
# container's namespaces, cgroup and AppArmor label), with a clean
# environment and a time limit.
in_ct() {
	local name=$1
	shift
	timeout -k 5 "${SCENE_TIMEOUT:-180}" lxc-attach -n "$name" --clear-env \
		--set-var "PATH=$SCENE_PATH" --set-var HOME=/root -- "$@"
}

# docker_in NAME ARGS...: Docker's client in container NAME.
docker_in() {
	local name=$1
	shift
	in_ct "$name" "$SCENE_DOCKER" "$@"
}

# scene_profiles NAME...: deploy the host profiles and load NAME... (all
# when none given).
scene_profiles() {
	local args=() p
	for p in "$@"; do args+=(--profile "$p"); done
	"$SCENE_REPO/hooks/phoenix-host-profiles" --load "${args[@]}"
}

# scene_ct NAME CONFIGS.json [MAKE-CT OPTION...]: create and start LXC
# container NAME (make-ct create, with the options given, e.g.
# --installed), wait until its init is ready.
scene_ct() {
	local name=$1 json=$2
	"$SCENE_LXC/make-ct" create "$name" "$json" "${@:3}" >&2 || return 1
	lxc-start -n "$name" -l INFO -o "/var/lib/lxc/$name/start.log" || {
		echo "lxc-start $name failed:" >&2
		grep -E 'ERROR|WARN' "/var/lib/lxc/$name/start.log" | tail -n 20 >&2
		return 1
	}
	for _ in $(seq 120); do
		in_ct "$name" test -e /run/ct-init.ready 2>/dev/null && return 0
		sleep 0.5
	done
	echo "container $name: init not ready" >&2
	return 1
}

# scene_ct_pid NAME: the host pid of container NAME's init.
scene_ct_pid() {
	lxc-info -n "$1" -p -H
}

# scene_engines NAME [ENGINE-SETUP ARGS...]: register phoenix with the
# engines in container NAME and start containerd and dockerd there (in the
# background; scene_engines_wait waits for them).
#
# Both start without lxc-attach's `container=lxc`, as a service manager
# starts them (systemd keeps PID 1's $container to itself): containerd 2's
# pkg/apparmor (vendored by Docker 28) reports no AppArmor when $container
# is set ("docker-in-docker", apparmor_linux.go hostSupports), and dockerd
# then writes no process.apparmorProfile at all, dropping
# --security-opt apparmor=... without a word.
scene_engines() {
	local name=$1
	shift
	in_ct "$name" "$SCENE_REPO/hooks/phoenix-engine-setup" --docker --containerd --podman \
		--phoenix "$SCENE_PHOENIX" "$@" >&2 || return 1
	in_ct "$name" sh -c 'unset container; containerd </dev/null >/var/log/containerd.log 2>&1 &'
}

# scene_dockerd NAME [default-network]: wait for containerd in NAME, then
# start dockerd there (in the background; scene_dockerd_wait waits for
# it).  dockerd runs without a network of its own (--bridge=none, no
# iptables) unless `default-network` asks for Docker's default
# configuration: the bridge docker0, iptables (iptables-nft on Debian)
# rules, published ports through NAT and docker-proxy.  The array
# SCENE_DOCKERD_ENV (VAR=VALUE words, default none) is added to dockerd's
# environment, as a unit's Environment= would.
scene_dockerd() {
	local name=$1 net=(--iptables=false --ip6tables=false --bridge=none)
	[[ ${2:-} != default-network ]] || net=()
	for _ in $(seq 240); do
		in_ct "$name" ctr --timeout 5s version >/dev/null 2>&1 && break
		sleep 0.5
	done
	in_ct "$name" ctr --timeout 5s version >/dev/null 2>&1 || {
		echo "containerd in $name did not come up:" >&2
		in_ct "$name" tail -n 20 /var/log/containerd.log >&2
		return 1
	}
	in_ct "$name" sh -c 'unset container; env "$@" </dev/null >/var/log/dockerd.log 2>&1 &' sh \
		${SCENE_DOCKERD_ENV[@]+"${SCENE_DOCKERD_ENV[@]}"} \
		dockerd --containerd=/run/containerd/containerd.sock ${net[@]+"${net[@]}"}
}

# scene_dockerd_wait NAME: wait until dockerd in NAME answers.
scene_dockerd_wait() {
	local name=$1
	for _ in $(seq 240); do
		docker_in "$name" version >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "dockerd in $name did not come up:" >&2
	in_ct "$name" tail -n 20 /var/log/dockerd.log >&2
	return 1
}

# scene_engines_wait NAME [default-network]: wait for containerd, start
# dockerd and wait for it.
scene_engines_wait() {
	scene_dockerd "$@" && scene_dockerd_wait "$1"
}

# scene_net_modules: load (on the VM, the LXC containers' host) the modules
# Docker's and Podman's default networks need: a container cannot load
# modules (the host profiles deny sys_module), and a module loaded on the
# host is what dockerd's own `modprobe` then finds.
scene_net_modules() {
	modprobe -a overlay bridge br_netfilter veth nf_tables nft_chain_nat nft_compat \
		nft_masq nf_nat nf_conntrack xt_MASQUERADE xt_addrtype xt_conntrack xt_nat \
		xt_tcpudp xt_comment xt_mark iptable_nat iptable_filter ip6table_nat ip6table_filter
}

# scene_image NAME: import a busybox image ($SCENE_IMAGE) into NAME's Docker
# (and, as bb:latest, into its containerd and Podman when asked with
# `all`).  The image has /phoenix-denied/secret, which phoenix-default
# refuses.
scene_image() {
	local name=$1 what=${2:-docker} dir a
	dir=$(mktemp -d /tmp/phx-image.XXXXXX)
	mkdir -p "$dir"/{bin,proc,sys,dev,etc,tmp,phoenix-denied}
	cp /bin/busybox "$dir/bin/busybox"
	for a in sh cat echo sleep ls id mkdir rmdir mount test true false head wc grep tr httpd wget ping; do
		ln -s busybox "$dir/bin/$a"
	done
	echo secret >"$dir/phoenix-denied/secret"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
	tar -C "$dir" -cf "$dir.tar" .
	docker_in "$name" import - "$SCENE_IMAGE" <"$dir.tar" >/dev/null || return 1
	if [[ $what == all ]]; then
		docker_in "$name" save "$SCENE_IMAGE" >"$dir.docker.tar" || return 1
		in_ct "$name" ctr image import - <"$dir.docker.tar" >/dev/null || return 1
		in_ct "$name" podman --cgroup-manager cgroupfs --events-backend file import - bb <"$dir.tar" >/dev/null || return 1
	fi
	rm -rf "$dir" "$dir.tar" "$dir.docker.tar"
}

# host_labels_below NS: "PID LABEL" of every task whose label has a member
# in a namespace below NS (seen from the host).
host_labels_below() {
	local f pid label
	for f in /proc/[0-9]*/attr/current; do
		pid=${f#/proc/}
		pid=${pid%%/*}
		label=''
		{ IFS= read -r label <"$f" || [[ -n $label ]]; } 2>/dev/null || continue
		case $label in
		*":$1//"*) printf '%s %s\n' "$pid" "$label" ;;
		esac
	done
}

# nested_ns CT-NS CONTAINER-ID: the namespace phoenix made for a container
# (below CT-NS), empty when there is none.
nested_ns() {
	local d
	for d in "$SCENE_AAFS/policy/namespaces/$1/namespaces"/phx-*; do
		[[ -d $d ]] || continue
		case ${d##*/} in
		*"-$2") printf '%s\n' "${d##*/}" ;;
		esac
	done
}

# host_label_of CT-NS CONTAINER-ID: the label (seen from the host) of the
# first task of that nested container.
host_label_of() {
	local ns
	ns=$(nested_ns "$1" "$2")
	[[ -n $ns ]] || return 1
	host_labels_below "$1" | grep -F -- ":$1//$ns:" | head -n 1 | cut -d' ' -f2-
}
