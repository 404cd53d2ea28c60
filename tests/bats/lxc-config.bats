#!/usr/bin/env bats
# hooks/phoenix-lxc-config and hooks/phoenix-host-profiles on this machine
# (no kernel needed): every value of a phoenix_lxc_configs.json entry is
# checked before anything is written, the phoenix block of an LXC
# configuration is found only where it is whole, and each container gets
# its own copy of a per-container template.  Hostile entries must be
# refused with the key they came from, the LXC configuration and the
# profiles directory left exactly as they were.
#
# That LXC and the kernel do what the block and the profiles say is shown
# in integration/tests/phoenix-lxc.bats.

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
LXC_CONFIG=$REPO/hooks/phoenix-lxc-config
HOST_PROFILES=$REPO/hooks/phoenix-host-profiles

setup() {
	W=$(mktemp -d "${BATS_TMPDIR:-/tmp}/phoenix-lxc-config.XXXXXX")
	# no AppArmor here: nothing is loaded (and none is wanted in a test)
	export PHOENIX_APPARMORFS=$W/no-apparmorfs
	"$HOST_PROFILES" --src "$REPO/profiles/host" --dest "$W/aa" >/dev/null
	mkdir -p "$W/lxc/951" "$W/lxc/952"
	printf '%s\n' 'lxc.include = /usr/share/lxc/config/common.conf' 'lxc.uts.name = 951' \
		'lxc.rootfs.path = dir:/var/lib/lxc/951/rootfs' >"$W/lxc/951/config"
	cp "$W/lxc/951/config" "$W/lxc/952/config"
}

teardown() {
	rm -rf "$W"
}

# entry JSON: a configs file whose container 951 is JSON (an object's
# members, without braces).
entry() {
	printf '{"lxc_configs": {"951": {%s}}}\n' "$1" >"$W/configs.json"
}

# snapshot: the LXC configuration and the profiles directory, to compare.
snapshot() {
	(cd "$W" && find lxc aa -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

# apply ARGS...: phoenix-lxc-config 951 with the test's directories.
apply() {
	"$LXC_CONFIG" 951 "$W/configs.json" --lxc-path "$W/lxc" --profiles-dir "$W/aa" "$@"
}

# refused KEY [ARGS...]: apply (and print) refuse the entry, naming KEY;
# nothing changed.
refused() {
	local key=$1 before
	shift
	before=$(snapshot)
	run apply --apply "$@"
	assert_failure
	assert_output --partial "$key"
	assert_output --partial "error:"
	refute_output --partial "wrote the phoenix block"
	assert_equal "$(snapshot)" "$before"
	run apply "$@"
	assert_failure
	refute_line --regexp "^# BEGIN phoenix"
	run apply --pve --apply "$@"
	assert_failure
	refute_line --regexp "^# BEGIN phoenix"
	assert_equal "$(snapshot)" "$before"
}

GOOD='"name": "gpu-docker", "unprivileged": false, "apparmor_profile": "lxc-gpu-docker-storage", "apparmor_manages_nesting": true, "features": ["nvidia", "docker"], "shared_storage": ["/mnt/shared/models"]'

@test "a valid entry: the block, the container's own profile, and no change on the second run" {
	entry "$GOOD"
	run apply --apply
	assert_success
	assert_line "phoenix-lxc-config: wrote the phoenix block of container 951 (gpu-docker) into $W/lxc/951/config"
	run sed -n '/^# BEGIN phoenix/,/^# END phoenix/p' "$W/lxc/951/config"
	assert_line 'lxc.apparmor.profile = lxc-gpu-docker-storage.951//&:ct-951:unconfined'
	assert_line "lxc.hook.pre-start = $REPO/hooks/phoenix-lxc-ns create"
	assert_line 'lxc.mount.auto = proc:rw sys:rw cgroup:rw:force'
	# the operator's lines stay, before the block
	assert_equal "$(head -n 3 "$W/lxc/951/config")" "$(head -n 3 "$W/lxc/952/config")"
	# the container's copy of the template: its namespace, every other
	# name, and its own profile name
	run grep -E '^(@\{PHOENIX_CT_NS|profile )' "$W/aa/lxc-gpu-docker-storage.951"
	assert_line '@{PHOENIX_CT_NS} = ct-951'
	assert_line '@{PHOENIX_CT_NS_OTHERS} = [^c]* c c[^t]* ct ct[^-]* ct- ct-[^9]* ct-9 ct-9[^5]* ct-95 ct-95[^1]* ct-951?*'
	assert_line --regexp '^profile lxc-gpu-docker-storage\.951 flags='
	apparmor_parser --config-file /dev/null -Q -K -T -M /usr/share/apparmor-features/features \
		-I "$W/aa" -o /dev/null "$W/aa/lxc-gpu-docker-storage.951"
	local before
	before=$(snapshot)
	run apply --apply
	assert_success
	assert_line "phoenix-lxc-config: $W/lxc/951/config unchanged"
	refute_output --partial "is privileged"
	assert_equal "$(snapshot)" "$before"
}

@test "a privileged container's configuration is written with a warning that its root is host root" {
	entry "$GOOD"
	run apply --apply
	assert_success
	assert_output --partial "WARNING: container 951 (gpu-docker) is privileged"
	assert_output --partial "root in it is root on the host"
	assert_output --partial "its host profile lxc-gpu-docker-storage.951 is then the only boundary"
	assert_output --partial 'see "What the host profiles guarantee" in phoenix'"'"'s README'
	grep -q '^# container 951 (gpu-docker) is privileged' "$W/lxc/951/config"
	run apply --pve
	assert_output --partial "is privileged"
	# unconfined and privileged: both told
	entry '"apparmor_profile": "unconfined"'
	run apply
	assert_output --partial 'nothing at all stands between them'
	assert_output --partial 'NO AppArmor confinement'
	# an unprivileged one (Proxmox writes its idmap), or one whose operator
	# wrote lxc.idmap: not privileged
	entry '"unprivileged": true, "apparmor_profile": "lxc-phoenix-v2"'
	run apply --pve
	assert_success
	refute_output --partial "is privileged"
	entry '"apparmor_profile": "lxc-phoenix-v2"'
	echo 'lxc.idmap = u 0 100000 65536' >>"$W/lxc/951/config"
	run apply
	assert_success
	refute_output --partial "is privileged"
}

@test "a newline in .name is refused: no LXC key of the file's reaches the configuration" {
	entry '"name": "x\nlxc.hook.pre-start = /bin/sh -c id", "apparmor_profile": "lxc-gpu-docker-storage"'
	refused 'name: want'
	entry '"name": "x\rlxc.hook.pre-start = /bin/sh -c id", "apparmor_profile": "lxc-gpu-docker-storage"'
	refused 'name: want'
	entry '"name": "gpu-docker\n", "apparmor_profile": "lxc-gpu-docker-storage"'
	refused 'name: want'
}

@test "\`# END phoenix\` smuggled in a value is refused, and a block that was smuggled one before is not taken for phoenix's" {
	entry '"name": "x\n# END phoenix\nlxc.hook.pre-start = /bin/id", "apparmor_profile": "lxc-gpu-docker-storage"'
	refused 'name: want'
	entry '"name": "# END phoenix", "apparmor_profile": "lxc-gpu-docker-storage"'
	refused 'name: want'
	# what an earlier version wrote for such a name: the smuggled END ends
	# nothing, the configuration is refused as it is
	entry "$GOOD"
	cat >>"$W/lxc/951/config" <<'EOF'
# BEGIN phoenix (written by phoenix-lxc-config from configs.json; do not edit)
# container 951 (x
# END phoenix
lxc.hook.pre-start = /bin/id
# END phoenix
EOF
	refused '`# END phoenix` without `# BEGIN phoenix`'
	grep -qx 'lxc.hook.pre-start = /bin/id' "$W/lxc/951/config"
}

@test "phoenix markers that are not whole lines, or do not make one block, are refused" {
	entry "$GOOD"
	local base bad
	base=$(cat "$W/lxc/951/config")
	for bad in 'lxc.environment = X # END phoenix' '  # END phoenix' '#END phoenix' '# BEGIN phoenix' \
		'# END phoenix' $'# BEGIN phoenix\n# BEGIN phoenix\n# END phoenix' \
		$'# BEGIN phoenix\n# END phoenix\n# BEGIN phoenix\n# END phoenix' 'lxc.x = # BEGIN phoenix' \
		'# END phoenix (old)'; do
		printf '%s\n%s\n' "$base" "$bad" >"$W/lxc/951/config"
		refused "$W/lxc/951/config: line"
	done
}

@test "control characters anywhere in a value are refused" {
	local c
	for c in '\u0001' '\u0000' '\u001b[31m' '\u007f' '\u009b' '\u2028' '\u202e' '\t'; do
		entry "\"name\": \"gpu${c}docker\", \"apparmor_profile\": \"lxc-gpu-docker-storage\""
		refused 'name: want'
		entry "\"apparmor_profile\": \"lxc-gpu-docker-storage${c}\""
		refused 'apparmor_profile: want'
		entry "\"apparmor_profile\": \"lxc-gpu-docker-storage\", \"features\": [\"nv${c}idia\"]"
		refused 'features[0]: want'
		entry "\"apparmor_profile\": \"lxc-gpu-docker-storage\", \"shared_storage\": [\"/mnt/sh${c}ared\"]"
		refused 'shared_storage[0]: want'
	done
	# the message itself shows them escaped
	entry '"name": "a\u001b[2Jb", "apparmor_profile": "lxc-gpu-docker-storage"'
	run apply
	assert_output --partial '"a\u001b[2Jb"'
}

@test "bad profile names are refused, and so is another container's copy of a template" {
	local p
	for p in '' ' ' '../lxc-phoenix-v2' '/etc/apparmor.d/lxc-phoenix-v2' 'lxc-phoenix-v2//&:ct-952:unconfined' \
		':ct-952:unconfined' 'lxc-phoenix-v2 ' '-x' 'a,b' 'a{b}' 'a*' '@{x}' 'a#b' 'a=b' "$(printf 'x%.0s' {1..201})"; do
		entry "\"apparmor_profile\": \"$p\""
		refused 'apparmor_profile: want'
	done
	for p in 'null' '5' 'true' '["lxc-phoenix-v2"]' '{"name": "lxc-phoenix-v2"}'; do
		entry "\"apparmor_profile\": $p"
		refused 'apparmor_profile: want'
	done
	entry '"name": "gpu-docker"'
	refused 'apparmor_profile: want'
	# a valid name, but not a deployed profile
	entry '"apparmor_profile": "lxc-not-deployed"'
	refused 'host profile `lxc-not-deployed` of container `951` is not in'
	# 952's own copy names ct-952: never 951's profile
	"$HOST_PROFILES" --dest "$W/aa" --container 952:lxc-gpu-docker-storage >/dev/null
	entry '"apparmor_profile": "lxc-gpu-docker-storage.952"'
	refused "is a container's own copy of a template (template lxc-gpu-docker-storage, container 952): name the template"
}

@test "relative, .. and other unsafe storage paths are refused" {
	local p
	for p in 'mnt/shared/models' '' '/' '/mnt/shared/' '/mnt/../etc' '/mnt/shared/..' '/mnt/./shared' \
		'/mnt//shared' '/mnt/a b' '/mnt/a,b' '/mnt/{a,b}' '/mnt/a*' '/mnt/a?' '/mnt/[ab]' '/mnt/@{HOME}' \
		'/mnt/a#b' '/mnt/a=b' '/mnt/a\\b' '/mnt/a\"b' '/mnt/a^b' '/mnt/a!b'; do
		entry "\"apparmor_profile\": \"lxc-gpu-docker-storage\", \"shared_storage\": [\"/mnt/shared/models\", \"$p\"]"
		refused 'shared_storage[1]: want'
	done
	entry '"apparmor_profile": "lxc-gpu-docker-storage", "shared_storage": "/mnt/shared/models"'
	refused 'shared_storage: want an array'
}

@test "ids, features and flags of the wrong form are refused" {
	local v
	# the entry found by its .name: its key is checked too
	printf '{"lxc_configs": {"9 51\\nlxc.hook.pre-start = /bin/id": {"name": "gpu", "apparmor_profile": "lxc-gpu-docker-storage"}}}\n' >"$W/configs.json"
	mkdir -p "$W/lxc/gpu"
	cp "$W/lxc/951/config" "$W/lxc/gpu/config"
	local before
	before=$(snapshot)
	run "$LXC_CONFIG" gpu "$W/configs.json" --lxc-path "$W/lxc" --profiles-dir "$W/aa" --apply
	assert_failure
	assert_output --partial "the container id \"9 51\\nlxc.hook.pre-start = /bin/id\" (its key in .lxc_configs)"
	assert_equal "$(snapshot)" "$before"
	for v in '"yes"' '1' 'null' '"true"'; do
		entry "\"apparmor_profile\": \"lxc-gpu-docker-storage\", \"unprivileged\": $v"
		refused 'unprivileged: want true or false'
		entry "\"apparmor_profile\": \"lxc-gpu-docker-storage\", \"apparmor_manages_nesting\": $v"
		refused 'apparmor_manages_nesting: want true or false'
	done
	for v in '"nvidia"' '[""]' '["-x"]' '["a b"]' '[1]' '[null]'; do
		entry "\"apparmor_profile\": \"lxc-gpu-docker-storage\", \"features\": $v"
		refused 'features'
	done
	entry '"name": "", "apparmor_profile": "lxc-gpu-docker-storage"'
	refused 'name: want'
	entry "\"name\": \"$(printf 'n%.0s' {1..65})\", \"apparmor_profile\": \"lxc-gpu-docker-storage\""
	refused 'name: want'
	printf '{"lxc_configs": {"951": "lxc-gpu-docker-storage"}}\n' >"$W/configs.json"
	refused 'the entry is not an object'
	# the hook path becomes a command line of LXC's
	entry "$GOOD"
	refused '--hook path contains whitespace' --hook "$(printf '/x\n/y')"
	refused '--hook path contains whitespace' --hook "$(printf '/x\001y')"
	refused '--hook path contains `#`' --hook '/x#y'
}

@test "phoenix-host-profiles --container: the copy follows its template, and never overwrites what is not its own" {
	run "$HOST_PROFILES" --dest "$W/aa" --container 951:lxc-phoenix-v2
	assert_success
	assert_line "phoenix-host-profiles: installed  lxc-phoenix-v2.951"
	# a changed template reaches the copy at the next deployment
	sed 's/^  include if exists <local\/lxc-phoenix-v2>/  # a site change\n&/' "$REPO/profiles/host/lxc-phoenix-v2" \
		>"$W/lxc-phoenix-v2.changed"
	mkdir -p "$W/src"
	cp -r "$REPO/profiles/host/." "$W/src/"
	cp "$W/lxc-phoenix-v2.changed" "$W/src/lxc-phoenix-v2"
	run "$HOST_PROFILES" --src "$W/src" --dest "$W/aa"
	assert_success
	assert_line "phoenix-host-profiles: installed  lxc-phoenix-v2"
	assert_line "phoenix-host-profiles: installed  lxc-phoenix-v2.951"
	grep -q '^  # a site change' "$W/aa/lxc-phoenix-v2.951"
	grep -qx '@{PHOENIX_CT_NS} = ct-951' "$W/aa/lxc-phoenix-v2.951"
	# an operator's file of that name, or a symlink, stays
	echo 'profile lxc-phoenix-v2.952 { }' >"$W/aa/lxc-phoenix-v2.952"
	run "$HOST_PROFILES" --dest "$W/aa" --container 952:lxc-phoenix-v2
	assert_failure
	assert_output --partial "is not the copy of lxc-phoenix-v2 for container 952: refusing to overwrite it"
	assert_equal "$(cat "$W/aa/lxc-phoenix-v2.952")" 'profile lxc-phoenix-v2.952 { }'
	ln -s /etc/passwd "$W/aa/lxc-phoenix-v2.953"
	run "$HOST_PROFILES" --dest "$W/aa" --container 953:lxc-phoenix-v2
	assert_failure
	[ -L "$W/aa/lxc-phoenix-v2.953" ]
	# a profile that is no template, and bad names
	run "$HOST_PROFILES" --dest "$W/aa" --container 951:phoenix-test-host
	assert_failure
	assert_output --partial "is not a per-container template"
	for v in '../x:lxc-phoenix-v2' 'a b:lxc-phoenix-v2' '951:../lxc-phoenix-v2' '951' "$(printf '9\n5:lxc-phoenix-v2')"; do
		run "$HOST_PROFILES" --dest "$W/aa" --container "$v"
		assert_failure
	done
	[ ! -e "$W/aa/lxc-phoenix-v2.a b" ]
}

@test "the container's own records: phoenix-lxc-config binds only its directory, read-only; phoenix-lxc-ns makes it" {
	entry "$GOOD"
	export PHOENIX_RELAY_DIR=$W/run/records
	run apply
	assert_success
	assert_line "lxc.mount.entry = $W/run/records/ct-951 var/lib/phoenix/host-records none bind,ro,nodev,nosuid,noexec,create=dir,optional 0 0"
	run apply --pve
	assert_line "lxc.mount.entry: $W/run/records/ct-951 var/lib/phoenix/host-records none bind,ro,nodev,nosuid,noexec,create=dir,optional 0 0"
	# a directory that would break the line, or climb out, is refused
	PHOENIX_RELAY_DIR="$W/a b" run apply
	assert_failure
	assert_output --partial PHOENIX_RELAY_DIR
	PHOENIX_RELAY_DIR=$W/../x run apply
	assert_failure
	# the hook: the directory exists before LXC mounts it (AppArmor is
	# missing here, so it fails after that, as it must)
	run "$REPO/hooks/phoenix-lxc-ns" create 951
	assert_failure
	assert_output --partial "AppArmor is not available"
	[ "$(stat -c %a "$W/run/records")" = 711 ]
	[ "$(stat -c %a "$W/run/records/ct-951")" = 755 ]
	# and refuses a link or a directory others may write
	rm -r "$W/run/records/ct-951"
	mkdir "$W/elsewhere"
	ln -s "$W/elsewhere" "$W/run/records/ct-951"
	run "$REPO/hooks/phoenix-lxc-ns" create 951
	assert_failure
	assert_output --partial "is a symbolic link"
	rm "$W/run/records/ct-951"
	mkdir -m 0777 "$W/run/records/ct-951"
	chmod 0777 "$W/run/records/ct-951"
	run "$REPO/hooks/phoenix-lxc-ns" create 951
	assert_failure
	assert_output --partial "is not a directory only"
}
