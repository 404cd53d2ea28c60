#!/usr/bin/env bash
# phoenix's demonstration on a real AppArmor kernel (`make demo`).
#
#   integration/demo.sh            boot the integration VM and run the demo in it
#   integration/demo.sh --guest    the demo itself (inside the VM, as root)
#
# In the VM (Debian's kernel, AppArmor enforcing): deploy the host profiles,
# make an LXC container "951" whose root filesystem is an overlay of the
# VM's own / (no download), configure it from a phoenix_lxc_configs.json
# entry (hardened profile lxc-gpu-docker-storage, in a policy namespace of
# its own), start it, start containerd and dockerd inside with phoenix
# registered, import a busybox image built from /bin/busybox, run a nested
# container with --runtime=phoenix, and show its label from inside and from
# the host, a denial by its own profile and one by the host profile (with
# the kernel's audit lines), the namespace tree, `docker exec`, an attempt
# to reach the host's root policy namespace, and the clean-up.  Every step
# is timed; the demo exits non-zero at the first step that fails (it is
# also a smoke test).
#
# Environment: PHOENIX_RELEASE (bookworm, trixie or sid: the guest and its
# kernel, see vm.sh), PHOENIX_DEMO_TIMEOUT (seconds for the VM, default
# 600) and everything integration/vm.sh reads.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$here")

if [[ ${1:-} != --guest ]]; then
	(($# == 0)) || {
		echo "usage: $0 [--guest]" >&2
		exit 2
	}
	[[ -x $repo/build/phoenix ]] || {
		echo "demo: build/phoenix is missing: run make first" >&2
		exit 2
	}
	start=$EPOCHREALTIME
	"$here/fetch-kernel.sh"
	if [[ ${PHOENIX_RELEASE:-bookworm} != bookworm ]]; then
		"$here/guest-root.sh" "$PHOENIX_RELEASE" >/dev/null
	fi
	cd "$repo"
	status=0
	"$here/vm.sh" --timeout "${PHOENIX_DEMO_TIMEOUT:-600}" -- "$here/demo.sh" --guest || status=$?
	end=$EPOCHREALTIME
	printf 'demo (%s): %s after %.1f s (VM boot included)\n' "${PHOENIX_RELEASE:-bookworm}" \
		"$( ((status == 0)) && echo PASSED || echo "FAILED (status $status)")" \
		"$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
	exit "$status"
fi

# ---------------------------------------------------------------- in the VM
# shellcheck source=integration/lxc/scene.bash
. "$here/lxc/scene.bash"

CT=951
CTNS=ct-$CT
HOSTP=lxc-gpu-docker-storage
# the container's own copy of the template (hooks/phoenix-lxc-config)
CTP=$HOSTP.$CT
t0=$EPOCHREALTIME
step_t=$t0
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%6.1f", b - a }'; }
step() {
	printf '\n[%ss] == %s\n' "$(elapsed "$t0")" "$*"
	step_t=$EPOCHREALTIME
}
done_in() { printf '   (%ss)\n' "$(elapsed "$step_t")"; }
show() { sed 's/^/   | /'; }
fail() {
	printf '\ndemo: FAILED: %s\n' "$*" >&2
	exit 1
}
cleanup() {
	lxc-stop -n "$CT" -k >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "kernel $(uname -r), LSMs $(cat /sys/kernel/security/lsm)"
printf '   AppArmor enabled: %s; phoenix %s\n' "$(cat /sys/module/apparmor/parameters/enabled)" \
	"$("$SCENE_PHOENIX" --version | sed -n 's/^phoenix version //p')"

step "deploy the host profiles (hooks/phoenix-host-profiles --load), twice"
scene_profiles "$HOSTP" | grep -E 'loaded|installed  [^a]|changed' | show || fail "host profiles"
scene_profiles "$HOSTP" | tail -n 1 | show || fail "host profiles (second run)"
grep -x "$HOSTP (enforce)" "$SCENE_AAFS/profiles" | show || fail "$HOSTP is not loaded"
done_in

step "LXC container $CT from phoenix_lxc_configs.json (hooks/phoenix-lxc-config --apply)"
jq -c ".lxc_configs[\"$CT\"]" "$here/lxc/demo-configs.json" | show
scene_ct "$CT" "$here/lxc/demo-configs.json" 2>/dev/null || fail "LXC container $CT did not start"
sed -n '/^# BEGIN phoenix/,/^# END phoenix/p' "/var/lib/lxc/$CT/config" | show
ctpid=$(scene_ct_pid "$CT")
printf '   init (pid %s) seen from the host: %s\n' "$ctpid" "$(cat "/proc/$ctpid/attr/current")"
printf '   inside: label %s, AppArmor namespace %s (level %s)\n' \
	"$(in_ct "$CT" cat /proc/self/attr/current)" "$(in_ct "$CT" cat "$SCENE_AAFS/.ns_name")" \
	"$(in_ct "$CT" cat "$SCENE_AAFS/.ns_level")"
[[ $(cat "/proc/$ctpid/attr/current") == "$CTP//&:$CTNS:unconfined (enforce)" ]] ||
	fail "the LXC container does not run as $CTP//&:$CTNS:unconfined"
done_in

step "containerd and dockerd inside, phoenix registered (hooks/phoenix-engine-setup)"
scene_engines "$CT" 2>&1 | show
scene_engines_wait "$CT" || fail "the engines did not start"
in_ct "$CT" jq -c . /etc/docker/daemon.json | show
# shellcheck disable=SC2016 # a Go template
printf '   docker info: runtimes %s\n' "$(docker_in "$CT" info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}')"
printf "   dockerd loaded docker-default into the container's namespace: %s\n" \
	"$(in_ct "$CT" cat "$SCENE_AAFS/profiles" | tr '\n' ' ')"
done_in

step "busybox image from the VM's /bin/busybox (docker import, no registry)"
scene_image "$CT" || fail "docker import"
docker_in "$CT" images "$SCENE_IMAGE" --format '{{.Repository}} {{.ID}} {{.Size}}' | show
done_in

step "docker run --runtime=phoenix (a volume on /mnt/shared/private, which $HOSTP refuses)"
in_ct "$CT" sh -c 'mkdir -p /srv/private && echo secret >/srv/private/secret'
cid=$(docker_in "$CT" run -d --runtime=phoenix --network none -v /srv/private:/mnt/shared/private \
	"$SCENE_IMAGE" sh -c 'trap "exit 0" TERM; cat /proc/self/attr/current >/label;
	while :; do sleep 1 & wait $!; done') || fail "docker run --runtime=phoenix"
printf '   container %s\n' "${cid:0:12}"
for _ in $(seq 50); do
	docker_in "$CT" exec "$cid" test -s /label 2>/dev/null && break
	sleep 0.2
done
inside=$(docker_in "$CT" exec "$cid" cat /label) || fail "no label from inside"
hostl=$(host_label_of "$CTNS" "$cid") || fail "no nested task seen from the host"
ns=$(nested_ns "$CTNS" "$cid")
printf '   label inside the nested container: %s\n' "$inside"
printf '   the same task seen from the host:   %s\n' "$hostl"
[[ $inside == "phoenix-default (enforce)" ]] || fail "inside label is not phoenix-default (enforce)"
[[ $hostl == "$CTP//&:$CTNS//$ns:phoenix-default (enforce)" ]] || fail "unexpected host label"
done_in

step "denials: by the container's profile, and by the host profile"
dmesg_mark=$(dmesg | wc -l)
out=$(docker_in "$CT" exec "$cid" cat /phoenix-denied/secret 2>&1) && fail "phoenix-default allowed /phoenix-denied/secret"
printf '   cat /phoenix-denied/secret (phoenix-default refuses): %s\n' "$out"
[[ $out == *"Permission denied"* ]] || fail "not a denial: $out"
out=$(docker_in "$CT" exec "$cid" cat /mnt/shared/private/secret 2>&1) && fail "$HOSTP allowed /mnt/shared/private/secret"
printf '   cat /mnt/shared/private/secret (%s refuses, phoenix-default would allow): %s\n' "$HOSTP" "$out"
[[ $out == *"Permission denied"* ]] || fail "not a denial: $out"
sleep 0.5
echo "   the kernel's audit lines:"
dmesg | tail -n +"$((dmesg_mark + 1))" | grep 'apparmor="DENIED"' | grep -E 'phoenix-denied|mnt/shared/private' | show
dmesg | tail -n +"$((dmesg_mark + 1))" | grep 'apparmor="DENIED"' | grep -q "profile=\"$CTP\" name=\"/mnt/shared/private/secret\"" ||
	fail "no audit line from $HOSTP"
dmesg | tail -n +"$((dmesg_mark + 1))" | grep 'apparmor="DENIED"' | grep -q "profile=\":$CTNS//$ns:phoenix-default\" name=\"/phoenix-denied/secret\"" ||
	dmesg | tail -n +"$((dmesg_mark + 1))" | grep 'apparmor="DENIED"' | grep -q "name=\"/phoenix-denied/secret\"" ||
	fail "no audit line from phoenix-default"
done_in

step "docker exec gets the same label"
ex=$(docker_in "$CT" exec "$cid" cat /proc/self/attr/current 2>&1) || fail "docker exec (status $?): $ex"
printf '   docker exec … cat /proc/self/attr/current: %s\n' "$ex"
[[ $ex == "phoenix-default (enforce)" ]] || fail "docker exec label"
done_in

step "the policy namespace tree (from the host)"
find "$SCENE_AAFS/policy/namespaces" -maxdepth 4 \( -name 'ct-*' -o -name 'phx-*' \) | sed "s|$SCENE_AAFS/policy/||" | show
printf '   profiles: %s\n' "$(grep -E "^:$CTNS" "$SCENE_AAFS/profiles" | tr '\n' ' ')"
done_in

step "the LXC container cannot reach the host's root namespace"
dmesg_mark=$(dmesg | wc -l)
out=$(in_ct "$CT" mkdir "$SCENE_AAFS/policy/../escape" 2>&1) && fail "mkdir next to the container's namespace succeeded"
printf '   mkdir policy/../escape: %s\n' "$out"
out=$(in_ct "$CT" rmdir "$SCENE_AAFS/policy/../$CTNS" 2>&1) && fail "rmdir of the container's own namespace succeeded"
printf '   rmdir policy/../%s: %s\n' "$CTNS" "$out"
out=$(in_ct "$CT" sh -c "cat $SCENE_AAFS/policy/../../profiles >/dev/null; echo x >$SCENE_AAFS/policy/../../.replace" 2>&1) &&
	fail "a write to the root namespace's .replace succeeded"
printf '   write policy/../../.replace: %s\n' "$out"
sleep 0.5
dmesg | tail -n +"$((dmesg_mark + 1))" | grep 'apparmor="DENIED"' | show
[[ -d $SCENE_AAFS/policy/namespaces/$CTNS && ! -e $SCENE_AAFS/policy/namespaces/escape ]] ||
	fail "the root namespace changed"
done_in

step "docker rm removes the nested namespace; lxc-stop removes the container's"
docker_in "$CT" stop -t 10 "$cid" >/dev/null || fail "docker stop"
docker_in "$CT" rm "$cid" >/dev/null || fail "docker rm"
[[ -z $(nested_ns "$CTNS" "$cid") ]] || fail "namespace $ns is still there after docker rm"
printf '   after docker rm: no phx-* namespace below %s\n' "$CTNS"
lxc-stop -n "$CT" -t 20 || fail "lxc-stop"
[[ ! -d $SCENE_AAFS/policy/namespaces/$CTNS ]] || fail "namespace $CTNS is still there after lxc-stop"
printf '   after lxc-stop: %s is gone\n' "$CTNS"
done_in

printf '\n[%ss] demo complete\n' "$(elapsed "$t0")"
