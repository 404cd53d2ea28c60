#!/usr/bin/env bash
# phoenix bench driver (make bench): the pass-through part on this machine
# (host-bench.sh), then the AppArmor part in the integration VM
# (vm-bench.sh through integration/vm.sh) and `docker run` inside an LXC
# container (lxc-bench.sh, another VM); prints the Markdown of all
# and writes it to --out.
#
#   bench/bench.sh --build DIR --tools DIR [--alt BIN] [--host-rounds N]
#       [--vm-rounds N] [--cycles N|auto] [--cycle-budget S] [--parallel N]
#       [--vm-timeout S] [--lxc-rounds N] [--out FILE] [--no-host] [--no-vm]
#
# --vm-rounds 0 leaves out the AppArmor part, --lxc-rounds 0 the `docker
# run` part inside LXC container 951 (bench/lxc-bench.sh, a VM of its own).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$here")
build=build tools=build-bench alt='' host_rounds=300 vm_rounds=100 cycles=auto budget=300
parallel=64 vm_timeout=2400 out='' do_host=1 do_vm=1 lxc_rounds=20
usage() {
	sed -n '2,10p' "${BASH_SOURCE[0]}" >&2
	exit 2
}
while (($#)); do
	case $1 in
	--build) build=$2; shift 2 ;;
	--tools) tools=$2; shift 2 ;;
	--alt) alt=$2; shift 2 ;;
	--host-rounds) host_rounds=$2; shift 2 ;;
	--vm-rounds) vm_rounds=$2; shift 2 ;;
	--cycles) cycles=$2; shift 2 ;;
	--cycle-budget) budget=$2; shift 2 ;;
	--parallel) parallel=$2; shift 2 ;;
	--vm-timeout) vm_timeout=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--no-host) do_host=0; shift ;;
	--no-vm) do_vm=0; shift ;;
	--lxc-rounds) lxc_rounds=$2; shift 2 ;;
	*) usage ;;
	esac
done
cd "$repo"
work=$(mktemp -d "${TMPDIR:-/tmp}/phoenix-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

status=0
{
	echo "## phoenix benchmarks"
	echo
	echo "Run on $(date -u +%Y-%m-%d) by \`make bench\` (phoenix $(git describe --always --dirty 2>/dev/null || echo '?'))."
	echo
} >"$work/results.md"

if ((do_host)); then
	args=(--phoenix "$build/phoenix" --noop "$tools/noop" --bench-exec "$tools/bench_exec"
		--rounds "$host_rounds" --out "$work/host")
	[[ -z $alt || ! -x $alt ]] || args+=(--alt "$alt")
	if bench/host-bench.sh "${args[@]}" >/dev/null; then
		cat "$work/host/host.md" >>"$work/results.md"
		echo >>"$work/results.md"
	else
		echo "bench: the pass-through benchmark failed" >&2
		status=1
	fi
fi

if ((do_vm)); then
	integration/fetch-kernel.sh >&2
	accel=${PHOENIX_VM_ACCEL:-}
	if [[ -z $accel ]]; then
		accel=tcg
		if grep -qwE 'vmx|svm' /proc/cpuinfo && [[ -w /dev/kvm ]]; then accel=kvm; fi
	fi
	if ((vm_rounds == 0)); then
		: # the AppArmor part not asked for (make bench-lxc)
	elif PHOENIX_BENCH_ACCEL=$accel integration/vm.sh --timeout "$vm_timeout" -- \
		bench/vm-bench.sh --phoenix "$build/phoenix" --bench-aa "$tools/bench_aa" \
		--bench-exec "$tools/bench_exec" --noop "$tools/noop" --rounds "$vm_rounds" \
		--cycles "$cycles" --cycle-budget "$budget" --parallel "$parallel" >"$work/vm.md"; then
		cat "$work/vm.md" >>"$work/results.md"
	else
		echo "bench: the VM benchmark failed; what it printed:" >&2
		cat "$work/vm.md" >&2
		status=1
	fi
fi

# `docker run` inside LXC container 951, in a VM of its own (0 rounds: not run)
if ((do_vm && lxc_rounds > 0)); then
	if PHOENIX_BENCH_ACCEL=$accel integration/vm.sh --timeout "$vm_timeout" -- \
		bench/lxc-bench.sh --rounds "$lxc_rounds" >"$work/lxc.md"; then
		{ echo; cat "$work/lxc.md"; } >>"$work/results.md"
	else
		echo "bench: the docker run benchmark in LXC failed; what it printed:" >&2
		cat "$work/lxc.md" >&2
		status=1
	fi
fi

cat "$work/results.md"
if [[ -n $out ]]; then
	mkdir -p "$(dirname "$out")"
	cp "$work/results.md" "$out"
	echo "bench: written to $out" >&2
fi
exit "$status"
