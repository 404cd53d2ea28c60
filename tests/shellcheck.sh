#!/usr/bin/env bash
# Run shellcheck over every shell file of the repository: of the files
# git lists (tracked, or untracked and not ignored; outside a checkout,
# every file below the top), those whose first line is a shebang naming
# sh, bash, dash, ash, busybox or bats, and the sourced files named *.sh
# or *.bash that have none.
#
#   tests/shellcheck.sh [SHELLCHECK-OPTION...]    (the Makefile passes the
#                                                  severity)
set -euo pipefail
cd "$(dirname "$0")/.."

list_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard
	else
		find . -path ./.git -prune -o -path './build*' -prune -o -type f -print0
	fi
}

by_shebang=() # the dialect is read from the shebang
busybox=()    # `#!/bin/busybox sh`: ash, checked as dash (SC2187)
sourced=()    # no shebang: bash, as everything that sources them
while IFS= read -r -d '' f; do
	[[ -f $f && ! -L $f ]] || continue
	IFS= read -r first <"$f" 2>/dev/null || first=
	if [[ $first =~ ^#!.*busybox[[:space:]]+(sh|ash) ]]; then
		busybox+=("$f")
	elif [[ $first =~ ^#![[:space:]]*[^[:space:]]*/(env[[:space:]]+)?(sh|bash|dash|ash|bats)([[:space:]]|$) ]]; then
		by_shebang+=("$f")
	elif [[ $first != '#!'* && ($f == *.sh || $f == *.bash) ]]; then
		sourced+=("$f")
	fi
done < <(list_files)

status=0
((${#by_shebang[@]} == 0)) || shellcheck "$@" -- "${by_shebang[@]}" || status=1
((${#busybox[@]} == 0)) || shellcheck "$@" --shell=dash -- "${busybox[@]}" || status=1
((${#sourced[@]} == 0)) || shellcheck "$@" --shell=bash -- "${sourced[@]}" || status=1
echo "shellcheck: $((${#by_shebang[@]} + ${#busybox[@]} + ${#sourced[@]})) files"
exit $status
