#!/usr/bin/env bats
# `make install`: the directories a build is for are kept (changing one
# between `make` and `make install` rebuilds what depends on it), and the
# installed tree is exactly what README ("Installing") lists, with the
# scripts finding their files at the installed paths.

load helpers

# The files `make install PREFIX=/usr` installs (README, "Installing").
INSTALLED_USR='etc/phoenix/phoenix.json
usr/bin/phoenix
usr/lib/systemd/system/phoenix-relay.service
usr/lib/tmpfiles.d/phoenix.conf
usr/libexec/phoenix/phoenix-lxc-ns
usr/sbin/phoenix-engine-setup
usr/sbin/phoenix-host-profiles
usr/sbin/phoenix-lxc-config
usr/share/bash-completion/completions/phoenix
usr/share/man/man1/phoenix.1
usr/share/man/man5/phoenix.json.5
usr/share/phoenix/profiles/container/abstractions/phoenix-container-base
usr/share/phoenix/profiles/container/abstractions/phoenix-container-bounds
usr/share/phoenix/profiles/container/phoenix-default
usr/share/phoenix/profiles/container/phoenix-gpu
usr/share/phoenix/profiles/container/phoenix-learn
usr/share/phoenix/profiles/host/abstractions/phoenix-lxc-base
usr/share/phoenix/profiles/host/abstractions/phoenix-nesting
usr/share/phoenix/profiles/host/abstractions/phoenix-policy-admin
usr/share/phoenix/profiles/host/lxc-gpu-docker-storage
usr/share/phoenix/profiles/host/lxc-phoenix-v2
usr/share/phoenix/profiles/host/tunables/phoenix'

# One build for PREFIX=/opt/phx and an install of it for PREFIX=/usr, in a
# build directory of this file's own (the checkout's build/ is not touched).
# The make of `make bats` (its -s, -j and the rest) is not passed on: the
# test reads the commands the inner makes print.
setup_file() {
	unset MAKEFLAGS MFLAGS MAKELEVEL
	B=$BATS_FILE_TMPDIR/build
	export B
	make -C "$REPO_ROOT" -s -j2 BUILD="$B" LINK=dynamic PREFIX=/opt/phx all >"$BATS_FILE_TMPDIR/make1.log" 2>&1
	make -C "$REPO_ROOT" -j2 BUILD="$B" LINK=dynamic PREFIX=/usr DESTDIR="$BATS_FILE_TMPDIR/root" install \
		>"$BATS_FILE_TMPDIR/make2.log" 2>&1
	make -C "$REPO_ROOT" -j2 BUILD="$B" LINK=dynamic PREFIX=/usr DESTDIR="$BATS_FILE_TMPDIR/root2" install \
		>"$BATS_FILE_TMPDIR/make3.log" 2>&1
}

setup() {
	common_setup
	ROOT=$BATS_FILE_TMPDIR/root
}

teardown() {
	common_teardown
}

@test "changing PREFIX between make and make install rebuilds phoenix for the new PREFIX; the same PREFIX rebuilds nothing" {
	grep -q 'installation directories changed' "$BATS_FILE_TMPDIR/make2.log"
	grep -q -- '-c -o .*/obj/shim/core/config.o shim/core/config.c' "$BATS_FILE_TMPDIR/make2.log"
	run grep -c -- ' -c -o ' "$BATS_FILE_TMPDIR/make3.log"
	assert_output 0
	grep -q '/usr/share/phoenix/profiles/container' "$ROOT/usr/bin/phoenix"
	run grep -c '/opt/phx' "$ROOT/usr/bin/phoenix"
	assert_output 0
}

@test "a directory that is not absolute, or holds a character a hook command or sed would misread, is refused" {
	run make -C "$REPO_ROOT" -s BUILD="$BATS_FILE_TMPDIR/bad" PREFIX=usr "$BATS_FILE_TMPDIR/bad/paths.h"
	assert_failure
	assert_output --partial 'PREFIX must be an absolute path'
	run make -C "$REPO_ROOT" -s BUILD="$BATS_FILE_TMPDIR/bad" LIBEXECDIR='/opt/my dir' "$BATS_FILE_TMPDIR/bad/paths.h"
	assert_failure
	assert_output --partial 'LIBEXECDIR'
}

@test "make install installs exactly the files README lists, no test profile and no test helper" {
	run bash -c 'cd "$1" && find . -type f -o -type l | sed "s|^\./||" | LC_ALL=C sort' _ "$ROOT"
	assert_success
	assert_output "$INSTALLED_USR"
	# README's list is this one
	for f in $INSTALLED_USR; do
		grep -qF "/$f" "$REPO_ROOT/README.md" || fail "README does not name /$f"
	done
}

@test "the installed phoenix-lxc-config writes the installed hook path, wherever it is run from" {
	cat >"$WORK/configs.json" <<'JSON'
{"lxc_configs": {"951": {"name": "gpu-docker", "unprivileged": false,
  "apparmor_profile": "lxc-gpu-docker-storage", "apparmor_manages_nesting": true}}}
JSON
	cd /
	local pd=$ROOT/usr/share/phoenix/profiles/host
	run "$ROOT/usr/sbin/phoenix-lxc-config" 951 "$WORK/configs.json" --profiles-dir "$pd"
	assert_success
	assert_line 'lxc.hook.pre-start = /usr/libexec/phoenix/phoenix-lxc-ns create'
	assert_line 'lxc.hook.post-stop = /usr/libexec/phoenix/phoenix-lxc-ns remove'
	cp "$ROOT/usr/sbin/phoenix-lxc-config" "$WORK/elsewhere"
	run "$WORK/elsewhere" 951 "$WORK/configs.json" --profiles-dir "$pd"
	assert_success
	assert_line 'lxc.hook.pre-start = /usr/libexec/phoenix/phoenix-lxc-ns create'
}

@test "the installed phoenix-host-profiles deploys from the installed DATADIR, never a test profile" {
	run grep -n '^src_dirs=' "$ROOT/usr/sbin/phoenix-host-profiles"
	assert_output --partial 'src_dirs=("/usr/share/phoenix/profiles/host")'
	# the installed tree stands in for /usr/share/phoenix here
	run "$ROOT/usr/sbin/phoenix-host-profiles" --src "$ROOT/usr/share/phoenix/profiles/host" --dest "$WORK/apparmor.d"
	assert_success
	run bash -c 'cd "$1" && find . -type f | sed "s|^\./||" | LC_ALL=C sort' _ "$WORK/apparmor.d"
	assert_output 'abstractions/phoenix-lxc-base
abstractions/phoenix-nesting
abstractions/phoenix-policy-admin
lxc-gpu-docker-storage
lxc-phoenix-v2
tunables/phoenix'
	run grep -n 'phoenix=/' "$ROOT/usr/sbin/phoenix-engine-setup"
	assert_output --partial 'phoenix=/usr/bin/phoenix'
	# the relay's unit runs the installed phoenix
	run grep '^ExecStart=' "$ROOT/usr/lib/systemd/system/phoenix-relay.service"
	assert_output 'ExecStart=/usr/bin/phoenix relay'
}

@test "the installed phoenix.json sets every key but runtime and hookPath to its default, and phoenix accepts it" {
	conf=$ROOT/etc/phoenix/phoenix.json
	run jq -r 'keys_unsorted[]' "$conf"
	assert_success
	keys=$(sed -n '/^static int apply_key(/,/^}/p' "$REPO_ROOT/shim/core/config.c" |
		grep -o 'strcmp(k, "[^"]*")' | sed 's/^strcmp(k, "\(.*\)")$/\1/' | grep -vx 'runtime\|hookPath' | LC_ALL=C sort)
	assert_equal "$(printf '%s\n' "${lines[@]}" | LC_ALL=C sort)" "$keys"
	assert_equal "$(jq -r .profilesDir "$conf")" /usr/share/phoenix/profiles/container
	assert_equal "$(jq -r .localProfilesDir "$conf")" /etc/phoenix/profiles
	# every default in the file is the one README's table gives
	for k in stateDir cacheDir apparmorParser defaultProfile gpuProfile unconfined transition macCapabilities \
		allowRootNamespaceStack requireApparmor verifyLabel debug poststopHook seccompValidate seccompDefault; do
		v=$(jq -r --arg k "$k" '.[$k]' "$conf")
		grep -qF -- "| \`$k\` | " "$REPO_ROOT/README.md"
		grep -F -- "| \`$k\` | " "$REPO_ROOT/README.md" | grep -qF -- "| \`$v\` |" ||
			fail "README's default of $k is not $v"
	done
	PHOENIX_CONFIG=$conf run --separate-stderr "$PHOENIX" --root "$WORK/root" state c1
	assert_failure
	# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
	[[ $stderr != *phoenix.json* ]]
	[[ $stderr == *"container does not exist"* ]]
}
