#!/usr/bin/env bats
# phoenix relay: AppArmor records of LXC containers' namespaces (ct-NAME),
# from a simulated /dev/kmsg (PHOENIX_RELAY_KMSG, one record a line), into
# DIR/ct-NAME/records; restart without duplicates; gap lines; rotation.

load helpers

setup() {
	common_setup
	DIR=$WORK/records
}

teardown() {
	common_teardown
}

# rec SEQ NAMESPACE NAME [PRI]: one /dev/kmsg AppArmor denial.
rec() {
	local ns=""
	[[ -z $2 ]] || ns="namespace=\"$2\" "
	printf '%s,%s,5000,-;audit: type=1400 audit(1700000000.123:%s): apparmor="DENIED" operation="open" %sprofile="phoenix-default" name="%s" pid=42 comm="cat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0\n' \
		"${4:-6}" "$1" "$1" "$ns" "$3"
}

relay_once() {
	PHOENIX_RELAY_KMSG=$1 run "$PHOENIX" relay --dir "$DIR" --once "${@:2}"
}

@test "relay: each container gets its own records, never the host's, a forged or a hostile one" {
	{
		rec 100 'root//ct-951//phx-1aa7ec62-web' /ct951
		rec 101 'root//ct-802//phx-1aa7ec62-db' /ct802
		rec 102 '' /host
		rec 103 'root//phx-1aa7ec62-top' /host-phoenix
		rec 104 'root//ct-951//phx-x' /forged 14
		rec 105 'root//ct-..//phx-x' /dotdot
		rec 106 'root//ct-a/b//phx-x' /slash
		rec 107 'root//ct-951' /ct951-own
	} >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	run ls "$DIR"
	assert_output $'ct-802\nct-951\ncursor'
	run cat "$DIR/ct-951/records"
	assert_line --index 0 --partial 'name="/ct951"'
	assert_line --index 1 --partial 'name="/ct951-own"'
	assert_equal "${#lines[@]}" 2
	run cat "$DIR/ct-802/records"
	assert_output --partial 'name="/ct802"'
	assert_equal "${#lines[@]}" 1
	[ "$(stat -c %a "$DIR")" = 711 ]
	[ "$(stat -c %a "$DIR/ct-951")" = 755 ]
	[ "$(stat -c %a "$DIR/ct-951/records")" = 644 ]
	run head -n 1 "$DIR/cursor"
	assert_output "$(cat /proc/sys/kernel/random/boot_id) 107"
}

@test "relay: a host profile's denial goes with the container's record of the same access, never alone, never to another" {
	{
		rec 200 '' /host-denied
		rec 201 'root//ct-951//phx-a' /host-denied
		rec 202 'root//ct-802//phx-b' /after
		rec 203 '' /after
		rec 204 '' /alone
		rec 205 '' /other-pid | sed 's/pid=42/pid=43/'
		rec 206 'root//ct-951//phx-a' /other-pid
		rec 207 'root//ct-802//phx-b' /other-pid | sed 's/pid=42/pid=44/'
	} >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	run cut -d, -f2 "$DIR/ct-951/records"
	assert_output $'200\n201\n206'
	run cut -d, -f2 "$DIR/ct-802/records"
	assert_output $'202\n203\n207'
	# restarted: nothing twice
	relay_once "$WORK/kmsg"
	run grep -c . "$DIR/ct-951/records"
	assert_output 3
}

@test "relay: a host profile's denial held while another record of the container comes first is still written, once" {
	{
		rec 300 '' /held
		rec 301 'root//ct-951//phx-a' /between
		rec 302 'root//ct-951//phx-a' /held
	} >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	run cut -d, -f2 "$DIR/ct-951/records"
	assert_output $'301\n300\n302'
	# the cursor lost: the file's own sequence numbers keep all three once
	rm "$DIR/cursor"
	relay_once "$WORK/kmsg"
	run grep -c . "$DIR/ct-951/records"
	assert_output 3
}

@test "relay: a host profile's denial held when the relay stops is written after its restart, once" {
	# stopped between the host profile's record and the container's: the
	# held one is saved with the cursor
	{
		rec 400 '' /held
		rec 401 'root//ct-951//phx-a' /between
	} >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	run cut -d, -f2 "$DIR/ct-951/records"
	assert_output 401
	{
		rec 400 '' /held
		rec 401 'root//ct-951//phx-a' /between
		rec 402 'root//ct-951//phx-a' /held
	} >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	run cut -d, -f2 "$DIR/ct-951/records"
	assert_output $'401\n400\n402'
	# stopped after the container's record: the next host profile's
	# record of the same access still goes with it
	{
		rec 403 'root//ct-802//phx-b' /seen-first | sed 's/pid=42/pid=45/'
	} >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	rec 404 '' /seen-first | sed 's/pid=42/pid=45/' >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	run cut -d, -f2 "$DIR/ct-802/records"
	assert_output $'403\n404'
	# a relay that wrote 400 and 402 but died before it saved its cursor,
	# then one that died between the two: nothing twice
	DIR=$WORK/again
	{
		rec 400 '' /held
		rec 401 'root//ct-951//phx-a' /between
	} >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	cp "$DIR/cursor" "$WORK/cursor.before"
	rec 402 'root//ct-951//phx-a' /held >>"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	cp "$WORK/cursor.before" "$DIR/cursor"
	relay_once "$WORK/kmsg"
	assert_success
	run cut -d, -f2 "$DIR/ct-951/records"
	assert_output $'401\n400\n402'
	cp "$WORK/cursor.before" "$DIR/cursor"
	sed -i '3d' "$DIR/ct-951/records"
	relay_once "$WORK/kmsg"
	assert_success
	run cut -d, -f2 "$DIR/ct-951/records"
	assert_output $'401\n400\n402'
}

@test "relay: a malformed ring line in the cursor is refused" {
	rec 1 '' /held >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	run grep -c '^held 1 42 1700000000 x' "$DIR/cursor"
	assert_output 1
	sed -i 's/^held 1 42/held 1 -42/' "$DIR/cursor"
	relay_once "$WORK/kmsg"
	assert_failure
	assert_output --partial 'malformed cursor line 2'
}

@test "relay: a restart writes nothing twice, and a jump in sequence numbers is a gap line" {
	rec 100 'root//ct-951//phx-a' /one >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	{ rec 100 'root//ct-951//phx-a' /one; rec 101 'root//ct-951//phx-a' /two; } >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	# the cursor lost (a relay killed before it saved): the file's own
	# sequence numbers still keep it from writing twice
	rm "$DIR/cursor"
	relay_once "$WORK/kmsg"
	run grep -c . "$DIR/ct-951/records"
	assert_output 2
	rec 150 'root//ct-951//phx-a' /three >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	run cat "$DIR/ct-951/records"
	assert_line --index 2 'phoenix-relay: gap: kernel records 102 to 149 were lost before the relay read them'
	assert_line --index 3 --partial 'name="/three"'
}

@test "relay: the kernel's audit_lost line becomes a gap line in every container's file" {
	{
		rec 1 'root//ct-951//phx-a' /a
		rec 2 'root//ct-802//phx-b' /b
		echo '4,3,5001,-;audit: audit_lost=7 audit_rate_limit=0 audit_backlog_limit=64'
		echo '12,4,5002,-;audit: audit_lost=9 written by a process'
	} >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	for ct in 951 802; do
		run tail -n 1 "$DIR/ct-$ct/records"
		assert_output "phoenix-relay: gap: the kernel's audit subsystem dropped records (audit_lost=7 audit_rate_limit=0 audit_backlog_limit=64)"
	done
	run grep -c 'audit_lost=9' "$DIR/ct-951/records"
	assert_output 0
}

@test "relay: a container's records are bounded by --max-size, the older part in records.1" {
	for i in $(seq 1 200); do rec "$i" 'root//ct-951//phx-a' "/file-$i"; done >"$WORK/kmsg"
	relay_once "$WORK/kmsg" --max-size 16K
	assert_success
	size=$(stat -c %s "$DIR/ct-951/records")
	old=$(stat -c %s "$DIR/ct-951/records.1")
	((size <= 16384 && old <= 16384))
	run tail -n 1 "$DIR/ct-951/records"
	assert_output --partial 'name="/file-200"'
	relay_once "$WORK/kmsg" --max-size 1K
	assert_failure
	assert_output --partial 'size limit below'
}

@test "relay: a symbolic link where it writes is refused" {
	mkdir -p "$DIR"
	chmod 700 "$DIR"
	ln -s "$WORK/elsewhere" "$DIR/ct-951"
	mkdir "$WORK/elsewhere"
	rec 1 'root//ct-951//phx-a' /a >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_failure
	[ -z "$(ls "$WORK/elsewhere")" ]
}

@test "relay, then denials in the container: its own records, no gap from the jumps, the relay's gap said" {
	{
		rec 10 'root//ct-951//phx-1aa7ec62-web' /web-file
		rec 11 'root//ct-802//phx-1aa7ec62-db' /other-container
		rec 12 'root//ct-951//phx-1aa7ec62-db' /db-file
	} >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	assert_success
	# what the container sees at /var/lib/phoenix/host-records: its own directory
	run --separate-stderr "$PHOENIX" denials --source "$DIR/ct-951"
	assert_success
	assert_output --partial /web-file
	assert_output --partial /db-file
	refute_output --partial /other-container
	# seq 10 then 12: the other container's record in between is no gap
	[ -z "$stderr" ]
	rec 40 'root//ct-951//phx-1aa7ec62-web' /after-gap >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	run --separate-stderr "$PHOENIX" denials --source "$DIR/ct-951"
	assert_success
	assert_output --partial /after-gap
	[[ $stderr == *"records may be missing (the host's relay says: \"kernel records 13 to 39 were lost before the relay read them\")"* ]]
	run --separate-stderr "$PHOENIX" denials --source "$DIR/ct-802"
	assert_output --partial /other-container
	refute_output --partial /web-file
}

@test "relay, then denials --follow in the container: a record relayed later is shown, across a rotation" {
	rec 1 'root//ct-951//phx-1aa7ec62-web' /first >"$WORK/kmsg"
	relay_once "$WORK/kmsg"
	"$PHOENIX" denials --follow --source "$DIR/ct-951" >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	sleep 1
	# 100 records of 246 bytes: one rotation at 16 KiB (66 records)
	for i in $(seq 2 100); do rec "$i" 'root//ct-951//phx-1aa7ec62-web' "/file-$i"; done >"$WORK/kmsg"
	relay_once "$WORK/kmsg" --max-size 16K
	assert_success
	[ -e "$DIR/ct-951/records.1" ]
	sleep 2
	kill -TERM "$pid"
	wait "$pid"
	run grep -c '/file-' "$WORK/out"
	assert_output 99
	run grep -c '/first' "$WORK/out"
	assert_output 1
	[ ! -s "$WORK/err" ]
}
