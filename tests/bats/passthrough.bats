#!/usr/bin/env bats
# Pass-through: every command phoenix does not change reaches the runtime
# with the same argv (only argv[0] replaced), environment, descriptors,
# working directory and stdin, by execve, with nothing printed by phoenix.

load helpers

setup() {
	common_setup
	make_recorder
	export PHOENIX_RUNTIME="$WORK/recorder"
}

teardown() {
	common_teardown
}

# Run phoenix with the given args and check the recorder saw exactly them.
assert_passed_through() {
	run "$PHOENIX" "$@"
	assert_success
	assert_output ""
	local want
	want=$(printf '%s|' "$@")
	assert_equal "$(recorded_argv)" "$want"
	assert_equal "$(cat "$RECORD_DIR/argv0")" "$WORK/recorder"
}

@test "state, list, ps, pause, resume, kill pass through unchanged" {
	assert_passed_through state c1
	assert_passed_through --root /run/x state c1
	assert_passed_through list --format json --quiet
	assert_passed_through ps c1 -ef
	assert_passed_through ps --format json c1
	assert_passed_through pause c1
	assert_passed_through resume c1
	assert_passed_through kill c1 KILL
	assert_passed_through kill --all c1 9
	assert_passed_through kill c1
}

@test "global options in every form pass through" {
	assert_passed_through --root=/run/r --log=/tmp/l --log-format=json state c1
	assert_passed_through -root /run/r -log /tmp/l -log-format text state c1
	assert_passed_through --systemd-cgroup --debug --rootless=true state c1
	assert_passed_through --rootless auto --criu /usr/sbin/criu state c1
	assert_passed_through --systemd-cgroup=false --debug=true state c1
	assert_passed_through --cgroup-manager systemd --log-level debug state c1
	assert_passed_through --some-future-flag=1 state c1
}

@test "update, events, checkpoint, spec, help pass through" {
	assert_passed_through update --memory 1000000 --pids-limit 10 c1
	assert_passed_through update -r /tmp/res.json c1
	assert_passed_through events --interval 2s --stats c1
	assert_passed_through checkpoint --image-path /tmp/i --leave-running --tcp-established c1
	assert_passed_through spec --rootless --bundle /tmp/b
	assert_passed_through help
	assert_passed_through create --help
	assert_passed_through some-future-command --x y
}

@test "update --resources - hands stdin to the runtime untouched" {
	export RECORD_STDIN=1
	run "$PHOENIX" update --resources - c1 <<<'{"pids":{"limit":7}}'
	assert_success
	assert_equal "$(cat "$RECORD_DIR/stdin")" '{"pids":{"limit":7}}'
	assert_equal "$(recorded_argv)" "update|--resources|-|c1|"
}

@test "environment and working directory are the caller's" {
	cd "$WORK"
	# the same call straight to the runtime, then through phoenix
	FOO='a b
c' BAR='' "$WORK/recorder" state c1
	mv "$RECORD_DIR/env" "$WORK/env.direct"
	FOO='a b
c' BAR='' run "$PHOENIX" state c1
	assert_success
	# (valgrind, which tests/valgrind.sh runs phoenix under, edits its
	# client's environment: its own variables, and exported bash
	# functions, are not phoenix's doing)
	local noise='^$'
	[ -z "${PHOENIX_UNDER_VALGRIND:-}" ] ||
		noise='^(GLIBC(PP|XX)_FORCE_NEW|LD_PRELOAD|LD_LIBRARY_PATH|BASH_FUNC_[^=]*)=|^}$'
	run diff <(tr '\0' '\n' <"$WORK/env.direct" | grep -Ev "$noise") \
		<(tr '\0' '\n' <"$RECORD_DIR/env" | grep -Ev "$noise")
	assert_success
	grep -qz '^FOO=a b' "$RECORD_DIR/env"
	assert_equal "$(cat "$RECORD_DIR/cwd")" "$WORK"
}

@test "open descriptors reach the runtime (preserve-fds, sockets)" {
	exec 7<"$PHOENIX_CONFIG" 9>"$WORK/out"
	run "$PHOENIX" kill c1 0
	exec 7<&- 9>&-
	assert_success
	[[ " $(cat "$RECORD_DIR/fds") " == *" 7 "* ]]
	[[ " $(cat "$RECORD_DIR/fds") " == *" 9 "* ]]
}

@test "exit status and death by signal are the runtime's own" {
	RECORD_STATUS=42 run "$PHOENIX" state c1
	assert_equal "$status" 42
	RECORD_SIGNAL=TERM run "$PHOENIX" state c1
	assert_equal "$status" 143
}

@test "runtime output is not touched and phoenix adds nothing" {
	RECORD_OUTPUT=1 run --separate-stderr "$PHOENIX" state c1
	assert_success
	assert_equal "$output" "runtime stdout"
	# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
	assert_equal "$stderr" "runtime stderr"
}
