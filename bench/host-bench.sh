#!/usr/bin/env bash
# phoenix bench, on this machine: what phoenix adds to the commands it
# only hands to the runtime (pass-through), against the same commands run
# directly, measured in the same run and interleaved (bench_exec).
#
#   bench/host-bench.sh --phoenix BIN [--alt BIN] --noop BIN --bench-exec BIN \
#       [--rounds N] [--out DIR]
#
# A real container, created by runc under a temporary --root, answers
# `state` and `kill <id> 0`.  Variants of each command:
#   runc           the runtime directly (the baseline)
#   noop+runc      a static no-op execve'ing the runtime: the floor of any
#                  pass-through wrapper (one extra execve, no dynamic loader)
#   phoenix (L)    build/phoenix, L its linkage (static by default)
#   phoenix BIND_NOW  the same with LD_BIND_NOW=1 (every symbol bound at start)
#   phoenix (L)    --alt: the same sources linked the other way
# Prints a Markdown table; the raw figures go to DIR (default a temporary
# directory, removed).
set -euo pipefail

phoenix='' alt='' noop='' bench_exec='' rounds=300 out=''
usage() {
	echo "usage: $0 --phoenix BIN [--alt BIN] --noop BIN --bench-exec BIN [--rounds N] [--out DIR]" >&2
	exit 2
}
while (($#)); do
	case $1 in
	--phoenix) phoenix=$2; shift 2 ;;
	--alt) alt=$2; shift 2 ;;
	--noop) noop=$2; shift 2 ;;
	--bench-exec) bench_exec=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ -n $phoenix && -n $noop && -n $bench_exec ]] || usage
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }
phoenix=$(abs "$phoenix")
noop=$(abs "$noop")
bench_exec=$(abs "$bench_exec")
[[ -z $alt ]] || alt=$(abs "$alt")
runc=$(command -v runc) || {
	echo "host-bench: runc is not installed" >&2
	exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/phoenix-bench.XXXXXX")
keep_out=1
if [[ -z $out ]]; then
	out=$work/results
	keep_out=0
fi
mkdir -p "$out"
root=$work/runc-root
id=bench-host
# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
	"$runc" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
	if ((keep_out)); then
		rm -rf "$work/bundle" "$root"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# a busybox container that waits in `created`
bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
ln -s busybox "$bundle/rootfs/bin/sleep"
(cd "$bundle" && "$runc" spec)
jq '.process.terminal = false | .process.args = ["sleep", "100000"]' "$bundle/config.json" >"$bundle/c.json"
mv "$bundle/c.json" "$bundle/config.json"
"$runc" --root "$root" create --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1
[[ $("$runc" --root "$root" state "$id" | jq -r .status) == created ]]

# phoenix as deployed: a config file (all defaults), the runtime found on PATH
export PHOENIX_CONFIG=$work/phoenix.json
echo '{}' >"$PHOENIX_CONFIG"
unset PHOENIX_RUNTIME

linkage() { if file -L "$1" | grep -q 'statically linked'; then echo static; else echo dynamic; fi; }

# measure GROUP ARGS...: every variant runs `<binary> ARGS...`
measure() {
	local group=$1
	shift
	local spec=(runc "$runc" "$@" :: noop+runc "$noop" "$runc" "$@"
		:: "phoenix ($(linkage "$phoenix"))" "$phoenix" "$@")
	[[ -z $alt ]] || spec+=(:: "phoenix ($(linkage "$alt"))" "$alt" "$@")
	echo "host-bench: $group ($rounds rounds)" >&2
	"$bench_exec" -q -n "$rounds" -w 10 -r "$out/$group.raw.tsv" -- "${spec[@]}" |
		sed "s/^/$group\t/" >>"$out/host.tsv"
}

: >"$out/host.tsv"
measure state --root "$root" state "$id"
measure "kill 0" --root "$root" kill "$id" 0
measure --version --version
echo "host-bench: static no-op alone ($rounds rounds)" >&2
"$bench_exec" -q -n "$rounds" -w 10 -- "noop" "$noop" | sed 's/^/exec\t/' >>"$out/host.tsv"


ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
{
	echo "### Pass-through on this machine ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
	echo
	echo "$rounds rounds per command, variants interleaved (order rotated every round);"

	echo "wall times in ms; *added* is the median over the rounds of (variant − runc) in"
	echo "the same round, with its 10th–90th percentiles; *CPU added* the same for the"
	echo "CPU time (user + system) of the process, which competing load hardly moves."
	echo "build/phoenix is linked $(linkage "$phoenix")."
	echo
	echo "| command | variant | median | p10–p90 | added (median) | added p10…p90 | ratio | CPU | CPU added |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	rows=$(<"$out/host.tsv")
	while IFS=$'\t' read -r group name n med p10 p90 mad mean rss dmed dp10 dp90 cpu dcpu; do
		: "$n" "$mad" "$mean" "$rss"
		if [[ $group == exec ]]; then
			echo "| fork+exec | static no-op alone | $(ms "$med") | $(ms "$p10")–$(ms "$p90") | | | | $(ms "$cpu") | |"
			continue
		fi
		base=$(awk -F'\t' -v g="$group" '$1 == g && $2 == "runc" { print $4 }' <<<"$rows")
		ratio=$(awk -v a="$med" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
		if [[ $name == runc ]]; then
			echo "| \`$group\` | $name | $(ms "$med") | $(ms "$p10")–$(ms "$p90") | — | — | 1.00 | $(ms "$cpu") | — |"
		else
			echo "| \`$group\` | $name | $(ms "$med") | $(ms "$p10")–$(ms "$p90") | **$(ms "$dmed")** | $(ms "$dp10")…$(ms "$dp90") | $ratio | $(ms "$cpu") | $(ms "$dcpu") |"
		fi
	done <<<"$rows"
} | tee "$out/host.md"
