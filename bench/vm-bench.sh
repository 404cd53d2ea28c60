#!/usr/bin/env bash
# phoenix bench on a real AppArmor kernel: run inside the integration VM
# (bench/bench.mk does: integration/vm.sh -- bench/vm-bench.sh ...).
#
#   bench/vm-bench.sh --phoenix BIN --bench-aa BIN --bench-exec BIN --noop BIN
#       [--rounds N] [--traced N] [--cycles N|auto] [--cycle-budget SECONDS]
#       [--parallel N]
#
# Prints Markdown on stdout (the guest's files do not reach the host):
#  1. create + start + delete of a busybox container, through phoenix and
#     through runc directly, alternating (order swapped every round), each
#     step timed; then traced rounds (--debug), whose `timing:` records
#     break each of phoenix's commands down by step;
#  2. the floor, in the same VM: one fork+execve of a static no-op, the
#     namespace mkdir and rmdir and a cached profile load (bench_aa), and
#     phoenix's added time as a multiple of it;
#  3. the profile load from phoenix's compiled cache against compiling
#     and loading with apparmor_parser every time;
#  4. N create/delete cycles (`phoenix create` + `phoenix delete --force`;
#     with `--cycles auto` as many as fit in --cycle-budget seconds, at most
#     1000): namespaces left, phoenix's peak RSS, the kernel's memory;
#  5. --parallel containers started at once: all succeed, one namespace
#     each, none left after deleting them.
# Any failure of a command or an invariant exits non-zero.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$here")
phoenix='' bench_aa='' bench_exec='' noop=''
rounds=100 cycles=auto budget=300 parallel=64 traced=20
usage() {
	echo "usage: $0 --phoenix BIN --bench-aa BIN --bench-exec BIN --noop BIN [--rounds N]" \
		"[--traced N] [--cycles N|auto] [--cycle-budget SECONDS] [--parallel N]" >&2
	exit 2
}
while (($#)); do
	case $1 in
	--phoenix) phoenix=$2; shift 2 ;;
	--bench-aa) bench_aa=$2; shift 2 ;;
	--bench-exec) bench_exec=$2; shift 2 ;;
	--noop) noop=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--cycles) cycles=$2; shift 2 ;;
	--cycle-budget) budget=$2; shift 2 ;;
	--parallel) parallel=$2; shift 2 ;;
	--traced) traced=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ -n $phoenix && -n $bench_aa && -n $bench_exec && -n $noop ]] || usage
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }
phoenix=$(abs "$phoenix")
bench_aa=$(abs "$bench_aa")
bench_exec=$(abs "$bench_exec")
noop=$(abs "$noop")

AAFS=/sys/kernel/security/apparmor
[[ -d $AAFS/policy/namespaces ]] || {
	echo "vm-bench: no AppArmor here (run it in the integration VM)" >&2
	exit 1
}
runc=$(command -v runc)
say() { printf 'vm-bench: %s\n' "$*" >&2; }
trap 'echo "vm-bench: failed at line $LINENO" >&2' ERR

T=$(mktemp -d /tmp/phx-bench.XXXXXX)
ROOT=$T/runc-root
export PHOENIX_CONFIG=$T/phoenix.json
unset PHOENIX_RUNTIME
# the profiles on the guest's tmpfs, as an installed phoenix reads them
# from a local disk: through the checkout's 9p share every file access
# costs a round trip to the host, which would dominate the cache lookup
PROFILES=$T/share/profiles/container
mkdir -p "$PROFILES"
cp -R "$repo/profiles/container/." "$PROFILES/"
jq -n --arg p "$PROFILES" --arg t "$T" \
	'{profilesDir: $p, localProfilesDir: ($t + "/profiles"),
	  cacheDir: ($t + "/cache"), stateDir: ($t + "/state")}' >"$PHOENIX_CONFIG"
mkdir -p "$T/profiles"

# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
	local id
	for id in $("$runc" --root "$ROOT" list -q 2>/dev/null); do
		"$phoenix" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 ||
			"$runc" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT

# a busybox container that waits: one bundle for phoenix, which rewrites
# its config.json (process.apparmorProfile), one for runc
make_bundle() {
	local b=$1
	mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/sys"
	cp /bin/busybox "$b/rootfs/bin/busybox"
	ln -s busybox "$b/rootfs/bin/sleep"
	ln -s busybox "$b/rootfs/bin/sh"
	(cd "$b" && "$runc" spec)
	jq '.process.terminal = false | .process.args = ["sleep", "100000"]' "$b/config.json" >"$b/c.json"
	mv "$b/c.json" "$b/config.json"
}
B=$T/bundle-phoenix
make_bundle "$B"
make_bundle "$T/bundle-runc"

failed() { # failed WHAT LOG
	echo "vm-bench: $1 failed; the end of its --log:" >&2
	tail -n 5 "$2" >&2
	exit 1
}
phx_namespaces() { find "$AAFS/policy/namespaces" -mindepth 1 -maxdepth 1 -name 'phx-*' | wc -l; }
now() { echo "${EPOCHREALTIME/./}"; } # microseconds

# stats FILE: "median p10 p90" of the numbers in FILE (microseconds → ms)
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		split("50 10 90", p, " ")
		for (k = 1; k <= 3; k++) {
			pos = p[k] / 100 * (NR - 1) + 1; i = int(pos); f = pos - i
			x = (i >= NR) ? v[NR] : v[i] + f * (v[i + 1] - v[i])
			printf "%s%.1f", (k > 1 ? " " : ""), x / 1000
		}
		print ""
	}'
}
med() { stats "$1" | cut -d' ' -f1; }

# ---- 1. create + start + delete, phoenix against runc -------------------------
# Both get what containerd passes: --root, --log, --log-format json.
cycle() { # cycle VARIANT ID RESULT-PREFIX [--debug]
	local bin=$runc variant=$1 id=$2 res=$3 dbg=${4:-} bundle=$T/bundle-runc
	[[ $variant == runc ]] || bin=$phoenix bundle=$B
	local log=$T/log-$variant.json
	local g=(--root "$ROOT" --log "$log" --log-format json)
	[[ -z $dbg ]] || g+=(--debug)
	local t0 t1 t2 t3
	t0=$(now)
	"$bin" "${g[@]}" create --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1 || failed "$variant create" "$log"
	t1=$(now)
	"$bin" "${g[@]}" start "$id" </dev/null >/dev/null 2>&1 || failed "$variant start" "$log"
	t2=$(now)
	"$bin" "${g[@]}" delete --force "$id" </dev/null >/dev/null 2>&1 || failed "$variant delete" "$log"
	t3=$(now)
	echo $((t1 - t0)) >>"$res.create"
	echo $((t2 - t1)) >>"$res.start"
	echo $((t3 - t2)) >>"$res.delete"
	echo $((t3 - t0)) >>"$res.total"
}

say "warming up (first create compiles the profile into the cache)"
cycle phoenix warm "$T/warm"
cycle runc warm "$T/warm"
[[ $(phx_namespaces) == 0 ]] || {
	echo "vm-bench: a namespace was left after the warm-up" >&2
	exit 1
}

say "create+start+delete: $rounds rounds, phoenix and runc alternating"
for ((r = 0; r < rounds; r++)); do
	if ((r % 2 == 0)); then
		cycle phoenix "p$r" "$T/phoenix"
		cycle runc "r$r" "$T/runc"
	else
		cycle runc "r$r" "$T/runc"
		cycle phoenix "p$r" "$T/phoenix"
	fi
	[[ $(phx_namespaces) == 0 ]] || {
		echo "vm-bench: namespace left after round $r" >&2
		exit 1
	}
done
# per-round differences of the totals
paste "$T/phoenix.total" "$T/runc.total" | awk '{ print $1 - $2 }' >"$T/added.total"
for s in create start delete; do
	paste "$T/phoenix.$s" "$T/runc.$s" | awk '{ print $1 - $2 }' >"$T/added.$s"
done

# phoenix's own trace: each command broken down by step (timing.h); the
# trace's records cost a little, so these rounds are not in the table above
say "traced rounds (--debug)"
: >"$T/log-phoenix.json"
for ((r = 0; r < traced; r++)); do
	if ((r % 2 == 0)); then
		cycle phoenix "d$r" "$T/debug" --debug
		cycle runc "dr$r" "$T/debug-runc"
	else
		cycle runc "dr$r" "$T/debug-runc"
		cycle phoenix "d$r" "$T/debug" --debug
	fi
	# the same start and exit for the static no-op, from this shell
	for _ in 1 2 3; do
		t0=$(now)
		"$noop" --root "$ROOT" </dev/null >/dev/null 2>&1
		t1=$(now)
		echo $((t1 - t0)) >>"$T/noop.wall"
	done
done
# "phoenix: timing: create: parse 0.412 ms" → $T/step.create.parse (µs, one per round)
# phoenix's own steps, in the order it takes them (the runtime's run aside)
phoenix_steps=(startup parse choose probe lock record namespace load rewrite plan init-pid verify reap)
jq -r 'select(.level == "debug") | .msg' "$T/log-phoenix.json" |
	awk -v dir="$T" '$2 == "timing:" { c = $3; sub(":", "", c); print $5 * 1000 >> (dir "/step." c "." $4) }'
# the exec of phoenix itself and its exit: the command's time seen from
# outside minus phoenix's own total, round by round
for s in create start delete; do
	[[ -s $T/step.$s.total ]] || {
		echo "vm-bench: no timing records for $s in the --debug trace" >&2
		exit 1
	}
	paste "$T/debug.$s" "$T/step.$s.total" | awk '{ print $1 - $2 }' >"$T/step.$s.exec"
done

# ---- 2 + 3. the floor, and cache against parser --------------------------------
say "floor: mkdir, cached load, rmdir, static exec (bench_aa)"
"$bench_aa" --profiles "$PROFILES" --profile phoenix-default --cache "$T/cache" \
	--noop "$noop" --rounds $((rounds * 4)) --parser-rounds "$rounds" >"$T/aa.tsv"
aa() { awk -F'\t' -v s="$1" -v c="${2:-3}" '$1 == s { printf "%.2f", $c / 1000 }' "$T/aa.tsv"; }

# ---- 4. create/delete cycles ------------------------------------------------------
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
}
if [[ $cycles == auto ]]; then
	say "timing 5 create/delete cycles to size the run"
	t0=$(now)
	"$bench_exec" -q -s -n 5 -w 0 -- create "$phoenix" --root "$ROOT" create --bundle "$B" cyc \
		:: delete "$phoenix" --root "$ROOT" delete --force cyc >/dev/null
	t1=$(now)
	per=$(((t1 - t0) / 5))
	cycles=$((budget * 1000000 / per))
	((cycles <= 1000)) || cycles=1000
	((cycles >= 20)) || cycles=20
	say "one cycle ≈ $((per / 1000)) ms: running $cycles cycles (budget ${budget} s)"
fi
settle
avail0=$(meminfo MemAvailable) slab0=$(meminfo Slab) sunr0=$(meminfo SUnreclaim)
cyc0=$(now)
"$bench_exec" -q -s -n "$cycles" -w 0 -- create "$phoenix" --root "$ROOT" create --bundle "$B" cyc \
	:: delete "$phoenix" --root "$ROOT" delete --force cyc >"$T/cycles.tsv"
cyc1=$(now)
left=$(phx_namespaces)
settle
avail1=$(meminfo MemAvailable) slab1=$(meminfo Slab) sunr1=$(meminfo SUnreclaim)
# phoenix's own peak RSS: the same cycles with a static no-op as the
# runtime, so that the runtime's RSS does not mask phoenix's (wait4
# reports the larger of a process and its children)
PHOENIX_RUNTIME=$noop "$bench_exec" -q -s -n 20 -w 0 -- create "$phoenix" --root "$ROOT" create --bundle "$B" rss \
	:: delete "$phoenix" --root "$ROOT" delete --force rss >"$T/rss.tsv"
PHOENIX_RUNTIME=$noop "$bench_exec" -q -n 20 -w 0 -- state "$phoenix" --root "$ROOT" state rss \
	>"$T/rss-pass.tsv"
rss_create=$(awk -F'\t' '$1 == "create" { print $8 }' "$T/rss.tsv")
rss_delete=$(awk -F'\t' '$1 == "delete" { print $8 }' "$T/rss.tsv")
rss_pass=$(awk -F'\t' '$1 == "state" { print $8 }' "$T/rss-pass.tsv")
rss_runc=$(awk -F'\t' '$1 == "create" { print $8 }' "$T/cycles.tsv")
# the kernel's share of one container: its compiled policy as the kernel keeps it
"$phoenix" --root "$ROOT" create --bundle "$B" one </dev/null >/dev/null 2>&1
one_ns=$(find "$AAFS/policy/namespaces" -mindepth 1 -maxdepth 1 -name 'phx-*' | head -n 1)
raw=$(find "$one_ns/raw_data" -name raw_data -type f -exec stat -c %s {} + | awk '{ s += $1 } END { print s + 0 }')
"$phoenix" --root "$ROOT" delete --force one </dev/null >/dev/null 2>&1

# ---- 5. containers in parallel ----------------------------------------------------
say "$parallel containers started in parallel (run --detach)"
t0=$(now)
pids=()
for ((i = 0; i < parallel; i++)); do
	"$phoenix" --root "$ROOT" --log "$T/par-$i.log" --log-format json run --detach --bundle "$B" "par$i" \
		</dev/null >/dev/null 2>&1 &
	pids+=($!)
done
par_failed=0 par_errors=''
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" && continue
	par_failed=$((par_failed + 1))
	# what phoenix said, so that a failure under load can be told apart
	par_errors+="par$i: $(jq -r 'select(.level=="error") | .msg' "$T/par-$i.log" 2>/dev/null | tail -n 1)"$'\n'
done
t1=$(now)
[[ -z $par_errors ]] || printf 'failed parallel runs:\n%s' "$par_errors" >&2
par_ns=$(phx_namespaces)
par_live=$("$runc" --root "$ROOT" list -q | grep -c '^par' || true)
pids=()
for ((i = 0; i < parallel; i++)); do
	"$phoenix" --root "$ROOT" delete --force "par$i" </dev/null >/dev/null 2>&1 &
	pids+=($!)
done
del_failed=0
for p in "${pids[@]}"; do wait "$p" || del_failed=$((del_failed + 1)); done
t2=$(now)
par_left=$(phx_namespaces)
par_live_after=$("$runc" --root "$ROOT" list -q | grep -c '^par' || true)

# ---- report -------------------------------------------------------------------------
added=$(med "$T/added.total")
runc_total=$(med "$T/runc.total")
# The floor (README, "Benchmarks"): one extra exec of a static no-op per
# command phoenix handles (create, start, delete), plus the namespace and
# load work the kernel does: mkdir, the .replace write, rmdir.
exec1=$(aa exec)
floor=$(awk -v e="$exec1" -v m="$(aa mkdir)" -v k="$(aa kernel)" -v r="$(aa rmdir)" \
	'BEGIN { printf "%.2f", 3 * e + m + k + r }')
{
	echo "### AppArmor path (QEMU VM, Debian $(uname -r), $(nproc) vCPUs, accel ${PHOENIX_BENCH_ACCEL:-?})"
	echo
	echo "phoenix and runc rounds alternate so that noise from the machine hits both."
	echo "Times in ms, median and p10–p90."
	echo
	echo "#### create + start + delete of a busybox container ($rounds rounds each)"
	echo
	echo "| step | phoenix | runc | added by phoenix (median of per-round differences) |"
	echo "|---|---:|---:|---:|"
	for s in create start delete total; do
		printf '| %s | %s | %s | **%s** |\n' "$s" "$(med "$T/phoenix.$s")" "$(med "$T/runc.$s")" "$(med "$T/added.$s")"
	done
	echo
	echo "p10–p90 of the totals: phoenix $(stats "$T/phoenix.total" | awk '{ print $2 "–" $3 }'),"
	echo "runc $(stats "$T/runc.total" | awk '{ print $2 "–" $3 }'), added $(stats "$T/added.total" | awk '{ print $2 "–" $3 }')."
	echo "phoenix adds **$(awk -v a="$added" -v b="$runc_total" 'BEGIN { printf "%.1f", 100 * a / b }') %** to runc's cycle."
	echo
	echo "#### Where it goes: the floor, measured in the same VM"
	echo
	echo "| work | median | p10–p90 |"
	echo "|---|---:|---:|"
	for s in exec onexec mkdir load lookup kernel rmdir; do
		case $s in
		exec) label="fork+execve of a static no-op" ;;
		onexec) label="… with the transition written before the execve (into the namespace)" ;;
		mkdir) label="namespace mkdir" ;;
		load) label="cached profile load (ph_aa_policy_load_profile)" ;;
		lookup) label="… of which cache key + read" ;;
		kernel) label="… of which the kernel's .replace write" ;;
		rmdir) label="namespace rmdir" ;;
		esac
		printf '| %s | %s | %s–%s |\n' "$label" "$(aa "$s")" "$(aa "$s" 4)" "$(aa "$s" 5)"
	done
	printf '| **floor**: 3 × exec + mkdir + .replace write + rmdir | **%s** | |\n' "$floor"
	echo
	echo "phoenix's added time per cycle: **$added ms** = **$(awk -v a="$added" -v f="$floor" 'BEGIN { printf "%.2f", a / f }')×** the floor"
	echo "(target ≤ 1.25×)."
	echo
	echo "#### Where it goes: phoenix's commands by step ($traced traced rounds, --debug)"
	echo
	echo "Median ms of each step as phoenix's \`timing:\` trace records report it (lib/timing.h);"
	echo "\"exec of phoenix + exit\" is the command's time seen from outside minus phoenix's total."
	echo
	echo "| step | create | start | delete |"
	echo "|---|---:|---:|---:|"
	for st in exec "${phoenix_steps[@]}" runtime total; do
		case $st in
		exec) label="exec of phoenix + exit" ;;
		startup) label="startup: command line, config, runtime lookup" ;;
		parse) label="parse config.json" ;;
		choose) label="choose the profile; caps and seccomp checks" ;;
		probe) label="probe AppArmor (securityfs, label, stacking)" ;;
		lock) label="namespace name, state directory, lock" ;;
		record) label="state record (create: fsync'd write; others: read)" ;;
		namespace) label="namespace mkdir" ;;
		load) label="profile load (cache)" ;;
		rewrite) label="rewrite config.json (apparmorProfile, hook)" ;;
		plan) label="plan the transition" ;;
		runtime) label="runtime: fork, transition write, runc's own work" ;;
		init-pid) label="record the init pid" ;;
		verify) label="label check of the started process" ;;
		reap) label="namespace rmdir, record removed" ;;
		total) label="**total inside phoenix**" ;;
		esac
		row="| $label"
		for s in create start delete; do
			if [[ -s $T/step.$s.$st ]]; then row+=" | $(med "$T/step.$s.$st")"; else row+=" | –"; fi
		done
		echo "$row |"
	done
	row="| a static no-op run from this shell (fork, execve, exit, wait: compare with the first row)"
	for s in create start delete; do row+=" | $(med "$T/noop.wall")"; done
	echo "$row |"
	row="| runc alone, in the same rounds"
	for s in create start delete; do row+=" | $(med "$T/debug-runc.$s")"; done
	echo "$row |"
	echo
	echo "The added time put together from these medians (ms).  The shell's fork and exec of"
	echo "phoenix stand in for its fork and exec of runc, so phoenix's part is: its start and exit"
	echo "beyond a static no-op's, its steps (the sum of the medians above but the runtime's run:"
	echo "the trace's own records are left out), and one fork and exec of a small process with"
	echo "the transition written first (bench_aa's onexec)."
	echo
	echo "| part | create | start | delete | cycle |"
	echo "|---|---:|---:|---:|---:|"
	nw=$(med "$T/noop.wall")
	onexec=$(aa onexec)
	for s in create start delete; do
		: >"$T/steps.$s"
		for st in "${phoenix_steps[@]}"; do
			[[ ! -s $T/step.$s.$st ]] || med "$T/step.$s.$st" >>"$T/steps.$s"
		done
		awk '{ s += $1 } END { printf "%.1f\n", s }' "$T/steps.$s" >"$T/steps.$s.sum"
	done
	# compose LABEL EXPR: EXPR of the medians e (exec of phoenix + exit), t (total),
	# p (sum of phoenix's steps), r (runtime), n (no-op from the shell), o (bench_aa's onexec)
	compose() {
		local label=$1 expr=$2 s vals=() sum=0 v
		for s in create start delete; do
			v=$(awk -v e="$(med "$T/step.$s.exec")" -v t="$(med "$T/step.$s.total")" \
				-v p="$(cat "$T/steps.$s.sum")" -v r="$(med "$T/step.$s.runtime")" -v n="$nw" -v o="$onexec" \
				"BEGIN { printf \"%.1f\", $expr }")
			vals+=("$v")
			sum=$(awk -v x="$sum" -v y="$v" 'BEGIN { printf "%.1f", x + y }')
		done
		echo "| $label | ${vals[0]} | ${vals[1]} | ${vals[2]} | $sum |"
		composed=$sum
	}
	compose "(the trace's own records, left out: total − steps − runtime)" "t - p - r"
	compose "phoenix's start and exit beyond a static no-op's" "e - n"
	compose "phoenix's steps (sum of the medians above, the runtime's run left out)" "p"
	compose "one fork and exec of a small process, with the transition (bench_aa)" "o"
	compose "**phoenix's part**" "e - n + p + o"
	echo
	echo "Put together this way phoenix adds **$composed ms** per cycle = **$(awk -v a="$composed" -v f="$floor" 'BEGIN { printf "%.2f", a / f }')×** the floor"
	echo "(measured directly above: $added ms); the difference is runc's own run, which varies by"
	echo "tens of ms from round to round."
	echo
	echo "#### Profile load: phoenix's compiled cache against apparmor_parser every time"
	echo
	echo "| way | median | p10–p90 |"
	echo "|---|---:|---:|"
	printf '| cache (ph_aa_policy_load_profile, %s rounds) | %s | %s–%s |\n' "$(awk -F'\t' '$1 == "load" { print $2 }' "$T/aa.tsv")" "$(aa load)" "$(aa load 4)" "$(aa load 5)"
	printf '| %s (%s rounds) | %s | %s–%s |\n' "\`apparmor_parser -r -T -n NS\`" "$(awk -F'\t' '$1 == "parser" { print $2 }' "$T/aa.tsv")" "$(aa parser)" "$(aa parser 4)" "$(aa parser 5)"
	echo
	echo "The cache is **$(awk -v p="$(aa parser)" -v l="$(aa load)" 'BEGIN { printf "%.0f", p / l }')×** faster (target ≥ 50×)."
	echo
	echo "#### $cycles create/delete cycles (\`phoenix create\` + \`phoenix delete --force\`)"
	echo
	echo "| measure | value |"
	echo "|---|---|"
	echo "| cycles | $cycles in $(((cyc1 - cyc0) / 1000000)) s (median create $(awk -F'\t' '$1 == "create" { printf "%.1f", $3 / 1000 }' "$T/cycles.tsv") ms, delete $(awk -F'\t' '$1 == "delete" { printf "%.1f", $3 / 1000 }' "$T/cycles.tsv") ms) |"
	echo "| phoenix namespaces left | **$left** |"
	echo "| peak RSS of phoenix create / delete (runtime: a static no-op) | $rss_create / $rss_delete KiB |"
	echo "| peak RSS of phoenix \`state\` (pass-through; execve keeps the high-water mark) | $rss_pass KiB |"
	echo "| peak RSS of phoenix + runc create (wait4: the larger) | $rss_runc KiB |"
	echo "| MemAvailable before → after (caches dropped) | $avail0 → $avail1 kB ($((avail1 - avail0)) kB) |"
	echo "| Slab before → after | $slab0 → $slab1 kB ($((slab1 - slab0)) kB) |"
	echo "| SUnreclaim before → after | $sunr0 → $sunr1 kB ($((sunr1 - sunr0)) kB) |"
	echo "| one live container's policy as the kernel keeps it (sum of raw_data) | $raw bytes |"
	echo
	echo "#### $parallel containers started in parallel (\`phoenix run --detach\`)"
	echo
	echo "| measure | value |"
	echo "|---|---|"
	echo "| failed runs | **$par_failed** of $parallel ($(((t1 - t0) / 1000)) ms for all) |"
	[[ -z $par_errors ]] || echo "| errors | $(printf '%s' "$par_errors" | tr '\n|' ';/') |"
	echo "| phoenix namespaces / live containers | $par_ns / $par_live |"
	echo "| failed deletes | $del_failed ($(((t2 - t1) / 1000)) ms for all) |"
	echo "| namespaces / containers left after deleting | **$par_left** / $par_live_after |"
} | tee "$T/vm.md"

status=0
[[ $left == 0 ]] || status=1
[[ $par_failed == 0 && $del_failed == 0 && $par_ns == "$parallel" && $par_live == "$parallel" && $par_left == 0 ]] || status=1
((status == 0)) || echo "vm-bench: an invariant failed (see the tables)" >&2
exit "$status"
