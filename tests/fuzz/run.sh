#!/usr/bin/env bash
# Run phoenix's libFuzzer targets (built by `make fuzz-build`).
#
#   tests/fuzz/run.sh [--build DIR] [--seconds N] TARGET...
#
# For each target: replay every input of tests/fuzz/regressions/TARGET/
# and of the seed corpus tests/fuzz/corpus/TARGET/ (each must pass), then
# fuzz for N seconds.  The working corpus grows in DIR/corpus/TARGET (kept
# between runs; the seed corpus is never written), crashes are written to
# DIR/artifacts/TARGET/.  A crash fails the run: copy the reported file
# into tests/fuzz/regressions/TARGET/ so that every later run replays it.
# Prints a Markdown summary: executions, exec/s, coverage, corpus size.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
build='build-fuzz'
seconds=25

usage() {
	echo "usage: $0 [--build DIR] [--seconds N] TARGET..." >&2
	exit 2
}

while (($#)); do
	case $1 in
	--build) (($# >= 2)) || usage; build=$2; shift 2 ;;
	--seconds) (($# >= 2)) || usage; seconds=$2; shift 2 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
(($# > 0)) || usage
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage

dict_for() {
	case $1 in
	spec | config) echo "$here/json.dict" ;;
	cli) echo "$here/cli.dict" ;;
	audit | relay) echo "$here/audit.dict" ;;
	*) echo "" ;;
	esac
}

# The inputs of a directory, without the README files that explain them.
inputs_of() {
	local dir=$1
	[[ -d $dir ]] || return 0
	find "$dir" -maxdepth 1 -type f ! -name 'README*' ! -name '.*' -print0 | sort -z
}

failed=0
summary=()
for target in "$@"; do
	bin=$build/fuzz_$target
	[[ -x $bin ]] || {
		echo "fuzz: $bin is missing (make fuzz-build)" >&2
		exit 1
	}
	work=$build/corpus/$target
	artifacts=$build/artifacts/$target
	mkdir -p "$work" "$artifacts"
	log=$build/$target.log

	# 1. regressions and seeds: every one must pass
	mapfile -d '' replay < <(inputs_of "$here/regressions/$target"; inputs_of "$here/corpus/$target")
	if ((${#replay[@]} > 0)); then
		if ! "$bin" -runs=1 "${replay[@]}" >"$log.replay" 2>&1; then
			echo "fuzz: $target: a regression or seed input fails:" >&2
			tail -n 40 "$log.replay" >&2
			failed=1
			summary+=("| $target | replay FAILED | | | | |")
			continue
		fi
	fi
	echo "== fuzz_$target: ${#replay[@]} regression and seed inputs pass; fuzzing ${seconds} s" >&2

	# 2. fuzz
	opts=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
		-artifact_prefix="$artifacts/" -max_len=16384)
	dict=$(dict_for "$target")
	[[ -z $dict ]] || opts+=(-dict="$dict")
	status=0
	"$bin" "${opts[@]}" "$work" "$here/corpus/$target" >"$log" 2>&1 || status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
	corpus=$(find "$work" -type f | wc -l)
	if ((status != 0)); then
		echo "fuzz: $target: crash (status $status); last lines of $log:" >&2
		tail -n 60 "$log" >&2
		grep -E 'Test unit written to|artifact_prefix' "$log" >&2 || true
		echo "fuzz: copy the input above into $here/regressions/$target/, fix the bug, run again" >&2
		failed=1
		summary+=("| $target | CRASH | ${execs:-?} | ${rate:-?} | ${cov:-?} | $corpus |")
		continue
	fi
	summary+=("| $target | ok | ${execs:-?} | ${rate:-?} | ${cov:-?} | $corpus |")
	echo "   ${execs:-?} executions, ${rate:-?} exec/s, ${cov:-?}, peak RSS ${rss:-?} MB" >&2
done

echo
echo "| target | result | executions | exec/s | coverage (edges, features) | corpus |"
echo "|---|---|---:|---:|---|---:|"
printf '%s\n' "${summary[@]}"
exit "$failed"
