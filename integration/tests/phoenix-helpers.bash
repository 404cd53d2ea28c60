# Shared set-up for phoenix's tests on the real AppArmor kernel (run inside
# the integration VM by integration/run-suite.sh).
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
PHOENIX=${PHOENIX_BIN:-$REPO/build/phoenix}
AAFS=/sys/kernel/security/apparmor
# compiled policy survives from test to test (the guest's /tmp lives as
# long as the VM): one compile per profile for the whole suite
PHX_CACHE=/tmp/phoenix-test-cache

phx_setup() {
	T=$(mktemp -d /tmp/phx.XXXXXX)
	export T
	export ROOT=$T/runc-root
	export PHOENIX_CONFIG=$T/phoenix.json
	write_config '{}'
	mkdir -p "$T/profiles"
	unset PHOENIX_RUNTIME
}

# write_config JSON-OBJECT: phoenix's test config plus the given keys.
write_config() {
	jq -n --arg repo "$REPO" --arg t "$T" --arg cache "$PHX_CACHE" --argjson extra "$1" \
		'{profilesDir: ($repo + "/profiles/container"), localProfilesDir: ($t + "/profiles"),
		  cacheDir: $cache, stateDir: ($t + "/state")} + $extra' >"$PHOENIX_CONFIG"
}

phx_teardown() {
	local id ns
	for id in $(runc --root "$ROOT" list -q 2>/dev/null); do
		"$PHOENIX" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 ||
			runc --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	# each test starts without phoenix namespaces (tests that leave one
	# on purpose have asserted what they needed by now)
	for ns in $(phx_namespaces); do
		rmdir "$AAFS/policy/namespaces/$ns" 2>/dev/null || true
	done
	rm -rf "$T"
}

# phx ARGS: phoenix with this test's runtime root and a JSON --log, its
# stdio on files: a container created with `run`'s pipe as its stdout would
# hold that pipe open and `run` would never return.  Output: $T/out, $T/err;
# the --log: $T/log.
phx() {
	"$PHOENIX" --root "$ROOT" --log "$T/log" --log-format json "$@" </dev/null >"$T/out" 2>"$T/err"
}

# phx_as LABEL ARGS: phx run by a process confined by LABEL (aa-exec).
phx_as() {
	local label=$1
	shift
	aa-exec -p "$label" -- "$PHOENIX" --root "$ROOT" --log "$T/log" --log-format json "$@" </dev/null >"$T/out" 2>"$T/err"
}

# The last error phoenix (or runc) wrote to the --log.
log_error() {
	jq -r 'select(.level=="error") | .msg' "$T/log" | tail -n 1
}

# The phoenix namespaces below the root namespace, or below $1.
phx_namespaces() {
	local dir=$AAFS/policy/namespaces
	[ -z "${1:-}" ] || dir=$dir/$1/namespaces
	local n
	for n in "$dir"/phx-*; do
		[ ! -e "$n" ] || echo "${n##*/}"
	done
}

# make_bundle DIR SCRIPT: a busybox container running `sh -c SCRIPT`, with a
# writable root so the container can leave results in it.
make_bundle() {
	local dir=$1 script=$2
	mkdir -p "$dir/rootfs"/{bin,proc,sys,dev,tmp,etc,phoenix-denied,phoenix-host-denied,phoenix-custom-denied}
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	local a
	for a in sh cat echo sleep ls id grep true false kill mkdir touch ps head wc env; do
		ln -sf busybox "$dir/rootfs/bin/$a"
	done
	echo secret >"$dir/rootfs/phoenix-denied/secret"
	echo secret >"$dir/rootfs/phoenix-host-denied/secret"
	echo secret >"$dir/rootfs/phoenix-custom-denied/secret"
	(cd "$dir" && runc spec)
	jq --arg s "$script" '.process.terminal = false | .root.readonly = false |
		.process.args = ["sh", "-c", $s]' "$dir/config.json" >"$dir/c.new"
	mv "$dir/c.new" "$dir/config.json"
}

# A container script that records its own label and the result of reading
# the canary paths, then waits.  (For the files that load this one.)
# shellcheck disable=SC2034
PROBE_SCRIPT='cat /proc/self/attr/current >/label
cat /phoenix-denied/secret >/dev/null 2>/denied.err; echo $? >/denied.status
cat /phoenix-host-denied/secret >/dev/null 2>/host-denied.err; echo $? >/host-denied.status
touch /ready
exec sleep 1000'

# wait_file PATH: wait up to 30 s for PATH to exist.
wait_file() {
	local _
	for _ in $(seq 300); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1" >&2
	return 1
}

container_pid() {
	runc --root "$ROOT" state "$1" | jq -r .pid
}

# The namespace phoenix made for container $1 (below namespace $2 if given).
ns_of() {
	phx_namespaces "${2:-}" | grep -- "-$1\$"
}

# load_host_profile NAME: compile and load a host-side profile into the root
# namespace (idempotent: -r replaces).
load_host_profile() {
	apparmor_parser -r -W -L "$PHX_CACHE/host" -I "$REPO/profiles/host" "$REPO/profiles/host/$1" 2>/dev/null ||
		apparmor_parser -r -I "$REPO/profiles/host" "$REPO/profiles/host/$1"
}

# The kernel log of AppArmor decisions since the test began.
denials_since() {
	dmesg | grep 'apparmor="DENIED"' | grep -F -- "$1" || true
}
