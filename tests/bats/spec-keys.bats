#!/usr/bin/env bats
# Keys that runc reads as a spec field and crun and phoenix do not: runc
# decodes config.json and `exec --process` files with Go's encoding/json,
# which matches keys to fields without regard to case (U+017F and U+212A
# folding to s and k), the last match winning.  phoenix refuses such a
# document before the runtime is called.  Each test shows, with the real
# runc on this machine, what runc makes of the document, and that phoenix
# refuses it and leaves nothing behind.

load helpers

setup() {
	common_setup
	export ROOT="$WORK/runc-root"
	mkdir -p "$ROOT"
	# no AppArmor on this kernel: phoenix hands the commands to runc,
	# with its capability rule (macCapabilities: drop) still applied
	config_without_apparmor
}

teardown() {
	for id in $(runc --root "$ROOT" list -q 2>/dev/null); do
		runc --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	common_teardown
}

MAC_CAPS='["CAP_KILL","CAP_MAC_ADMIN","CAP_MAC_OVERRIDE"]'
WHY='for runc (Go matches keys to fields without regard to case) but not for crun'

# has_mac_caps: the "CapEff: HEX" line in $output has bits 32 and 33.
has_mac_caps() {
	local hex
	hex=$(sed -n 's/^CapEff:[[:space:]]*//p' <<<"$output")
	[ -n "$hex" ] || fail "no CapEff line in: $output"
	(((0x$hex >> 32 & 3) == 3))
}

# refused WANT ARGS...: phoenix ARGS fails with WANT in its --log line,
# with runc's status for the command (exec: 255, the others: 1).
# Its output goes to files: should phoenix let a container start, that
# container does not hold a pipe of bats open.
refused() {
	local want=$1 status=0 expect=1
	shift
	[[ $1 != exec ]] || expect=255
	rm -f "$WORK/log.json"
	"$PHOENIX" --root "$ROOT" --log "$WORK/log.json" --log-format json "$@" \
		</dev/null >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
	assert_equal "$status" "$expect"
	assert_equal "$(cat "$WORK/stdout")" ""
	assert_equal "$(wc -l <"$WORK/log.json")" 1
	run jq -r 'select(.level == "error") | .msg' "$WORK/log.json"
	assert_output --partial "$want"
}

# nothing_left B ID: no container ID, no record of phoenix's, the bundle
# as it was (config.orig) with nothing added next to it.
nothing_left() {
	local bundle=$1 id=$2
	run runc --root "$ROOT" state "$id"
	assert_failure
	cmp "$WORK/config.orig" "$bundle/config.json"
	assert_equal "$(ls -A "$bundle" | tr '\n' ' ')" "config.json rootfs "
	[ ! -e "$WORK/state" ] || assert_equal "$(find "$WORK/state" -type f | wc -l)" 0
}

@test "process.Capabilities: runc grants CAP_MAC_ADMIN from it, phoenix refuses a foreground run" {
	make_bundle "$WORK/b" '["grep","CapEff","/proc/self/status"]'
	jq --argjson c "$MAC_CAPS" \
		'.process.Capabilities = {bounding: $c, effective: $c, permitted: $c}' \
		"$WORK/b/config.json" >"$WORK/c.new" && mv "$WORK/c.new" "$WORK/b/config.json"
	cp "$WORK/b/config.json" "$WORK/config.orig"
	# what runc makes of it: the later, folded key replaces the capabilities
	run runc --root "$ROOT" run --bundle "$WORK/b" direct
	assert_success
	has_mac_caps
	# phoenix drops CAP_MAC_ADMIN from `capabilities` only: it must refuse
	refused "config.json: process.Capabilities: key \"Capabilities\" is the field \"capabilities\" $WHY: spell it \"capabilities\"" \
		run --bundle "$WORK/b" c1
	nothing_left "$WORK/b" c1
}

@test "a second apparmorProfile spelled ApparmorProfile: create is refused" {
	make_bundle "$WORK/b" '["true"]'
	jq '.process.apparmorProfile = "phoenix-default" | .process.ApparmorProfile = "unconfined"' \
		"$WORK/b/config.json" >"$WORK/c.new" && mv "$WORK/c.new" "$WORK/b/config.json"
	cp "$WORK/b/config.json" "$WORK/config.orig"
	refused "config.json: process.ApparmorProfile: key \"ApparmorProfile\" is the field \"apparmorProfile\" $WHY: spell it \"apparmorProfile\"" \
		create --bundle "$WORK/b" c1
	nothing_left "$WORK/b" c1
}

@test "hooks.Prestart: runc runs the hook on the host, phoenix refuses" {
	make_bundle "$WORK/b" '["true"]'
	jq --arg f "$WORK/hook-ran" '.hooks.Prestart = [{path: "/usr/bin/touch", args: ["touch", $f]}]' \
		"$WORK/b/config.json" >"$WORK/c.new" && mv "$WORK/c.new" "$WORK/b/config.json"
	cp "$WORK/b/config.json" "$WORK/config.orig"
	run runc --root "$ROOT" run --bundle "$WORK/b" direct
	assert_success
	[ -e "$WORK/hook-ran" ] || fail "runc did not read hooks.Prestart"
	rm "$WORK/hook-ran"
	refused "config.json: hooks.Prestart: key \"Prestart\" is the field \"prestart\" $WHY" \
		run --bundle "$WORK/b" c1
	[ ! -e "$WORK/hook-ran" ] || fail "the hook ran"
	nothing_left "$WORK/b" c1
}

@test "keys with U+017F and U+212A are refused with the path and both spellings" {
	make_bundle "$WORK/b" '["true"]'
	jq '.process["capabilitie\u017f"] = {} | .linux.resources.memory["\u212aernel"] = 1' \
		"$WORK/b/config.json" >"$WORK/c.new" && mv "$WORK/c.new" "$WORK/b/config.json"
	cp "$WORK/b/config.json" "$WORK/config.orig"
	local long_s kelvin
	long_s=$(printf '\305\277')
	kelvin=$(printf '\342\204\252')
	refused "config.json: process.capabilitie$long_s: key \"capabilitie$long_s\" is the field \"capabilities\"" \
		create --bundle "$WORK/b" c1
	jq 'del(.process["capabilitie\u017f"])' "$WORK/config.orig" >"$WORK/b/config.json"
	cp "$WORK/b/config.json" "$WORK/config.orig"
	refused "config.json: linux.resources.memory.${kelvin}ernel: key \"${kelvin}ernel\" is the field \"kernel\"" \
		create --bundle "$WORK/b" c1
	nothing_left "$WORK/b" c1
}

@test "annotations keep their keys as written: a map, not a struct" {
	make_bundle "$WORK/b" '["true"]'
	jq '.annotations = {"Process": "x", "process": "y", "ApparmorProfile": "z"}' \
		"$WORK/b/config.json" >"$WORK/c.new" && mv "$WORK/c.new" "$WORK/b/config.json"
	run "$PHOENIX" --root "$ROOT" run --bundle "$WORK/b" c1
	assert_success
}

@test "exec --process with a folded key: runc grants CAP_MAC_ADMIN from it, phoenix refuses" {
	make_bundle "$WORK/b" '["sleep","1000"]'
	# the container's stdio must not be bats' pipe, or `run` waits for it
	"$PHOENIX" --root "$ROOT" create --bundle "$WORK/b" c1 </dev/null >/dev/null 2>&1
	"$PHOENIX" --root "$ROOT" start c1
	assert_equal "$(runc --root "$ROOT" state c1 | jq -r .status)" running
	jq -n --argjson c "$MAC_CAPS" '{
		args: ["grep", "CapEff", "/proc/self/status"], cwd: "/", user: {uid: 0, gid: 0},
		env: ["PATH=/bin"],
		capabilities: {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]},
		Capabilities: {bounding: $c, effective: $c, permitted: $c}}' >"$WORK/p.json"
	run runc --root "$ROOT" exec --process "$WORK/p.json" c1
	assert_success
	has_mac_caps
	refused "$WORK/p.json: Capabilities: key \"Capabilities\" is the field \"capabilities\" $WHY: spell it \"capabilities\"" \
		exec --process "$WORK/p.json" c1
	# nothing was started in the container: it runs its sleep alone
	run runc --root "$ROOT" ps c1
	assert_success
	assert_equal "$(grep -c grep <<<"$output")" 0
	# a folded capability set inside the exact `capabilities`
	jq -n --argjson c "$MAC_CAPS" '{args: ["true"], cwd: "/", user: {uid: 0, gid: 0},
		capabilities: {bounding: ["CAP_KILL"], Bounding: $c}}' >"$WORK/p.json"
	refused "$WORK/p.json: capabilities.Bounding: key \"Bounding\" is the field \"bounding\"" \
		exec --process "$WORK/p.json" c1
}
