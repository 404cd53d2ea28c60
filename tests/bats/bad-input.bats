#!/usr/bin/env bats
# Bad input: each case is a clear error naming the problem, runc's exit
# status (1; 255 for exec once its arguments are read, as runc's exec.go),
# exactly one JSON error line in the --log file, nothing on stdout, nothing
# created.

load helpers

setup() {
	common_setup
	export ROOT="$WORK/root"
	make_recorder
	export PHOENIX_RUNTIME="$WORK/recorder"
	mkdir -p "$WORK/b"
	make_bundle "$WORK/b" '["true"]'
	rm -f "$RECORD_DIR/argv"
}

teardown() {
	common_teardown
}

# expect_error SUBSTRING ARGS... : phoenix ARGS fails with SUBSTRING in its
# --log line and status $EXPECT_STATUS (default 1), and the runtime was
# never called.
expect_error() {
	local want=$1
	shift
	rm -f "$WORK/log.json"
	run --separate-stderr "$PHOENIX" --root "$ROOT" --log "$WORK/log.json" --log-format json "$@"
	assert_failure "${EXPECT_STATUS:-1}"
	assert_equal "$output" ""
	# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
	assert_equal "$stderr" ""
	assert_equal "$(wc -l <"$WORK/log.json")" 1
	run jq -r 'select(.level == "error") | .msg' "$WORK/log.json"
	assert_output --partial "phoenix: "
	assert_output --partial "$want"
	[ ! -e "$RECORD_DIR/argv" ] || fail "the runtime was called: $(recorded_argv)"
}

set_config() { # set_config JQ-FILTER: edit the bundle's config.json
	jq "$1" "$WORK/b/config.json" >"$WORK/c.new" && mv "$WORK/c.new" "$WORK/b/config.json"
}

@test "missing bundle directory" {
	expect_error "open bundle \`$WORK/nope\`: No such file or directory" create -b "$WORK/nope" c1
}

@test "bundle is a file" {
	expect_error "Not a directory" create -b "$WORK/b/config.json" c1
}

@test "config.json missing" {
	rm "$WORK/b/config.json"
	expect_error "config.json" create -b "$WORK/b" c1
	expect_error "No such file or directory" create -b "$WORK/b" c1
}

@test "config.json is a symbolic link" {
	mv "$WORK/b/config.json" "$WORK/real.json"
	ln -s "$WORK/real.json" "$WORK/b/config.json"
	expect_error "symbolic link" create -b "$WORK/b" c1
}

@test "config.json is a FIFO (does not block)" {
	rm "$WORK/b/config.json"
	mkfifo "$WORK/b/config.json"
	expect_error "not a regular file" create -b "$WORK/b" c1
}

@test "config.json is a directory" {
	rm "$WORK/b/config.json"
	mkdir "$WORK/b/config.json"
	expect_error "not a regular file" create -b "$WORK/b" c1
}

@test "config.json larger than the limit" {
	head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$WORK/b/config.json"
	expect_error "limit" create -b "$WORK/b" c1
}

@test "config.json is not JSON" {
	echo 'ociVersion: 1.0' >"$WORK/b/config.json"
	expect_error "config.json" create -b "$WORK/b" c1
}

@test "config.json truncated" {
	head -c 100 "$WORK/b/config.json" >"$WORK/t" && mv "$WORK/t" "$WORK/b/config.json"
	expect_error "config.json" create -b "$WORK/b" c1
}

@test "config.json is empty" {
	: >"$WORK/b/config.json"
	expect_error "config.json" create -b "$WORK/b" c1
}

@test "config.json is an array" {
	echo '[1,2]' >"$WORK/b/config.json"
	expect_error "object" create -b "$WORK/b" c1
}

@test "config.json has invalid UTF-8" {
	printf '{"ociVersion":"1.0.2","process":{"args":["\xff\xfe"]}}' >"$WORK/b/config.json"
	expect_error "invalid bytes in UTF8 string" create -b "$WORK/b" c1
}

@test "config.json has a duplicate key" {
	echo '{"ociVersion":"1","process":{"cwd":"/","cwd":"/x"}}' >"$WORK/b/config.json"
	expect_error "duplicate" create -b "$WORK/b" c1
	expect_error "process" create -b "$WORK/b" c1
}

@test "config.json nested too deeply" {
	{ printf '{"x":'; for _ in $(seq 100); do printf '['; done; for _ in $(seq 100); do printf ']'; done; printf '}'; } >"$WORK/b/config.json"
	expect_error "deep" create -b "$WORK/b" c1
}

@test "process.apparmorProfile of the wrong type" {
	set_config '.process.apparmorProfile = 42'
	expect_error "process.apparmorProfile: expected a string" create -b "$WORK/b" c1
}

@test "process is not an object" {
	set_config '.process = "sh"'
	expect_error "process: expected an object" create -b "$WORK/b" c1
}

@test "annotations of the wrong type" {
	set_config '.annotations = ["a"]'
	expect_error "annotations: expected an object" create -b "$WORK/b" c1
}

@test "profile names that would change the kernel write are refused" {
	local name
	for name in 'a&b' ':ns:p' 'p//q' 'p q' '&:root:unconfined' '^hat' 'x"y' '-p'; do
		jq --arg v "$name" '.process.apparmorProfile = $v' "$WORK/b/config.json" >"$WORK/c.new"
		mv "$WORK/c.new" "$WORK/b/config.json"
		expect_error "is not allowed" create -b "$WORK/b" c1
	done
	set_config '.process.apparmorProfile = "p\nchangeprofile unconfined"'
	expect_error "is not allowed" create -b "$WORK/b" c1
	set_config '.process.apparmorProfile = "p\u0000q"'
	expect_error "NUL" create -b "$WORK/b" c1
	set_config ".process.apparmorProfile = \"$(head -c 5000 /dev/zero | tr '\0' p)\""
	expect_error "is not allowed" create -b "$WORK/b" c1
}

@test "unconfined refused by the config" {
	echo '{"unconfined": "refuse"}' >"$PHOENIX_CONFIG"
	set_config '.process.apparmorProfile = "unconfined"'
	expect_error "refused by the config" create -b "$WORK/b" c1
}

@test "bad org.phoenix.gpu annotation" {
	set_config '.annotations["org.phoenix.gpu"] = "maybe"'
	expect_error "org.phoenix.gpu" create -b "$WORK/b" c1
}

@test "container ids with /, .., control characters or 1000 bytes" {
	expect_error "invalid container id" create -b "$WORK/b" 'a/b'
	expect_error "invalid container id" create -b "$WORK/b" '..'
	expect_error "invalid container id" create -b "$WORK/b" "$(printf 'a\tb')"
	EXPECT_STATUS=255 expect_error "invalid container id" exec "$(printf 'a\001b')" true
	expect_error "1000 bytes long" create -b "$WORK/b" "$(head -c 1000 /dev/zero | tr '\0' a)"
	expect_error "invalid container id" delete '../../etc'
}

@test "missing container id, or more than one: runc's argument check, status 1" {
	expect_error "\`create\` requires exactly 1 argument(s), got 0" create -b "$WORK/b"
	expect_error "\`delete\` requires exactly 1 argument(s), got 0" delete
	expect_error "\`start\` requires exactly 1 argument(s), got 0" start
	expect_error "\`exec\` requires a minimum of 1 argument(s), got 0" exec
	expect_error "\`run\` requires exactly 1 argument(s), got 2" run -b "$WORK/b" c1 c2
	expect_error "\`delete\` requires exactly 1 argument(s), got 2" delete c1 c2
}

@test "unknown option of an intercepted command" {
	expect_error "unknown option \`--frobnicate\`" create --frobnicate -b "$WORK/b" c1
	expect_error "unknown option" exec --frobnicate c1 true
}

@test "missing option value and bad --log-format value" {
	expect_error "needs a value" create --bundle
	# urfave moves `--bundle` before `c1`, which becomes its value
	expect_error "requires exactly 1 argument(s), got 0" create c1 --bundle
	rm -f "$WORK/log.json"
	run --separate-stderr "$PHOENIX" --log-format yaml state c1
	assert_failure 1
	[[ "$stderr" == *"invalid log format"* ]]
}

@test "phoenix.json: unknown key, wrong type, bad value, not JSON, missing" {
	echo '{"runtimes": "/x"}' >"$PHOENIX_CONFIG"
	expect_error "unknown key \`runtimes\`" state c1
	echo '{"requireApparmor": "yes"}' >"$PHOENIX_CONFIG"
	expect_error "key \`requireApparmor\`: expected true or false, got string" state c1
	echo '{"unconfined": "sometimes"}' >"$PHOENIX_CONFIG"
	expect_error "\`sometimes\` is not one of: namespace, default, refuse" state c1
	echo '{"stateDir": "relative"}' >"$PHOENIX_CONFIG"
	expect_error "is not an absolute path" state c1
	echo '{"complain": [1]}' >"$PHOENIX_CONFIG"
	expect_error "complain[0]" state c1
	echo '{' >"$PHOENIX_CONFIG"
	expect_error "phoenix.json" state c1
	echo '{"debug": true, "debug": false}' >"$PHOENIX_CONFIG"
	expect_error "duplicate" state c1
	PHOENIX_CONFIG="$WORK/missing.json" expect_error "missing.json" state c1
}

@test "runtime missing, or phoenix configured as its own runtime" {
	PHOENIX_RUNTIME="$WORK/none" expect_error "PHOENIX_RUNTIME: runtime" state c1
	unset PHOENIX_RUNTIME
	echo '{"runtime": "'"$PHOENIX_SELF"'"}' >"$PHOENIX_CONFIG"
	expect_error "is phoenix itself" state c1
	echo '{"runtime": "/etc/passwd"}' >"$PHOENIX_CONFIG"
	expect_error "not an executable" state c1
}

@test "exec --process: missing, a device, a directory, not JSON, wrong type, too large" {
	export EXPECT_STATUS=255
	expect_error "No such file" exec --process "$WORK/none.json" c1
	expect_error "\`/dev/null\` is not a regular file or a pipe" exec --process /dev/null c1
	ln -s /dev/zero "$WORK/zero-link"
	expect_error "is not a regular file or a pipe" exec -p "$WORK/zero-link" c1
	expect_error "is not a regular file or a pipe" exec -process="$WORK" c1
	echo 'nope' >"$WORK/p.json"
	expect_error "p.json" exec --process "$WORK/p.json" c1
	echo '{"args":["sh"],"apparmorProfile":["x"]}' >"$WORK/p.json"
	expect_error "apparmorProfile: expected a string" exec --process "$WORK/p.json" c1
	expect_error "apparmorProfile: expected a string" exec -p /dev/stdin c1 <"$WORK/p.json"
	head -c $((17 * 1024 * 1024)) /dev/zero >"$WORK/big.json"
	expect_error "larger than the limit" exec -p /dev/stdin c1 <"$WORK/big.json"
	expect_error "larger than the limit" exec --p=<(cat "$WORK/big.json") c1
}

@test "without AppArmor, create, run, exec and restore fail closed by default" {
	expect_error "AppArmor is not enabled" create -b "$WORK/b" c1
	expect_error "AppArmor is not enabled" run -b "$WORK/b" c1
	expect_error "AppArmor is not enabled" restore -b "$WORK/b" --image-path /x c1
	EXPECT_STATUS=255 expect_error "AppArmor is not enabled" exec c1 true
}
