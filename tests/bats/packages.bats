#!/usr/bin/env bats
# The Debian packages (debian/, `make deb`): built from a copy of this
# checkout with dpkg-buildpackage (or taken from $PHOENIX_DEBS, a directory
# holding phoenix_*.deb and phoenix-host_*.deb), their file lists are the
# ones README ("Installing") gives, the maintainer scripts load the host
# profiles and never touch phoenix's state or unload a profile, lintian
# finds nothing, and the unpacked files work at their installed paths.

load helpers

setup_file() {
	D=${PHOENIX_DEBS:-}
	if [[ -z $D ]]; then
		D=$BATS_FILE_TMPDIR/src
		mkdir -p "$D/phoenix"
		tar -C "$REPO_ROOT" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$D/phoenix" -xf -
		(cd "$D/phoenix" && dpkg-buildpackage -us -uc -b) >"$BATS_FILE_TMPDIR/build.log" 2>&1
	fi
	export D
}

setup() {
	common_setup
	PKG=$(ls "$D"/phoenix_*_amd64.deb)
	HOSTPKG=$(ls "$D"/phoenix-host_*_all.deb)
}

teardown() {
	common_teardown
}

# the regular files and links of package $1
files_of() {
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | LC_ALL=C sort
}

@test "phoenix holds exactly the files README lists" {
	run files_of "$PKG"
	assert_output '/etc/phoenix/phoenix.json
/usr/bin/phoenix
/usr/lib/tmpfiles.d/phoenix.conf
/usr/sbin/phoenix-engine-setup
/usr/share/bash-completion/completions/phoenix
/usr/share/doc/phoenix/changelog.gz
/usr/share/doc/phoenix/copyright
/usr/share/lintian/overrides/phoenix
/usr/share/man/man1/phoenix.1.gz
/usr/share/man/man5/phoenix.json.5.gz
/usr/share/phoenix/profiles/container/abstractions/phoenix-container-base
/usr/share/phoenix/profiles/container/abstractions/phoenix-container-bounds
/usr/share/phoenix/profiles/container/phoenix-default
/usr/share/phoenix/profiles/container/phoenix-gpu
/usr/share/phoenix/profiles/container/phoenix-learn'
	for f in $(files_of "$PKG" | grep -v '^/usr/share/doc/\|^/usr/share/lintian/'); do
		grep -qF "${f%/*}" "$REPO_ROOT/README.md" || fail "README does not name $f"
	done
	dpkg-deb -e "$PKG" "$WORK/ctl"
	assert_equal "$(cat "$WORK/ctl/conffiles")" /etc/phoenix/phoenix.json
}

@test "phoenix-host holds exactly the files README lists, and no test profile" {
	run files_of "$HOSTPKG"
	assert_output '/etc/apparmor.d/abstractions/phoenix-lxc-base
/etc/apparmor.d/abstractions/phoenix-nesting
/etc/apparmor.d/abstractions/phoenix-policy-admin
/etc/apparmor.d/lxc-gpu-docker-storage
/etc/apparmor.d/lxc-phoenix-v2
/etc/apparmor.d/tunables/phoenix
/lib/systemd/system/phoenix-relay.service
/usr/libexec/phoenix/phoenix-lxc-ns
/usr/sbin/phoenix-host-profiles
/usr/sbin/phoenix-lxc-config
/usr/share/doc/phoenix-host/changelog.gz
/usr/share/doc/phoenix-host/copyright
/usr/share/lintian/overrides/phoenix-host
/usr/share/phoenix/profiles/host/abstractions/phoenix-lxc-base
/usr/share/phoenix/profiles/host/abstractions/phoenix-nesting
/usr/share/phoenix/profiles/host/abstractions/phoenix-policy-admin
/usr/share/phoenix/profiles/host/lxc-gpu-docker-storage
/usr/share/phoenix/profiles/host/lxc-phoenix-v2
/usr/share/phoenix/profiles/host/tunables/phoenix'
	for f in /etc/apparmor.d/lxc-gpu-docker-storage /etc/apparmor.d/tunables/phoenix /usr/sbin/phoenix-lxc-config \
		/usr/libexec/phoenix/phoenix-lxc-ns /usr/share/phoenix/profiles/host/ /lib/systemd/system/phoenix-relay.service; do
		grep -qF "$f" "$REPO_ROOT/README.md" || fail "README does not name $f"
	done
}

@test "phoenix-host loads its profiles on install and upgrade; no maintainer script unloads a profile or touches phoenix's state" {
	dpkg-deb -e "$HOSTPKG" "$WORK/host"
	dpkg-deb -e "$PKG" "$WORK/ct"
	run grep -c 'apparmor_parser -r .*\$APP_PROFILE\|apparmor_parser -r' "$WORK/host/postinst"
	[[ $output -ge 1 ]]
	grep -q 'lxc-gpu-docker-storage' "$WORK/host/postinst"
	grep -q 'lxc-phoenix-v2' "$WORK/host/postinst"
	# postinst configure / abort-upgrade only
	grep -q '"\$1" = "configure"' "$WORK/host/postinst"
	for s in "$WORK"/host/{preinst,prerm,postinst,postrm} "$WORK"/ct/{preinst,prerm,postinst,postrm}; do
		[[ -f $s ]] || continue
		run grep -nE 'apparmor_parser +(-[A-Za-z]*R|--remove)|/run/phoenix|/sys/kernel/security|aa-disable|phoenix +gc' "$s"
		assert_failure
	done
}

@test "phoenix-host enables and starts the relay's unit, which runs the packaged phoenix; it depends on phoenix" {
	dpkg-deb -e "$HOSTPKG" "$WORK/host"
	grep -q "deb-systemd-helper .*enable.*'phoenix-relay.service'" "$WORK/host/postinst"
	# started on install, restarted on upgrade (its cursor: no record twice)
	grep -q '_dh_action=start' "$WORK/host/postinst"
	grep -q "deb-systemd-invoke \$_dh_action 'phoenix-relay.service'" "$WORK/host/postinst"
	dpkg-deb -x "$HOSTPKG" "$WORK/hostroot"
	run grep '^ExecStart=' "$WORK/hostroot/lib/systemd/system/phoenix-relay.service"
	assert_output 'ExecStart=/usr/bin/phoenix relay'
	run dpkg-deb -f "$HOSTPKG" Depends
	assert_output --regexp '(^|, )phoenix \(>= [0-9]'
}

@test "lintian finds nothing" {
	run lintian --fail-on error,warning "$PKG" "$HOSTPKG"
	assert_success
	refute_output --regexp '^[EW]: '
}

@test "the unpacked packages work at their installed paths" {
	dpkg -x "$PKG" "$WORK/root"
	dpkg -x "$HOSTPKG" "$WORK/root"
	grep -q '/usr/share/phoenix/profiles/container' "$WORK/root/usr/bin/phoenix"
	run bash -c 'ldd "$1"' _ "$WORK/root/usr/bin/phoenix"
	assert_output --partial libyajl
	cat >"$WORK/configs.json" <<'JSON'
{"lxc_configs": {"951": {"name": "gpu-docker", "unprivileged": false,
  "apparmor_profile": "lxc-gpu-docker-storage", "apparmor_manages_nesting": true}}}
JSON
	run "$WORK/root/usr/sbin/phoenix-lxc-config" 951 "$WORK/configs.json" --profiles-dir "$WORK/root/etc/apparmor.d"
	assert_success
	assert_line 'lxc.hook.pre-start = /usr/libexec/phoenix/phoenix-lxc-ns create'
	# the profiles in /etc/apparmor.d are the ones phoenix-host-profiles deploys
	run "$WORK/root/usr/sbin/phoenix-host-profiles" --src "$WORK/root/usr/share/phoenix/profiles/host" \
		--dest "$WORK/root/etc/apparmor.d"
	assert_success
	refute_output --partial 'installed'
	run bash -c 'diff -r "$1/usr/share/phoenix/profiles/host" "$1/etc/apparmor.d"' _ "$WORK/root"
	assert_success
	PHOENIX_CONFIG=$WORK/root/etc/phoenix/phoenix.json run --separate-stderr "$PHOENIX" --root "$WORK/r" state c1
	# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
	[[ $stderr == *"container does not exist"* ]]
}
