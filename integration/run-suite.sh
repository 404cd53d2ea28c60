#!/usr/bin/env bash
# Run bats tests inside the integration VM, on a real AppArmor kernel.
#
#   integration/run-suite.sh [BATS FILES OR DIRECTORIES...]
#
# Prepares the kernel (fetch-kernel.sh), then boots one VM that runs
# `bats --tap` on the given files, by default integration/tests/, from the
# top of the checkout; exits with bats's status.  Without arguments it
# first runs integration/harness.bats on this machine, the harness's own
# tests (exit status, output, no writes reaching the host, timeouts).
#
# Environment: PHOENIX_SUITE_TIMEOUT (seconds for the whole VM, default
# 3600); PHOENIX_BIN (default build/phoenix of this checkout, exported to
# the tests); everything vm.sh reads.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$here")
suite_timeout=${PHOENIX_SUITE_TIMEOUT:-3600}

files=()
for f in "$@"; do
	path=$(realpath -e -- "$f") || {
		echo "run-suite: no such test file or directory: $f" >&2
		exit 2
	}
	case $path in
	/tmp | /tmp/* | /run | /run/*)
		echo "run-suite: $path is not visible in the VM (its /tmp and /run are its own)" >&2
		exit 2
		;;
	esac
	files+=("$path")
done

"$here/fetch-kernel.sh"

export PHOENIX_BIN=${PHOENIX_BIN:-$repo/build/phoenix}
cd "$repo"
if ((${#files[@]} == 0)); then
	bats --tap "$here/harness.bats"
	files=("$here/tests")
fi
exec "$here/vm.sh" --timeout "$suite_timeout" -- bats --tap "${files[@]}"
