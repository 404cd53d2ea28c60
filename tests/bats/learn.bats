#!/usr/bin/env bats
# phoenix learn: one container's records, recorded under phoenix-learn, as
# a profile of its own.  The fixtures hold records in the form /dev/kmsg
# gives them for container c1 of --root /run/phoenix-bats (namespace
# phx-1aa7ec62-c1), a second container c2, the host's profile, and (in
# two-parents.log) a namespace of the same name below another LXC
# container's.  That the kernel writes such records, and enforces the
# result, is shown in integration/tests/phoenix-ops.bats.

load helpers

FIXTURES="$BATS_TEST_DIRNAME/fixtures/learn"
ROOT=/run/phoenix-bats

setup() {
	common_setup
	mkdir -p "$WORK/state"
	jq -n --arg w "$WORK" --arg p "$REPO_ROOT/profiles/container" \
		'{stateDir: ($w + "/state"), profilesDir: $p, localProfilesDir: ($w + "/profiles")}' >"$PHOENIX_CONFIG"
}

teardown() {
	common_teardown
}

learn() {
	run "$PHOENIX" --root "$ROOT" learn "$@"
}

@test "learn: c1's records become a profile in localProfilesDir, shown as a diff against the base" {
	learn c1 web --source "$FIXTURES/kmsg.log"
	assert_success
	assert_line --index 0 "--- phoenix-default	$REPO_ROOT/profiles/container/phoenix-default"
	assert_line --index 1 "+++ web	$WORK/profiles/web"
	assert_line '-  include <abstractions/phoenix-container-base>'
	assert_line '+  /www/index.html r,'
	assert_line "written: $WORK/profiles/web"
	local p=$WORK/profiles/web
	[ "$(stat -c %a "$p")" = 644 ]
	grep -qx 'profile web flags=(attach_disconnected,mediate_deleted) {' "$p"
	grep -qxF "  include \"$REPO_ROOT/profiles/container/abstractions/phoenix-container-bounds\"" "$p"
	# generalised like aa-logprof: per-process, numbered and temporary names
	grep -qxF '  @{PROC}/@{pid}/status r,' "$p"
	grep -qxF '  /www/data/report.[0-9]* r,' "$p"
	grep -qxF '  /tmp/tmp.* rw,' "$p"
	# a created log file, a helper run in the same profile, a capability, a socket, a signal
	grep -qxF '  /var/log/httpd.log w,' "$p"
	grep -qxF '  /bin/helper ix,' "$p"
	grep -qxF '  capability net_bind_service,' "$p"
	grep -qxF '  network inet stream,' "$p"
	grep -qxF '  signal (send) set=(term) peer=@{profile_name},' "$p"
	# the parser takes it, with phoenix's bounds from the profiles directory
	apparmor_parser -Q -K -o "$WORK/web.bin" "$p"
}

@test "learn: never what the bounds or the host deny, another container's records, or a profile change" {
	learn c1 web --source "$FIXTURES/kmsg.log"
	assert_success
	local p=$WORK/profiles/web
	run cat "$p"
	refute_output --partial mount
	refute_output --partial sysrq
	refute_output --partial mac_admin
	refute_output --partial /phoenix-host-denied
	refute_output --partial /etc/shadow
	refute_output --partial change_profile
	refute_output --partial unconfined
	refute_output --partial 'set=(kill)'
	run "$PHOENIX" --root "$ROOT" learn c1 web2 --source "$FIXTURES/kmsg.log" --dry-run
	assert_line 'not learned: mount /mnt/ (denied by phoenix'"'"'s bounds)'
	assert_line 'not learned: open /proc/sysrq-trigger w (denied by phoenix'"'"'s bounds)'
	assert_line 'not learned: capable mac_admin (denied while recording)'
	assert_line 'not learned: open /phoenix-host-denied/secret (denied by `phoenix-test-host`)'
	assert_line 'not learned: change_profile unconfined (a learned profile never changes profile)'
	assert_line --partial 'not learned: signal send peer `phoenix-test-host//&:phx-1aa7ec62-c2:phoenix-default` (outside the container)'
	assert_line --partial 'not learned: open of a file: its name holds characters'
	[ ! -e "$WORK/profiles/web2" ]
}

@test "learn: an existing profile is kept unless --force" {
	learn c1 web --source "$FIXTURES/kmsg.log"
	assert_success
	echo '# mine' >"$WORK/profiles/web"
	learn c1 web --source "$FIXTURES/kmsg.log"
	assert_failure
	assert_output --partial 'profile `web` exists'
	grep -qx '# mine' "$WORK/profiles/web"
	learn c1 web --source "$FIXTURES/kmsg.log" --force
	assert_success
	! grep -qx '# mine' "$WORK/profiles/web"
}

@test "learn: a symbolic link in place of the profile is not followed" {
	mkdir -p "$WORK/profiles"
	chmod 755 "$WORK/profiles"
	ln -s "$WORK/target" "$WORK/profiles/web"
	learn c1 web --source "$FIXTURES/kmsg.log" --force
	assert_failure
	[ ! -e "$WORK/target" ]
}

@test "learn: records with a gap are reported and not written without --allow-gaps" {
	learn c1 web --source "$FIXTURES/gap.log"
	assert_failure
	assert_output --partial 'gap: records may be missing (/dev/kmsg jumped from record 218 to 230: 11 records overwritten before they were read)'
	[ ! -e "$WORK/profiles/web" ]
	learn c1 web --source "$FIXTURES/gap.log" --allow-gaps
	assert_success
	[ -e "$WORK/profiles/web" ]
}

@test "learn: records of two namespaces of one name under different parents are refused" {
	learn c1 web --source "$FIXTURES/two-parents.log"
	assert_failure
	assert_output --partial 'records of two namespaces named `phx-1aa7ec62-c1`: root//phx-1aa7ec62-c1 and root//ct-952//phx-1aa7ec62-c1'
	[ ! -e "$WORK/profiles/web" ]
}

@test "learn: a container without records, bad names and arguments" {
	learn nosuch web --source "$FIXTURES/kmsg.log"
	assert_failure
	assert_output --partial 'no records of container `nosuch`'
	learn c1 'a/b' --source "$FIXTURES/kmsg.log"
	assert_failure
	assert_output --partial 'profile name `a/b` is not allowed'
	learn c1 phoenix-learn --source "$FIXTURES/kmsg.log"
	assert_failure
	learn c1
	assert_failure
	assert_output --partial 'needs a container id and a profile name'
	learn c1 web --bogus
	assert_failure
	assert_output --partial 'unknown option `--bogus`'
	run "$PHOENIX" learn --help
	assert_success
	assert_output --partial 'Usage: phoenix learn ID PROFILE'
}

@test "learn: the recording profile is loaded in complain mode" {
	grep -q 'flags=(complain,' "$REPO_ROOT/profiles/container/phoenix-learn"
	apparmor_parser -Q -K -o "$WORK/l.bin" -I "$REPO_ROOT/profiles/container" "$REPO_ROOT/profiles/container/phoenix-learn"
}

@test "denials: a gap in the records is said on stderr, the records still shown" {
	run --separate-stderr "$PHOENIX" --root "$ROOT" denials --all --source "$FIXTURES/gap.log"
	assert_success
	[[ $stderr == *'phoenix: denials: records may be missing (/dev/kmsg jumped from record 218 to 230: 11 records overwritten before they were read)'* ]]
	run --separate-stderr "$PHOENIX" --root "$ROOT" denials --all --source "$FIXTURES/kmsg.log"
	assert_success
	[ -z "$stderr" ]
	printf '%s\n' '4,300,1,-;audit: printk limit exceeded' >"$WORK/lost.log"
	run --separate-stderr "$PHOENIX" denials --source "$WORK/lost.log"
	[[ $stderr == *'the kernel dropped records: "audit: printk limit exceeded"'* ]]
}
