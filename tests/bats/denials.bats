#!/usr/bin/env bats
# phoenix denials: AppArmor records of phoenix's containers, told apart by
# their policy namespace.  The fixtures hold records in the forms the
# kernel writes them (/dev/kmsg, the journal, auditd's log) for two
# containers, c1 and c2, created under --root /run/phoenix-bats (scope tag
# 1aa7ec62), one container `web` of another runtime root, and profiles
# that are not phoenix's (docker-default, an LXD container's namespace).

load helpers

FIXTURES="$BATS_TEST_DIRNAME/fixtures/denials"
ROOT=/run/phoenix-bats

setup() {
	common_setup
	export TZ=UTC
	mkdir -p "$WORK/state"
	echo '{"stateDir": "'"$WORK"'/state"}' >"$PHOENIX_CONFIG"
}

teardown() {
	common_teardown
}

# Table rows (the header dropped).
rows() {
	tail -n +2 <<<"$output"
}

# Wait up to 10 s for `pattern` in file `$1`.
wait_for_text() {
	local file=$1 pattern=$2 _
	for _ in $(seq 100); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no \`$pattern\` in $file:" >&2
	cat "$file" >&2
	return 1
}

@test "denials ID: only that container's records" {
	run "$PHOENIX" --root "$ROOT" denials c1 --source "$FIXTURES/kmsg.log"
	assert_success
	assert_line --index 0 --regexp '^TIME +CONTAINER +PROFILE +OPERATION +TARGET +REQUESTED +DENIED +COMMAND$'
	assert_equal "$(rows | wc -l)" 3
	assert_equal "$(rows | grep -c 'phx-1aa7ec62-c1  *phoenix-default')" 3
	refute_output --partial c2
	refute_output --partial docker-default
	assert_line --index 1 --regexp '^2023-11-14T22:13:21\.123Z +phx-1aa7ec62-c1 +phoenix-default +open +/phoenix-denied/secret +r +r +cat\[1234\]$'
	# signal from a stacked label (LXC host profile + the container's, two namespaces down)
	assert_line --index 2 --regexp ' signal +term to unconfined +send +send +kill\[1235\]$'
	# hex-encoded name and comm, decoded
	assert_line --index 3 --regexp ' open +/tmp/a b/secret +r +r +my cat\[1236\]$'
}

@test "denials ID: --root may follow the command" {
	run "$PHOENIX" denials --root "$ROOT" c2 --source "$FIXTURES/kmsg.log"
	assert_success
	assert_equal "$(rows | wc -l)" 2
	assert_equal "$(rows | grep -c 'phx-1aa7ec62-c2 ')" 2
}

@test "denials ID under another root finds nothing" {
	run "$PHOENIX" --root /run/other denials c1 --source "$FIXTURES/kmsg.log"
	assert_success
	assert_equal "$(rows | wc -l)" 0
}

@test "denials: every phoenix container, and only phoenix's" {
	run "$PHOENIX" denials --source "$FIXTURES/kmsg.log"
	assert_success
	assert_equal "$(rows | wc -l)" 6
	assert_equal "$(rows | grep -c 'phx-1aa7ec62-c1 ')" 3
	assert_equal "$(rows | grep -c 'phx-1aa7ec62-c2 ')" 2
	assert_equal "$(rows | grep -c 'phx-eea0fd50-web ')" 1
	refute_output --partial docker-default
	refute_output --partial lxc-container-default
	refute_output --partial profile_load
	# complain mode shows its kind
	assert_line --index 0 --regexp ' COMMAND +KIND$'
	assert_line --regexp 'phx-1aa7ec62-c2 +phoenix-default +exec +/usr/bin/wget -> .* sh\[2001\] +ALLOWED$'
	assert_line --regexp 'phx-1aa7ec62-c2 +phoenix-default +capable +net_admin +- +- +ip\[2000\]$'
}

@test "denials --all: also what is not phoenix's" {
	run "$PHOENIX" denials --all --source "$FIXTURES/kmsg.log"
	assert_success
	assert_equal "$(rows | wc -l)" 9
	assert_line --regexp '^2023-11-14T22:13:23\.000Z +- +docker-default +open +/proc/kcore '
	assert_line --regexp ' lxd-u1_<var-snap-lxd-common-lxd> +lxc-container-default +mount +/sys/ \(sysfs\) '
	assert_line --regexp ' profile_load .* apparmor_parser\[900\] +STATUS$'
}

@test "denials --json: an array of records with their fields" {
	run --separate-stderr "$PHOENIX" denials --json --source "$FIXTURES/kmsg.log"
	assert_success
	assert_equal "$(jq length <<<"$output")" 6
	assert_equal "$(jq -r '[.[].namespace] | unique | join(",")' <<<"$output")" \
		"phx-1aa7ec62-c1,phx-1aa7ec62-c2,phx-eea0fd50-web"
	local first
	first=$(jq -c '.[0] | {time, timestamp, serial, kind, container, namespace, profile,
		operation, name, requested, denied, pid, comm, phoenix, fields}' <<<"$output")
	assert_equal "$first" '{"time":"2023-11-14T22:13:21.123Z","timestamp":1700000001.123,"serial":11,"kind":"DENIED","container":null,"namespace":"phx-1aa7ec62-c1","profile":"phoenix-default","operation":"open","name":"/phoenix-denied/secret","requested":"r","denied":"r","pid":1234,"comm":"cat","phoenix":true,"fields":{"fsuid":"0","ouid":"0"}}'
	assert_equal "$(jq -r '.[] | select(.pid == 1236) | .name + "|" + .comm' <<<"$output")" "/tmp/a b/secret|my cat"
	assert_equal "$(jq -r '.[] | select(.operation == "capable") | .capability' <<<"$output")" net_admin
	assert_equal "$(jq -r '.[] | select(.operation == "signal") | .signal + " " + .peer + " " + .label' <<<"$output")" \
		"term unconfined lxc-ct_</var/lib/lxc>//&:lxc-ct_<-var-lib-lxc>//phx-1aa7ec62-c1:phoenix-default"
	assert_equal "$(jq -r '.[] | select(.kind == "ALLOWED") | .target' <<<"$output")" "phoenix-default//null-/usr/bin/wget"
}

@test "denials --json --all: non-phoenix records are marked" {
	run --separate-stderr "$PHOENIX" denials --json --all --source "$FIXTURES/kmsg.log"
	assert_success
	assert_equal "$(jq length <<<"$output")" 9
	assert_equal "$(jq '[.[] | select(.phoenix | not)] | length' <<<"$output")" 3
	assert_equal "$(jq -r '.[] | select(.operation == "mount") | .error' <<<"$output")" -13
}

@test "denials: no records is an empty table, or []" {
	printf 'not a record\n' >"$WORK/empty.log"
	run "$PHOENIX" denials --source "$WORK/empty.log"
	assert_success
	assert_output --regexp '^TIME +CONTAINER +PROFILE +OPERATION +TARGET +REQUESTED +DENIED +COMMAND$'
	run "$PHOENIX" denials --json --source "$WORK/empty.log"
	assert_success
	assert_output '[]'
}

@test "denials: phoenix's records name the container" {
	echo '{"id": "web", "root": "/run/docker/runtime-runc/moby", "namespace": "phx-eea0fd50-web",
	       "profile": "phoenix-default", "transition": "exec", "created": 1}' \
		>"$WORK/state/phx-eea0fd50-web.json"
	run "$PHOENIX" denials --source "$FIXTURES/kmsg.log"
	assert_success
	assert_line --regexp '^2023-11-14T22:13:29\.000Z +web +phoenix-default +open +/etc/shadow '
	# the id is found through the record although --root differs
	run "$PHOENIX" denials web --source "$FIXTURES/kmsg.log"
	assert_success
	assert_equal "$(rows | wc -l)" 1
	run --separate-stderr "$PHOENIX" denials web --json --source "$FIXTURES/kmsg.log"
	assert_equal "$(jq -r '.[0].container' <<<"$output")" web
}

@test "denials: auditd's log format, from a file and from stdin" {
	run "$PHOENIX" --root "$ROOT" denials c2 --source "$FIXTURES/audit.log"
	assert_success
	assert_equal "$(rows | wc -l)" 1
	assert_line --index 1 --regexp '^2023-11-14T22:13:22\.000Z +phx-1aa7ec62-c2 +phoenix-default +capable +net_admin '
	run bash -c '"$0" denials --all --source - <"$1"' "$PHOENIX" "$FIXTURES/audit.log"
	assert_success
	assert_equal "$(rows | wc -l)" 3
	refute_output --partial SYSCALL
}

@test "denials --follow: a record appended to a file is picked up" {
	cp "$FIXTURES/kmsg.log" "$WORK/grow.log"
	timeout --preserve-status 20 "$PHOENIX" --root "$ROOT" denials c2 --follow --json \
		--source "$WORK/grow.log" >"$WORK/out" 2>"$WORK/err" &
	local pid=$!
	wait_for_text "$WORK/out" '"operation": "exec"'
	cat "$FIXTURES/appended.log" >>"$WORK/grow.log"
	wait_for_text "$WORK/out" '"operation": "ptrace"'
	kill -INT "$pid"
	local status=0
	wait "$pid" || status=$?
	assert_equal "$status" 0
	# one object a line
	assert_equal "$(wc -l <"$WORK/out")" 3
	assert_equal "$(jq -s -r '.[2].comm' <"$WORK/out")" strace
}

@test "denials --follow: records written to a FIFO, SIGTERM ends it cleanly" {
	mkfifo "$WORK/fifo"
	timeout --preserve-status 20 "$PHOENIX" denials --follow --source "$WORK/fifo" \
		>"$WORK/out" 2>"$WORK/err" &
	local pid=$!
	cat "$FIXTURES/appended.log" >"$WORK/fifo"
	wait_for_text "$WORK/out" 'strace\[2100\]'
	# a second writer after the first one went away
	head -n 4 "$FIXTURES/kmsg.log" >"$WORK/fifo"
	wait_for_text "$WORK/out" 'cat\[1234\]'
	kill -TERM "$pid"
	local status=0
	wait "$pid" || status=$?
	assert_equal "$status" 0
	run cat "$WORK/out"
	assert_line --index 0 --regexp '^TIME +CONTAINER +PROFILE +OPERATION +TARGET +REQUESTED +DENIED +COMMAND +KIND$'
	assert_line --index 1 --regexp 'phx-1aa7ec62-c2 +phoenix-default +ptrace +unconfined +trace +trace +strace\[2100\]$'
}

@test "denials --source kmsg reads the real kernel log" {
	[ -r /dev/kmsg ] || skip "/dev/kmsg is not readable here"
	run --separate-stderr "$PHOENIX" denials --all --source kmsg
	assert_success
	assert_line --index 0 --regexp '^TIME +CONTAINER'
	run --separate-stderr "$PHOENIX" denials --all --json --source kmsg
	assert_success
	jq -e 'type == "array"' <<<"$output"
}

@test "denials: an unreadable source is an error that says so" {
	run "$PHOENIX" denials --source "$WORK/missing.log"
	assert_failure 1
	assert_output --partial "cannot read \`$WORK/missing.log\`: No such file or directory"
}

@test "denials: bad arguments" {
	run "$PHOENIX" denials --source
	assert_failure 1
	assert_output --partial "--source needs a value"
	run "$PHOENIX" denials --frobnicate
	assert_failure 1
	assert_output --partial "unknown option \`--frobnicate\`"
	run "$PHOENIX" denials c1 c2
	assert_failure 1
	assert_output --partial "more than one container id"
	run "$PHOENIX" denials --help
	assert_success
	assert_line --index 0 --partial "Usage: phoenix denials"
}

@test "denials: records of a real kernel (Debian 6.1, dmesg and /dev/kmsg)" {
	run "$PHOENIX" denials --source "$FIXTURES/debian-6.1-dmesg.log"
	assert_success
	assert_equal "$(rows | wc -l)" 15
	assert_equal "$(rows | grep -c '^2026-11-23T11:5[0-9]:[0-9.]*Z  phx-1a2b3c4d-web  p')" 15
	assert_line --regexp ' phx-1a2b3c4d-web +ptest +open +/etc/a b +r +r +cat\[166\]$'
	assert_line --regexp ' phx-1a2b3c4d-web +ptest +create +unix stream +create +create +chown\[168\]$'
	assert_equal "$(rows | grep -c 'pcomplain .* ALLOWED$')" 2
	run "$PHOENIX" denials --all --source "$FIXTURES/debian-6.1-dmesg.log"
	assert_equal "$(rows | wc -l)" 26
	assert_line --regexp ' ct +ctprof +open +/etc/hostname '
	run "$PHOENIX" denials --source "$FIXTURES/debian-6.1-kmsg.log"
	assert_equal "$(rows | wc -l)" 1
	assert_line --index 1 --regexp ' phx-1a2b3c4d-web +ptest +open +/etc/locale.alias +r +r +kill\[179\]$'
}
