#!/usr/bin/env bash
# What a user feels: `docker run` inside LXC container 951 (under the host
# profile lxc-gpu-docker-storage, in a policy namespace of its own) through
# phoenix and through the release's own runc, in the same run, alternating.
# Run inside the integration VM as root (bench/bench.sh does:
# integration/vm.sh -- bench/lxc-bench.sh ...; PHOENIX_RELEASE picks the
# guest, its kernel and its Docker, runc and LXC).
#
#   bench/lxc-bench.sh [--rounds N]
#
# Each round times `docker run --rm --network none IMAGE true` once with
# --runtime=phoenix and once with --runtime=runc, the order swapped every
# round; one warm-up run of each is not counted.  Before timing, one
# phoenix run must carry phoenix-default's label and one runc run must not
# (so the two rows time what they claim).  Prints Markdown on stdout.
# Nothing passes or fails on speed: only a failed command fails the run.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$here")
rounds=20
usage() {
	echo "usage: $0 [--rounds N]" >&2
	exit 2
}
while (($#)); do
	case $1 in
	--rounds) (($# >= 2)) || usage; rounds=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage
[[ -d /sys/kernel/security/apparmor/policy/namespaces ]] || {
	echo "lxc-bench: no AppArmor here (run it in the integration VM)" >&2
	exit 1
}

# shellcheck source=integration/lxc/scene.bash
. "$repo/integration/lxc/scene.bash"

CT=951
HOSTP=lxc-gpu-docker-storage
cleanup() {
	lxc-stop -n "$CT" -k >/dev/null 2>&1 || true
}
trap cleanup EXIT

fail() {
	echo "lxc-bench: $*" >&2
	exit 1
}

scene_profiles "$HOSTP" >/dev/null || fail "the host profiles did not load"
scene_ct "$CT" "$repo/integration/lxc/demo-configs.json" 2>/dev/null || fail "LXC container $CT did not start"
scene_engines "$CT" 2>/dev/null || fail "phoenix-engine-setup failed in $CT"
scene_engines_wait "$CT" || fail "the engines did not start in $CT"
scene_image "$CT" || fail "the image import failed"

run_label() {
	docker_in "$CT" run --rm --runtime="$1" --network none "$SCENE_IMAGE" cat /proc/self/attr/current
}
label=$(run_label phoenix) || fail "docker run --runtime=phoenix failed"
[[ $label == "phoenix-default (enforce)" ]] || fail "--runtime=phoenix ran under \`$label'"
label=$(run_label runc) || fail "docker run --runtime=runc failed"
[[ $label != phoenix-default* ]] || fail "--runtime=runc ran under phoenix's profile"
runc_label=$label

# one_run RUNTIME: the milliseconds of one `docker run ... true`
one_run() {
	local t0=$EPOCHREALTIME
	docker_in "$CT" run --rm --runtime="$1" --network none "$SCENE_IMAGE" true >/dev/null ||
		fail "docker run --runtime=$1 failed"
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}
one_run phoenix >/dev/null
one_run runc >/dev/null
: >/tmp/lxc-bench.phoenix
: >/tmp/lxc-bench.runc
for ((i = 0; i < rounds; i++)); do
	if ((i % 2 == 0)); then order=(phoenix runc); else order=(runc phoenix); fi
	for rt in "${order[@]}"; do one_run "$rt" >>"/tmp/lxc-bench.$rt"; done
done

# stats FILE: "median p90" of the numbers in FILE
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		p = v[int(NR * 0.9 + 0.999)]
		printf "%.1f %.1f\n", m, p }'
}
read -r pm pp < <(stats /tmp/lxc-bench.phoenix)
read -r rm_ rp < <(stats /tmp/lxc-bench.runc)

# shellcheck disable=SC1091 # the guest's own
release=$(. /etc/os-release && echo "${PRETTY_NAME:-$ID}")
echo "### \`docker run\` inside LXC container $CT ($release)"
echo
echo "Kernel $(uname -r); $(docker_in "$CT" version --format 'Docker {{.Server.Version}}'); $(in_ct "$CT" runc --version | head -n 1);" \
	"$(lxc-start --version | sed 's/^/LXC /'); $rounds rounds, alternating; the runc run's label: \`$runc_label\`."
echo
echo '| `docker run --rm --network none busybox true` | median | p90 |'
echo '|---|---:|---:|'
echo "| \`--runtime=runc\` | $rm_ ms | $rp ms |"
echo "| \`--runtime=phoenix\` | $pm ms | $pp ms |"
awk -v p="$pm" -v r="$rm_" 'BEGIN { printf "| phoenix / runc | %.2f | |\n| added by phoenix | %.1f ms | |\n", p / r, p - r }'
