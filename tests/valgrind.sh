#!/usr/bin/env bash
# Run phoenix's CLI bats suite and unit tests under valgrind's memcheck
# (make valgrind).
#
#   tests/valgrind.sh --phoenix BIN [--logs DIR] [--unit TEST...] [--] [BATS FILES...]
#
# phoenix is called through a wrapper (PHOENIX_BIN) that execs
#   valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
#            --error-exitcode=99 --trace-children=no
# so every invocation of every test runs under memcheck; the runtime
# phoenix execve's on pass-through runs natively (--trace-children=no).
# Each process writes its own log (DIR/phoenix.<pid>.log, quiet unless
# there is something to say); any error or definite/indirect leak in any
# of them fails the run, as does a failing test.  Without BATS FILES:
# every tests/bats/*.bats except profiles.bats (which needs the
# AppArmor tools and a kernel with AppArmor).  Each --unit binary runs
# under the same options.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$here")
phoenix='' logs='' units=()
usage() {
	echo "usage: $0 --phoenix BIN [--logs DIR] [--unit TEST...] [--] [BATS FILES...]" >&2
	exit 2
}
while (($#)); do
	case $1 in
	--phoenix) phoenix=$2; shift 2 ;;
	--logs) logs=$2; shift 2 ;;
	--unit)
		shift
		while (($#)) && [[ $1 != --* ]]; do
			units+=("$1")
			shift
		done
		;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[[ -n $phoenix ]] || usage
command -v valgrind >/dev/null || {
	echo "valgrind: not installed (apt-get install valgrind)" >&2
	exit 1
}
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }
phoenix=$(abs "$phoenix")
logs=${logs:-$(dirname "$phoenix")/valgrind}
rm -rf "$logs"
mkdir -p "$logs"
logs=$(cd "$logs" && pwd -P)

files=("$@")
if ((${#files[@]} == 0)); then
	for f in "$repo"/tests/bats/*.bats; do
		[[ $(basename "$f") == profiles.bats ]] || files+=("$f")
	done
fi

# shellcheck disable=SC2054 # valgrind's own option syntax uses commas
vg_opts=(--quiet --leak-check=full --errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=no
	--num-callers=30)

# The wrapper the tests call as phoenix.  It keeps phoenix's own exit
# statuses (valgrind passes them through) and adds 99 for memcheck errors.
wrapper=$logs/phoenix
{
	echo '#!/bin/bash' # bash, not dash: exported bash functions pass through
	printf 'exec %q' "$(command -v valgrind)"
	printf ' %q' "${vg_opts[@]}" "--log-file=$logs/phoenix.%p.log" "$phoenix"
	printf ' "$@"\n'
} >"$wrapper"
chmod +x "$wrapper"

status=0
# report GLOB: print the logs with something in them, fail when one has an
# error or a leak.  Memcheck's findings are `==PID==` lines; `--PID--` lines
# are valgrind's own notes, such as "unhandled amd64-linux syscall: 317"
# (seccomp(2), which libseccomp calls to learn the kernel's API level and
# valgrind 3.19 does not emulate), and so is the `==PID==` warning about
# ioctl 0xb702 (NS_GET_PARENT, the user-namespace level): shown, but not
# failures.
report() {
	local f found=0
	for f in $1; do
		[[ -s $f ]] || continue
		grep -v -e 'Warning: noted but unhandled ioctl' -e 'This could cause spurious value errors' \
			-e 'README_MISSING_SYSCALL_OR_IOCTL' "$f" | grep -q '^==[0-9]*==' && found=1
		echo "=== $f" >&2
		cat "$f" >&2
	done
	return "$found"
}

for t in "${units[@]}"; do
	name=$(basename "$t")
	echo "== valgrind $name" >&2
	if ! PHOENIX_UNDER_VALGRIND=1 valgrind "${vg_opts[@]}" --log-file="$logs/unit-$name.%p.log" "$t" \
		>"$logs/unit-$name.out" 2>&1; then
		echo "valgrind: unit test $name failed:" >&2
		tail -n 20 "$logs/unit-$name.out" >&2
		status=1
	fi
	report "$logs/unit-$name.*.log" || status=1
done

if ((${#files[@]} > 0)); then
	echo "== valgrind: bats ${files[*]##*/}" >&2
	if ! PHOENIX_BIN=$wrapper PHOENIX_SELF_BIN=$phoenix PHOENIX_UNDER_VALGRIND=1 bats "${files[@]}"; then
		echo "valgrind: the CLI suite failed under valgrind" >&2
		status=1
	fi
	report "$logs/phoenix.*.log" || status=1
fi

n=$(find "$logs" -name 'phoenix.*.log' | wc -l)
if ((status == 0)); then
	echo "valgrind: no errors and no leaks (${#units[@]} unit tests, $n phoenix processes)" >&2
else
	echo "valgrind: FAILED (logs in $logs)" >&2
fi
exit "$status"
