#!/usr/bin/env bats
# Hostile input on the real kernel: profile names built to change the
# kernel write, container ids built to escape the state directory, config
# files that are not what they claim, capability and seccomp sections that
# are wrong, a bundle swapped during create, an exec that changes the
# profile.  Each one is a clear error, and nothing is left: no namespace,
# no record, no runtime state, no profile loaded.

load phoenix-helpers

setup() {
	phx_setup
	make_bundle "$T/b" 'exec sleep 1000'
	cp "$T/b/config.json" "$T/base.json"
	profiles_before=$(sort "$AAFS/profiles")
	export profiles_before
}

teardown() {
	phx_teardown
}

# nothing_left [ID]: no namespace, record, runtime state or new profile.
nothing_left() {
	[ -z "$(phx_namespaces)" ] || {
		echo "namespace left: $(phx_namespaces)" >&2
		return 1
	}
	[ -z "$(ls "$T/state"/*.json 2>/dev/null)" ] || {
		echo "record left: $(ls "$T/state")" >&2
		return 1
	}
	[ -z "$(runc --root "$ROOT" list -q 2>/dev/null)" ] || {
		echo "container left: $(runc --root "$ROOT" list -q)" >&2
		return 1
	}
	[ "$(sort "$AAFS/profiles")" = "$profiles_before" ] || {
		echo "profiles changed" >&2
		return 1
	}
}

# refused WANT ARGS...: phoenix ARGS fails within 60 s, WANT is in its
# --log error, and nothing is left.
refused() {
	local want=$1
	shift
	rm -f "$T/log"
	run timeout 60 "$PHOENIX" --root "$ROOT" --log "$T/log" --log-format json "$@" \
		</dev/null >/dev/null 2>&1
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || {
		echo "phoenix $* (status $status) was not refused" >&2
		return 1
	}
	# the whole message, even one that quotes a newline of the input
	output=$(jq -rs '[.[] | select(.level == "error")] | last | .msg' "$T/log")
	[[ $output == *"$want"* ]] || {
		echo "phoenix $*: error \"$output\" lacks \"$want\"" >&2
		return 1
	}
	nothing_left
}

# spec_refused WANT JQ-FILTER [JQ ARGS...]: a config.json edited by the
# filter is refused by create.
spec_refused() {
	local want=$1 filter=$2
	shift 2
	jq "$@" "$filter" "$T/base.json" >"$T/b/config.json"
	refused "$want" create --bundle "$T/b" h1
	cp "$T/base.json" "$T/b/config.json"
}

# profile_refused WANT NAME: the spec asks for profile NAME.
profile_refused() {
	spec_refused "$1" '.process.apparmorProfile = $v' --arg v "$2"
}

@test "profile names that would change what phoenix writes to the kernel (20 cases)" {
	local name
	for name in 'a&b' ':ns:p' 'p//q' '&:root:unconfined' 'p:q' 'p q' "$(printf 'p\tq')" \
		"$(printf 'p\nchangeprofile unconfined')" '^hat' '-p' 'p*' '../../etc/passwd' \
		' unconfined' 'unconfined ' 'unconfined//x' ':root:unconfined' 'unconfined (enforce)' \
		'phoenix-default//&unconfined' "$(head -c 5000 /dev/zero | tr '\0' p)"; do
		profile_refused "is not allowed" "$name"
	done
	# a NUL inside the name (JSON \u0000)
	spec_refused "NUL" '.process.apparmorProfile = "p\u0000q"'
}

@test "unconfined in other spellings is a profile that does not exist, not unconfined (2 cases)" {
	profile_refused "Unconfined" Unconfined
	profile_refused "UNCONFINED" UNCONFINED
}

@test "container ids with /, .., control characters, a colon or 1000 bytes (8 cases)" {
	local id
	for id in 'a/b' '..' '.' '../../etc' "$(printf 'a\tb')" "$(printf 'a\001b')" 'a:b'; do
		refused "invalid container id" create --bundle "$T/b" "$id"
	done
	refused "1000 bytes long" create --bundle "$T/b" "$(head -c 1000 /dev/zero | tr '\0' a)"
}

@test "config.json as a symlink, a FIFO, a directory, 100 MB, empty (5 cases)" {
	mv "$T/b/config.json" "$T/real.json"
	ln -s "$T/real.json" "$T/b/config.json"
	refused "symbolic link" create --bundle "$T/b" h1
	rm "$T/b/config.json"
	mkfifo "$T/b/config.json"
	refused "config.json" create --bundle "$T/b" h1
	rm "$T/b/config.json"
	mkdir "$T/b/config.json"
	refused "config.json" create --bundle "$T/b" h1
	rmdir "$T/b/config.json"
	truncate -s 100M "$T/b/config.json"
	refused "config.json" create --bundle "$T/b" h1
	: >"$T/b/config.json"
	refused "config.json" create --bundle "$T/b" h1
}

@test "config.json deeply nested, truncated, invalid UTF-8, with duplicate keys (4 cases)" {
	printf '%.0s[' $(seq 100000) >"$T/b/config.json"
	refused "config.json" create --bundle "$T/b" h1
	head -c 200 "$T/base.json" >"$T/b/config.json"
	refused "config.json" create --bundle "$T/b" h1
	sed 's/"sh"/"\xff\xfe"/' "$T/base.json" >"$T/b/config.json"
	refused "config.json" create --bundle "$T/b" h1
	sed 's/^{/{"process": {}, /' "$T/base.json" >"$T/b/config.json"
	refused "duplicate" create --bundle "$T/b" h1
}

@test "keys that runc's encoding/json folds to a field phoenix reads (7 cases)" {
	spec_refused 'process.ApparmorProfile: key "ApparmorProfile" is the field "apparmorProfile"' \
		'.process.apparmorProfile = "phoenix-default" | .process.ApparmorProfile = "unconfined"'
	spec_refused 'process.Capabilities: key "Capabilities" is the field "capabilities"' \
		'.process.Capabilities = {bounding: $c, effective: $c, permitted: $c}' \
		--argjson c '["CAP_MAC_ADMIN","CAP_MAC_OVERRIDE"]'
	spec_refused 'process.capabilities.Ambient: key "Ambient"' \
		'.process.capabilities.Ambient = ["CAP_MAC_ADMIN"]'
	spec_refused "linux.$(printf '\305\277')eccomp: key" '.linux["\u017feccomp"] = {}'
	spec_refused 'hooks.prestart[0].Path: key "Path" is the field "path"' \
		'.hooks.prestart = [{Path: "/bin/true"}]'
	# a foreground run, which has no label check after the start
	jq '.process.ApparmorProfile = "unconfined"' "$T/base.json" >"$T/b/config.json"
	refused 'process.ApparmorProfile' run --bundle "$T/b" h1
	cp "$T/base.json" "$T/b/config.json"
	# exec --process into a running container
	phx run -d --bundle "$T/b" e1
	jq -n '{terminal: false, user: {uid: 0, gid: 0}, cwd: "/", args: ["true"],
		env: ["PATH=/bin"], apparmorProfile: "phoenix-default", ApparmorProfile: "unconfined"}' \
		>"$T/p.json"
	run phx exec --process "$T/p.json" e1
	assert_failure
	log_error | grep -qF "$T/p.json: ApparmorProfile: key \"ApparmorProfile\" is the field \"apparmorProfile\""
	assert_equal "$(cat "/proc/$(container_pid e1)/attr/current")" ":$(ns_of e1):phoenix-default (enforce)"
}

@test "wrong types where phoenix reads (6 cases)" {
	spec_refused "process" '.process = 1'
	spec_refused "apparmorProfile" '.process.apparmorProfile = 7'
	spec_refused "apparmorProfile" '.process.apparmorProfile = ["p"]'
	spec_refused "annotations" '.annotations = []'
	spec_refused "org.phoenix.gpu" '.annotations["org.phoenix.gpu"] = "maybe"'
	spec_refused "capabilities" '.process.capabilities.bounding = "CAP_KILL"'
}

@test "capability names that are not capabilities (3 cases)" {
	spec_refused "CAP_FOO" '.process.capabilities.bounding += ["CAP_FOO"]'
	spec_refused "cap_kill" '.process.capabilities.effective += ["cap_kill"]'
	spec_refused "CAP_MAC_ADMIN" '.process.capabilities.ambient += ["CAP_MAC_ADMIN\nCAP_SYS_ADMIN"]'
}

@test "seccomp sections the runtime would choke on (4 cases)" {
	local s='{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}'
	spec_refused "SCMP_ACT_EXPLODE" ".linux.seccomp = ($s | .defaultAction = \"SCMP_ACT_EXPLODE\")"
	spec_refused "SCMP_ARCH_PDP11" ".linux.seccomp = ($s | .architectures = [\"SCMP_ARCH_PDP11\"])"
	spec_refused "no_such_syscall" ".linux.seccomp = ($s | .syscalls = [{\"names\": [\"no_such_syscall\"], \"action\": \"SCMP_ACT_ERRNO\"}])"
	spec_refused "SCMP_CMP_ROUGHLY" ".linux.seccomp = ($s | .syscalls = [{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ROUGHLY\"}]}])"
}

@test "a bundle directory swapped during create" {
	# the swap happens while phoenix compiles the profile: a parser that
	# replaces the bundle first (a cache of its own forces the compile)
	cat >"$T/swapping-parser" <<-EOF
		#!/bin/sh
		mv "$T/b" "$T/b.orig" && cp -a "$T/b.orig" "$T/b"
		exec /sbin/apparmor_parser "\$@"
	EOF
	chmod +x "$T/swapping-parser"
	write_config "$(jq -n --arg p "$T/swapping-parser" --arg c "$T/cache" '{apparmorParser: $p, cacheDir: $c}')"
	refused "was replaced during create" create --bundle "$T/b" h1
	[ -d "$T/b.orig" ]
}

@test "an exec --process that changes the container's profile, also behind a symlink (3 cases)" {
	phx run -d --bundle "$T/b" e1
	cat >"$T/p.json" <<-'JSON'
		{"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
		 "args": ["true"], "env": ["PATH=/bin"], "apparmorProfile": "unconfined"}
	JSON
	run phx exec --process "$T/p.json" e1
	assert_failure
	log_error | grep -qF "cannot change the container's profile"
	jq '.apparmorProfile = ":root:unconfined"' "$T/p.json" >"$T/p2.json"
	run phx exec --process "$T/p2.json" e1
	assert_failure
	log_error | grep -qF "is not allowed"
	# a symlink is followed as runc's os.Open follows it (phoenix writes
	# nothing there): the document behind it is what is checked
	ln -s "$T/p.json" "$T/plink.json"
	run phx exec --process "$T/plink.json" e1
	assert_failure
	log_error | grep -qF "cannot change the container's profile"
	# the container is untouched
	assert_equal "$(cat "/proc/$(container_pid e1)/attr/current")" ":$(ns_of e1):phoenix-default (enforce)"
}
