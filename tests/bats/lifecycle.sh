#!/bin/bash
# One container's whole life, driven by the command line given as $1
# ("runc" or "phoenix --log ..."); every result is written to $4 with
# what differs between two runs (pids, times) left out.
# Usage: ROOT=<runtime root> lifecycle.sh CLI ID BUNDLE OUT
set -u
cli=$1 id=$2 bundle=$3 out=$4
{
	$cli --root "$ROOT" create --bundle "$bundle" "$id"
	echo "create=$?"
	$cli --root "$ROOT" state "$id" | jq -c '{ociVersion, id, status, bundle}'
	$cli --root "$ROOT" start "$id"
	echo "start=$?"
	$cli --root "$ROOT" state "$id" | jq -c '{id, status}'
	$cli --root "$ROOT" exec "$id" sh -c 'echo exec-out; id -u'
	echo "exec=$?"
	$cli --root "$ROOT" exec "$id" sh -c 'exit 7'
	echo "exec-status=$?"
	$cli --root "$ROOT" ps --format json "$id" | jq -c 'length > 0'
	$cli --root "$ROOT" pause "$id"
	$cli --root "$ROOT" state "$id" | jq -c '{status}'
	$cli --root "$ROOT" resume "$id"
	$cli --root "$ROOT" state "$id" | jq -c '{status}'
	echo '{"pids":{"limit":50}}' | $cli --root "$ROOT" update --resources - "$id"
	echo "update=$?"
	$cli --root "$ROOT" events --stats "$id" | jq -c '.type'
	$cli --root "$ROOT" list --format json | jq -c "[.[] | select(.id == \"$id\") | .status]"
	$cli --root "$ROOT" kill "$id" KILL
	echo "kill=$?"
	for _ in $(seq 50); do
		[ "$($cli --root "$ROOT" state "$id" | jq -r .status)" = stopped ] && break
		sleep 0.1
	done
	$cli --root "$ROOT" state "$id" | jq -c '{status}'
	$cli --root "$ROOT" delete "$id"
	echo "delete=$?"
	$cli --root "$ROOT" state "$id" >/dev/null 2>&1
	echo "state-after-delete=$?"
} >"$out" 2>&1
