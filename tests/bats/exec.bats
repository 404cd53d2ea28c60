#!/usr/bin/env bats
# exec through phoenix with the real runc on this machine (no AppArmor, so
# requireApparmor false): every spelling runc takes of the options phoenix
# decides on, the capability rule on the exec path, --process from a pipe
# or /dev/stdin, and runc's exit statuses for phoenix's own failures.

load helpers

CAP_MAC_ADMIN_BIT=$((1 << 33))

setup() {
	common_setup
	export ROOT="$WORK/runc-root"
	mkdir -p "$ROOT"
	config_without_apparmor
	make_bundle "$WORK/b" '["sleep","1000"]'
	runc --root "$ROOT" run -d --bundle "$WORK/b" c1 </dev/null >/dev/null 2>&1
}

teardown() {
	for id in $(runc --root "$ROOT" list -q 2>/dev/null); do
		runc --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	common_teardown
}

# set_config JQ-FILTER: edit phoenix.json
set_config() {
	jq "$1" "$PHOENIX_CONFIG" >"$WORK/conf.new" && mv "$WORK/conf.new" "$PHOENIX_CONFIG"
}

# The effective capability mask the exec'd process reports (hex).
cap_eff() { # cap_eff OUTPUT
	sed -n 's/^CapEff:[[:space:]]*//p' <<<"$1"
}

has_mac_admin() { # has_mac_admin HEX-MASK
	(((16#$1 & CAP_MAC_ADMIN_BIT) != 0))
}

# A process document running `grep Cap /proc/self/status` with the caps given.
process_doc() { # process_doc CAP...
	local caps
	caps=$(printf '%s\n' "CAP_KILL" "$@" | jq -R . | jq -s .)
	jq -n --argjson caps "$caps" '{
		args: ["sh", "-c", "grep CapEff /proc/self/status; ls /proc/self/fd | wc -l"],
		cwd: "/", env: ["PATH=/bin"], user: {uid: 0, gid: 0},
		capabilities: {bounding: $caps, effective: $caps, permitted: $caps}}'
}

@test "runc grants exec --c=CAP_MAC_ADMIN; phoenix refuses it in every spelling (drop and refuse)" {
	# what phoenix stands in front of: runc takes the one-letter name with
	# two dashes and `=`, and the process gets the capability
	run runc --root "$ROOT" exec --c=CAP_MAC_ADMIN c1 grep CapEff /proc/self/status
	assert_success
	has_mac_admin "$(cap_eff "$output")"
	local policy spelling
	for policy in drop refuse; do
		set_config ".macCapabilities = \"$policy\""
		for spelling in "--cap CAP_MAC_ADMIN" "-cap CAP_MAC_ADMIN" "--c CAP_MAC_ADMIN" \
			"-c CAP_MAC_ADMIN" "--cap=CAP_MAC_ADMIN" "-cap=CAP_MAC_ADMIN" \
			"--c=CAP_MAC_ADMIN" "-c=CAP_MAC_ADMIN" "-c=CAP_MAC_OVERRIDE" \
			"--cap CAP_CHOWN --cap CAP_MAC_ADMIN" "-c=CAP_CHOWN -c CAP_MAC_ADMIN"; do
			# shellcheck disable=SC2086 # the spelling is several words
			run --separate-stderr "$PHOENIX" --root "$ROOT" exec $spelling c1 touch /tmp/ran
			assert_failure 255
			# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
			[[ "$stderr" == *"the MAC capabilities are not given to processes of container \`c1\` (macCapabilities is \\\"$policy\\\")"* ]] ||
				fail "$policy, $spelling: $stderr"
			[ ! -e "$WORK/b/rootfs/tmp/ran" ] || fail "$spelling: the process ran"
		done
	done
	# spellings crun's libcap reads as CAP_MAC_ADMIN are not capability names
	for spelling in "--cap cap_mac_admin" "-c=33" "--cap=CAP_MAC_ADMIN2"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$PHOENIX" --root "$ROOT" exec $spelling c1 true
		assert_failure 255
		[[ "$stderr" == *"must be written"* || "$stderr" == *"unknown capability"* ]] ||
			fail "$spelling: $stderr"
	done
	# runc refuses the two forms together, and so does phoenix, with runc's status
	run runc --root "$ROOT" exec --cap CAP_CHOWN -c CAP_MAC_ADMIN c1 true
	assert_failure 1
	run --separate-stderr "$PHOENIX" --root "$ROOT" exec --cap CAP_CHOWN -c CAP_MAC_ADMIN c1 true
	assert_failure 1
	[[ "$stderr" == *"cannot use two forms of the same option"* ]]
	# bad syntax is runc's error too, not an argument
	run --separate-stderr "$PHOENIX" --root "$ROOT" exec ---c=CAP_MAC_ADMIN c1 true
	assert_failure 1
	[[ "$stderr" == *"bad option syntax"* ]]
}

@test "exec --cap: other capabilities, and MAC ones under keep, reach the process" {
	run "$PHOENIX" --root "$ROOT" exec -c=CAP_SYS_PTRACE c1 grep CapEff /proc/self/status
	assert_success
	(((16#$(cap_eff "$output") & (1 << 19)) != 0))
	set_config '.macCapabilities = "keep"'
	run --separate-stderr "$PHOENIX" --root "$ROOT" exec --c CAP_MAC_ADMIN c1 grep CapEff /proc/self/status
	assert_success
	has_mac_admin "$(cap_eff "$output")"
	[[ "$stderr" == *"keeps"* || "$stderr" == *"WITHOUT AppArmor"* ]]
}

@test "exec --process with CAP_MAC_ADMIN: dropped or refused without AppArmor, in every spelling" {
	process_doc CAP_MAC_ADMIN >"$WORK/p.json"
	cp "$WORK/p.json" "$WORK/p.orig"
	# runc alone gives it
	run runc --root "$ROOT" exec -p "$WORK/p.json" c1
	assert_success
	has_mac_admin "$(cap_eff "$output")"
	local spelling
	for spelling in "--process" "-process" "--p" "-p"; do
		run "$PHOENIX" --root "$ROOT" exec "$spelling" "$WORK/p.json" c1
		assert_success
		! has_mac_admin "$(cap_eff "$output")" || fail "$spelling: CAP_MAC_ADMIN kept"
		run "$PHOENIX" --root "$ROOT" exec "$spelling=$WORK/p.json" c1
		assert_success
		! has_mac_admin "$(cap_eff "$output")" || fail "$spelling=: CAP_MAC_ADMIN kept"
	done
	# the last --process wins in runc: all of them are phoenix's copy
	process_doc >"$WORK/harmless.json"
	run "$PHOENIX" --root "$ROOT" exec -p "$WORK/harmless.json" -p "$WORK/p.json" c1
	assert_success
	! has_mac_admin "$(cap_eff "$output")" || fail "CAP_MAC_ADMIN kept"
	# the caller's file is read, never rewritten
	cmp "$WORK/p.orig" "$WORK/p.json"
	set_config '.macCapabilities = "refuse"'
	run --separate-stderr "$PHOENIX" --root "$ROOT" exec -process="$WORK/p.json" c1
	assert_failure 255
	[[ "$stderr" == *"CAP_MAC_ADMIN"*"refused by macCapabilities"* ]]
}

@test "exec -p <(…) and -p /dev/stdin: read once, checked, run; a hostile one refused" {
	process_doc >"$WORK/p.json"
	# runc takes a pipe
	run runc --root "$ROOT" exec -p <(cat "$WORK/p.json") c1
	assert_success
	run "$PHOENIX" --root "$ROOT" exec -p <(cat "$WORK/p.json") c1
	assert_success
	assert_line --regexp '^CapEff:'
	# only stdio and ls's own directory: phoenix's copy did not reach the container
	assert_line 4
	run "$PHOENIX" --root "$ROOT" exec --process /dev/stdin c1 <"$WORK/p.json"
	assert_success
	assert_line --regexp '^CapEff:'
	jq . "$WORK/p.json" | {
		run "$PHOENIX" --root "$ROOT" exec -p=/dev/stdin c1
		assert_success
		assert_line --regexp '^CapEff:'
	}
	# with --preserve-fds the copy is above the descriptors passed on
	run "$PHOENIX" --root "$ROOT" exec --preserve-fds 1 -p <(cat "$WORK/p.json") c1 3</dev/null
	assert_success
	assert_line 5
	# hostile documents through a pipe: MAC capabilities dropped, or refused
	process_doc CAP_MAC_ADMIN CAP_MAC_OVERRIDE >"$WORK/hostile.json"
	run "$PHOENIX" --root "$ROOT" exec -p <(cat "$WORK/hostile.json") c1
	assert_success
	! has_mac_admin "$(cap_eff "$output")" || fail "CAP_MAC_ADMIN kept"
	set_config '.macCapabilities = "refuse"'
	run --separate-stderr "$PHOENIX" --root "$ROOT" exec -p /dev/stdin c1 <"$WORK/hostile.json"
	assert_failure 255
	[[ "$stderr" == *"CAP_MAC_ADMIN"*"refused"* ]]
	# a symbolic link to a regular file is read like runc reads it
	ln -s "$WORK/p.json" "$WORK/plink.json"
	run "$PHOENIX" --root "$ROOT" exec -p "$WORK/plink.json" c1
	assert_success
}

# Each of these fails before any process runs; phoenix must exit as runc.
@test "phoenix's own failures exit with runc's status for the same command line" {
	echo '{"args":' >"$WORK/bad.json"
	local -a cases=(
		"exec missing true"
		"exec"
		"exec --bogus c1 true"
		"exec -dt c1 true"
		"exec ---cap=CAP_CHOWN c1 true"
		"exec -=x c1 true"
		"exec --cap CAP_CHOWN -c CAP_KILL c1 true"
		"exec -p $WORK/none.json c1"
		"exec -p $WORK/bad.json c1"
		"exec --preserve-fds=1__0 c1 true"
		"exec --process"
		"create"
		"create a b"
		"create --bogus c2"
		"run a b"
		"start"
		"delete a b"
		"delete --force"
	)
	local args want got
	for args in "${cases[@]}"; do
		want=0 got=0
		# shellcheck disable=SC2086
		runc --root "$ROOT" $args >/dev/null 2>&1 </dev/null || want=$?
		# shellcheck disable=SC2086
		"$PHOENIX" --root "$ROOT" $args >/dev/null 2>&1 </dev/null || got=$?
		[ "$want" = "$got" ] || fail "$args: runc exits $want, phoenix $got"
	done
	# phoenix's own failure with AppArmor required (this kernel has none)
	echo '{}' >"$PHOENIX_CONFIG"
	run "$PHOENIX" --root "$ROOT" exec c1 true
	assert_failure 255
	run "$PHOENIX" --root "$ROOT" exec
	assert_failure 1
	run "$PHOENIX" --root "$ROOT" create --bundle "$WORK/b" c9
	assert_failure 1
}
