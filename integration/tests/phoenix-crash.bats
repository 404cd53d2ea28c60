#!/usr/bin/env bats
# Crash consistency on the real kernel: phoenix is killed with SIGKILL at
# random points of create, exec and delete.  Afterwards `phoenix gc` leaves
# exactly one namespace and one record per container the runtime knows,
# and once those are deleted, nothing at all.
#
# Rounds per command: PHOENIX_CRASH_ROUNDS (default 10; raise it for a
# long run: PHOENIX_CRASH_ROUNDS=200 integration/run-suite.sh
# integration/tests/phoenix-crash.bats).

load phoenix-helpers

ROUNDS=${PHOENIX_CRASH_ROUNDS:-10}

setup() {
	phx_setup
	make_bundle "$T/b" 'exec sleep 1000'
}

teardown() {
	phx_teardown
}

# settle: wait until no runtime process (orphaned by the kill) is left.
# A created container's init is `runc:[2:INIT]`, not `runc`.
settle() {
	local i
	for i in $(seq 600); do
		pgrep -x runc >/dev/null || return 0
		sleep 0.1
	done
	echo "runc still running" >&2
	return 1
}

# crash MAX_MS ARGS...: run phoenix with ARGS and SIGKILL it after a random
# delay of up to MAX_MS milliseconds (or let it finish first).
crash() {
	local max=$1 pid delay
	shift
	"$PHOENIX" --root "$ROOT" --log "$T/log" --log-format json "$@" </dev/null >/dev/null 2>&1 &
	pid=$!
	delay=$(awk -v r="$RANDOM" -v m="$max" 'BEGIN { printf "%.3f", r / 32767 * m / 1000 }')
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	settle
}

# The container ids of a set of names: namespaces (phx-<hash>-<id>) and
# records (<namespace>.json).
ids_of_namespaces() {
	phx_namespaces | sed 's/^phx-[0-9a-f]*-//' | sort
}
ids_of_records() {
	local f
	for f in "$T/state"/*.json; do
		[ -e "$f" ] || continue
		f=${f##*/}
		f=${f%.json}
		echo "${f#phx-*-}"
	done | sort
}

# consistent: after gc, namespaces = records = the runtime's containers.
consistent() {
	"$PHOENIX" --root "$ROOT" gc >/dev/null 2>"$T/gc.err" || {
		cat "$T/gc.err" >&2
		return 1
	}
	local containers
	containers=$(runc --root "$ROOT" list -q | sort)
	assert_equal "$(ids_of_namespaces)" "$containers"
	assert_equal "$(ids_of_records)" "$containers"
}

# nothing_left: delete every container through phoenix; then no namespace,
# no record, no container.
nothing_left() {
	local id
	for id in $(runc --root "$ROOT" list -q); do
		"$PHOENIX" --root "$ROOT" delete --force "$id"
	done
	"$PHOENIX" --root "$ROOT" gc >/dev/null
	[ -z "$(phx_namespaces)" ]
	[ -z "$(ids_of_records)" ]
	[ -z "$(runc --root "$ROOT" list -q)" ]
}

@test "SIGKILL during create, at random points: gc restores consistency, nothing left after deleting" {
	local i
	for i in $(seq "$ROUNDS"); do
		crash 1500 create --bundle "$T/b" "k$i"
		consistent
	done
	# some rounds were cut short and some finished: both were exercised
	echo "containers surviving their create: $(runc --root "$ROOT" list -q | wc -l) of $ROUNDS" >&3
	nothing_left
}

@test "SIGKILL during exec: the container keeps its namespace; exec works afterwards" {
	local i
	phx run -d --bundle "$T/b" e1
	ns=$(ns_of e1)
	for i in $(seq "$ROUNDS"); do
		crash 1200 exec --detach --pid-file "$T/e.pid" e1 sleep 60
		consistent
		[ "$(ns_of e1)" = "$ns" ]
	done
	run phx exec e1 cat /proc/self/attr/current
	assert_success
	assert_equal "$(cat "$T/out")" "phoenix-default (enforce)"
	nothing_left
}

@test "SIGKILL during delete: gc or a second delete finishes the job" {
	local i
	for i in $(seq "$ROUNDS"); do
		phx run -d --bundle "$T/b" "d$i"
		crash 800 delete --force "d$i"
		consistent
		# containerd repeats a delete that did not report success
		if runc --root "$ROOT" state "d$i" >/dev/null 2>&1; then
			phx delete --force "d$i"
		fi
		consistent
		[ -z "$(ns_of "d$i")" ]
	done
	nothing_left
}
