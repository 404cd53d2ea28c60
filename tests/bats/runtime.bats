#!/usr/bin/env bats
# Finding the real runtime: PHOENIX_RUNTIME, the config's "runtime", then
# runc and crun on PATH — never phoenix itself, whatever its name.

load helpers

setup() {
	common_setup
	make_recorder
}

teardown() {
	common_teardown
}

@test "PHOENIX_RUNTIME wins over the config" {
	echo '{"runtime": "/bin/false"}' >"$PHOENIX_CONFIG"
	PHOENIX_RUNTIME="$WORK/recorder" run "$PHOENIX" state c1
	assert_success
	assert_equal "$(recorded_argv)" "state|c1|"
}

@test "the config's runtime is used" {
	echo '{"runtime": "'"$WORK"'/recorder"}' >"$PHOENIX_CONFIG"
	run "$PHOENIX" state c1
	assert_success
	assert_equal "$(recorded_argv)" "state|c1|"
}

@test "runc on PATH is found, and phoenix installed as runc is skipped" {
	mkdir -p "$WORK/bin1" "$WORK/bin2"
	ln -s "$PHOENIX_SELF" "$WORK/bin1/runc"    # phoenix under the name runc, first on PATH
	cp "$WORK/recorder" "$WORK/bin2/runc"       # the "real" runc
	PATH="$WORK/bin1:$WORK/bin2:/usr/bin:/bin" run "$PHOENIX" state c1
	assert_success
	assert_equal "$(recorded_argv)" "state|c1|"
	assert_equal "$(cat "$RECORD_DIR/argv0")" "$WORK/bin2/runc"
}

@test "a copy of phoenix (hard link) is recognised as phoenix" {
	mkdir -p "$WORK/bin"
	ln "$PHOENIX_SELF" "$WORK/bin/runc" 2>/dev/null || cp "$PHOENIX_SELF" "$WORK/bin/runc"
	PATH="$WORK/bin:/nonexistent" run "$PHOENIX" state c1
	assert_failure
	if [ "$(stat -c %i "$PHOENIX_SELF")" = "$(stat -c %i "$WORK/bin/runc")" ]; then
		assert_output --partial "no OCI runtime found"
	fi
}

@test "PHOENIX_RUNTIME pointing at phoenix itself is an error" {
	PHOENIX_RUNTIME="$PHOENIX_SELF" run "$PHOENIX" state c1
	assert_failure
	assert_output --partial "is phoenix itself"
}

@test "a missing runtime is a clear error" {
	PHOENIX_RUNTIME=/nonexistent/runc run "$PHOENIX" state c1
	assert_failure
	assert_output --partial "PHOENIX_RUNTIME: runtime \`/nonexistent/runc\`: No such file or directory"
	PATH=/nonexistent run "$PHOENIX" state c1
	assert_failure
	assert_output --partial "no OCI runtime found"
}

@test "--version shows the runtime's lines first, then phoenix's" {
	run "$PHOENIX" --version
	assert_success
	assert_line --index 0 --regexp '^runc version '
	assert_line --regexp '^commit: '
	assert_line --regexp '^phoenix version [0-9]+\.[0-9]+\.[0-9]+$'
	# dockerd takes the last line containing "version"
	last=$(grep version <<<"$output" | tail -n 1)
	[[ "$last" == "phoenix version "* ]]
	run "$PHOENIX" -v
	assert_success
	assert_line --index 0 --regexp '^runc version '
}

@test "features passes the runtime's document through with phoenix's annotations" {
	run --separate-stderr "$PHOENIX" features
	assert_success
	echo "$output" | jq -e '.annotations["org.phoenix.version"] | test("^[0-9]")'
	runc_doc=$(runc features | jq -S 'del(.annotations)')
	ours=$(echo "$output" | jq -S 'del(.annotations)')
	assert_equal "$ours" "$runc_doc"
	# runc's own annotations survive
	runc features | jq -r '.annotations | keys[]' | while read -r k; do
		echo "$output" | jq -e --arg k "$k" '.annotations[$k] != null'
	done
}

@test "features of a runtime without the command: phoenix's own document" {
	PHOENIX_RUNTIME="$WORK/recorder" RECORD_STATUS=1 run --separate-stderr "$PHOENIX" features
	assert_success
	echo "$output" | jq -e '.ociVersionMin == "1.0.0"'
	echo "$output" | jq -e '.linux.seccomp.enabled == true'
	echo "$output" | jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO") != null'
	echo "$output" | jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64") != null'
	echo "$output" | jq -e '.linux.capabilities | index("CAP_MAC_ADMIN") != null'
	echo "$output" | jq -e '.linux.capabilities | length >= 38'
	echo "$output" | jq -e '.annotations["org.phoenix.apparmor.policyNamespaces"] == "true"'
}

@test "features with the real crun 1.8, which has no features command" {
	if crun features >/dev/null 2>&1; then
		run --separate-stderr env PHOENIX_RUNTIME="$(command -v crun)" "$PHOENIX" features
		assert_success
		echo "$output" | jq -e '.annotations["org.phoenix.version"]'
		return
	fi
	run --separate-stderr env PHOENIX_RUNTIME="$(command -v crun)" "$PHOENIX" features
	assert_success
	echo "$output" | jq -e '.linux.seccomp.enabled == true'
	echo "$output" | jq -e '.annotations["org.phoenix.version"]'
}
