# Shared set-up for phoenix's CLI tests.
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
PHOENIX=${PHOENIX_BIN:-$REPO_ROOT/build/phoenix}
# The phoenix executable itself, for tests about phoenix recognising its
# own file: PHOENIX may be a wrapper (tests/valgrind.sh runs phoenix under
# valgrind through one), which phoenix rightly takes for another program.
# shellcheck disable=SC2034 # used by the files that load this one
PHOENIX_SELF=${PHOENIX_SELF_BIN:-$PHOENIX}
RUNC=$(command -v runc)

common_setup() {
	WORK=$(mktemp -d "${BATS_TMPDIR:-/tmp}/phoenix-bats.XXXXXX")
	export WORK
	# an empty config: all defaults, unless a test writes one
	export PHOENIX_CONFIG="$WORK/phoenix.json"
	echo '{}' >"$PHOENIX_CONFIG"
	unset PHOENIX_RUNTIME
}

common_teardown() {
	rm -rf "$WORK"
}

# A stand-in runtime that records how it was called: argv (one per line,
# NUL-safe via od), environment, cwd, open descriptors and stdin when
# RECORD_STDIN is set; exits with $RECORD_STATUS or kills itself with
# $RECORD_SIGNAL.
make_recorder() {
	cat >"$WORK/recorder" <<'SH'
#!/bin/bash
out=${RECORD_DIR:?}
printf '%s\0' "$@" >"$out/argv"
printf '%s' "$0" >"$out/argv0"
env -0 | sort -z >"$out/env"
pwd >"$out/cwd"
ls /proc/$$/fd | sort -n | tr '\n' ' ' >"$out/fds"
if [ -n "${RECORD_STDIN:-}" ]; then cat >"$out/stdin"; fi
if [ -n "${RECORD_OUTPUT:-}" ]; then echo "runtime stdout"; echo "runtime stderr" >&2; fi
if [ -n "${RECORD_SIGNAL:-}" ]; then kill -s "$RECORD_SIGNAL" $$; fi
exit "${RECORD_STATUS:-0}"
SH
	chmod +x "$WORK/recorder"
	mkdir -p "$WORK/rec"
	export RECORD_DIR="$WORK/rec"
}

# The argv the recorder saw, as one line with | separators.
recorded_argv() {
	tr '\0' '|' <"$RECORD_DIR/argv"
}

# A busybox root filesystem from Debian's busybox-static.
make_rootfs() {
	local dir=$1
	mkdir -p "$dir/bin" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" "$dir/etc"
	cp /bin/busybox "$dir/bin/busybox"
	local applet
	for applet in sh cat echo sleep ls id grep true false ps hostname env wc head trap kill mkdir touch; do
		ln -sf busybox "$dir/bin/$applet"
	done
	echo 'root:x:0:0:root:/:/bin/sh' >"$dir/etc/passwd"
	echo 'root:x:0:' >"$dir/etc/group"
}

# A bundle running `args...` (JSON array text) without a terminal.
make_bundle() {
	local dir=$1 args=$2
	mkdir -p "$dir"
	make_rootfs "$dir/rootfs"
	(cd "$dir" && "$RUNC" spec)
	jq --argjson args "$args" '.process.terminal = false | .process.args = $args' \
		"$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
}

# phoenix configured to run without AppArmor: on this machine the kernel
# has none, so create/run/exec are handed to runc after a warning.
config_without_apparmor() {
	echo '{"requireApparmor": false, "stateDir": "'"$WORK"'/state"}' >"$PHOENIX_CONFIG"
}
