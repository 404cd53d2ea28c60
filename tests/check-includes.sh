#!/usr/bin/env bash
# Includes go downward only: a source folder's files include from their
# own folder and the folders listed before it, never from one after it.
#
#   tests/check-includes.sh DIR...    (the Makefile passes $(SRC_DIRS),
#                                      lowest layer first)
#
# A quoted include is resolved as the compiler resolves it: the including
# file's own folder first, then the -I folders in their order.  An
# include that resolves to a later folder is an error, unless it is listed
# in KNOWN below; a KNOWN include that no longer occurs is an error too,
# so that the list only shrinks.
set -euo pipefail

# "including-file included-file": upward includes still to be removed (none)
KNOWN=()

(($# > 0)) || { echo "usage: $0 DIR... (lowest layer first)" >&2; exit 2; }
dirs=("$@")
declare -A layer=()
for i in "${!dirs[@]}"; do
	layer[${dirs[$i]}]=$i
done

# the folder `name` resolves to for a file in folder `from`; empty when
# the name is none of ours (a system header, build/paths.h)
resolve() {
	local from=$1 name=$2 d
	if [[ -f $from/$name ]]; then
		printf '%s\n' "$from"
		return
	fi
	for d in "${dirs[@]}"; do
		if [[ -f $d/$name ]]; then
			printf '%s\n' "$d"
			return
		fi
	done
}

declare -A seen=()
status=0
for d in "${dirs[@]}"; do
	for f in "$d"/*.[ch]; do
		[[ -e $f ]] || continue
		while IFS= read -r name; do
			to=$(resolve "$d" "$name")
			[[ -n $to ]] || continue
			((${layer[$to]} > ${layer[$d]})) || continue
			pair="$f $to/$name"
			seen[$pair]=1
			known=0
			for k in "${KNOWN[@]}"; do
				[[ $k == "$pair" ]] && known=1
			done
			if ((!known)); then
				echo "$f includes $to/$name: $to is above $d (includes go downward: ${dirs[*]})" >&2
				status=1
			fi
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	done
done
for k in "${KNOWN[@]}"; do
	if [[ -z ${seen[$k]:-} ]]; then
		echo "tests/check-includes.sh: \`$k' no longer occurs: remove it from KNOWN" >&2
		status=1
	fi
done
exit $status
