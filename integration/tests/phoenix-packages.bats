#!/usr/bin/env bats
# The Debian packages, installed as an operator installs them, on the real
# kernel: `apt-get install ./phoenix_*.deb ./phoenix-host_*.deb` in the VM
# (offline: their dependencies are the VM's own packages), then the nested
# scene from the installed files alone: the host profiles loaded by
# phoenix-host's postinst, LXC container 951 configured by the installed
# phoenix-lxc-config (hooks in /usr/libexec/phoenix), phoenix registered
# with Docker and containerd there by the installed phoenix-engine-setup,
# and a nested container run by /usr/bin/phoenix with the installed
# container profiles and /etc/phoenix/phoenix.json.  Then both packages
# are upgraded and removed while that container runs.
#
# The packages are built on the host, not in the VM (gcc is 5-10x slower
# under TCG): run-suite.sh builds them into build/debs-vm and passes
# PHOENIX_DEBS when this file is run.

load phoenix-helpers
# shellcheck source=integration/lxc/scene.bash
. "$REPO/integration/lxc/scene.bash"

CONFIGS=$REPO/integration/lxc/test-configs.json
NESTED_SCRIPT='trap "exit 0" TERM; cat /proc/self/attr/current >/label; while :; do sleep 1 & wait $!; done'
HOSTPROF=lxc-gpu-docker-storage.951
APT=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o APT::Sandbox::User=root)
BUILDKIT_DROPIN=/var/lib/lxc/951/rootfs/etc/systemd/system/docker.service.d/50-phoenix-buildkit.conf

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local out=$BATS_FILE_TMPDIR t=$SECONDS d
	lap() {
		echo "# setup_file: $1 in $((SECONDS - t)) s" >&3
		t=$SECONDS
	}
	[[ -n ${PHOENIX_DEBS:-} ]] || {
		echo "PHOENIX_DEBS is not set: run this file with integration/run-suite.sh (it builds the packages)" >&2
		return 1
	}
	# a copy the guest owns (apt wants to read them as root, dpkg-deb
	# writes next to them)
	d=/tmp/phx-debs
	mkdir -p "$d/up"
	cp "$PHOENIX_DEBS"/phoenix_*_amd64.deb "$PHOENIX_DEBS"/phoenix-host_*_all.deb "$d/"
	sysctl -qw kernel.printk_ratelimit=0
	# man-db's trigger rebuilds its index on every install (minutes under
	# TCG); without this file it does nothing (the LXC container's root is
	# a copy of this one)
	rm -f /var/lib/man-db/auto-update
	# nothing of phoenix is loaded or installed before the packages
	! grep -q '^lxc-gpu-docker-storage ' "$AAFS/profiles" >"$out/before" 2>&1 || {
		echo "lxc-gpu-docker-storage is loaded before the packages are installed" >&2
		return 1
	}
	! command -v phoenix-lxc-config >/dev/null || {
		echo "phoenix-lxc-config is on PATH before the packages are installed" >&2
		return 1
	}
	(cd "$d" && "${APT[@]}" install ./phoenix_*_amd64.deb ./phoenix-host_*_all.deb) >"$out/install.log" 2>&1 || {
		tail -n 30 "$out/install.log" >&2
		return 1
	}
	lap "apt-get install of both packages"
	# the upgrade's packages: the same with a higher version
	for deb in "$d"/phoenix_*_amd64.deb "$d"/phoenix-host_*_all.deb; do
		rm -rf "$d/x"
		dpkg-deb -R "$deb" "$d/x"
		sed -i 's/^Version: .*/&+rebuild1/' "$d/x/DEBIAN/control"
		dpkg-deb -Zgzip -b "$d/x" "$d/up" >/dev/null
	done
	rm -rf "$d/x"
	lap "upgrade packages made"
	SCENE_TIMEOUT=300 scene_ct 951 "$CONFIGS" --installed
	# the package of the container's own side, where it is used: inside
	# the LXC container (its root is a copy of the VM's, phoenix included)
	cp "$d"/phoenix_*_amd64.deb /var/lib/lxc/951/rootfs/root/phoenix.deb
	cp "$d"/up/phoenix_*_amd64.deb /var/lib/lxc/951/rootfs/root/phoenix-up.deb
	# --default: `docker build`'s legacy builder runs RUN steps with the
	# daemon's default runtime
	in_ct 951 phoenix-engine-setup --docker --containerd --default >"$out/engine-setup.log" 2>&1
	# as a service manager starts it (scene_engines)
	in_ct 951 sh -c 'unset container; containerd </dev/null >/var/log/containerd.log 2>&1 &'
	lap "LXC container 951 started from the installed configuration, engines set up"
	# dockerd with the environment engine-setup's systemd drop-in gives
	# it (Docker >= 25: BuildKit's runc command; no systemd runs in 951)
	SCENE_DOCKERD_ENV=()
	# shellcheck disable=SC2034 # read by scene_dockerd (scene.bash)
	[[ ! -f $BUILDKIT_DROPIN ]] || mapfile -t SCENE_DOCKERD_ENV < <(sed -n 's/^Environment=//p' "$BUILDKIT_DROPIN")
	scene_engines_wait 951
	lap "containerd and dockerd up"
	scene_image 951
	docker_in 951 save "$SCENE_IMAGE" >"$out/image.tar"
	in_ct 951 ctr image import - <"$out/image.tar" >/dev/null
	lap "busybox image imported into Docker and containerd"
}

teardown_file() {
	lxc-stop -n 951 -k >/dev/null 2>&1 || true
}

# apt_ct ARGS...: apt-get in container 951, in /root (where the packages are)
apt_ct() {
	in_ct 951 sh -c 'cd /root && exec "$@"' sh "${APT[@]}" "$@"
}

# verify_ct PACKAGE: `dpkg --verify PACKAGE` in 951, but for the files
# dpkg's own path-exclude= options (/etc/dpkg/dpkg.cfg.d: the trixie and sid
# guest roots leave out /usr/share/doc and man) kept it from unpacking,
# which dpkg --verify reports as missing
verify_ct() {
	local out line path pat excluded pats
	out=$(in_ct 951 dpkg --verify "$1") || return 1
	mapfile -t pats < <(in_ct 951 sh -c 'cat /etc/dpkg/dpkg.cfg.d/* 2>/dev/null' |
		sed -n 's/^path-exclude[= ][[:space:]]*//p')
	while IFS= read -r line; do
		[[ -n $line ]] || continue
		excluded=0
		if [[ $line =~ ^missing\ +(/.*)$ ]]; then
			path=${BASH_REMATCH[1]}
			for pat in "${pats[@]}"; do
				# shellcheck disable=SC2053 # dpkg's fnmatch pattern
				[[ $path == $pat ]] && excluded=1
			done
		fi
		((excluded)) || printf '%s\n' "$line"
	done <<<"$out"
}

# the nested container of this file's tests: its id, and the label the
# host sees on it
nested_label() {
	host_label_of ct-951 "$(cat "$BATS_FILE_TMPDIR/cid")"
}

@test "apt-get install: the host profiles are loaded by the postinst, the commands are on PATH, phoenix's configuration is a conffile" {
	run cat "$BATS_FILE_TMPDIR/install.log"
	assert_line --regexp '^Setting up phoenix-host \('
	assert_line --regexp '^Setting up phoenix \('
	grep -qx 'lxc-gpu-docker-storage (enforce)' "$AAFS/profiles"
	grep -qx 'lxc-phoenix-v2 (enforce)' "$AAFS/profiles"
	assert_equal "$(command -v phoenix)" /usr/bin/phoenix
	assert_equal "$(command -v phoenix-lxc-config)" /usr/sbin/phoenix-lxc-config
	assert_equal "$(command -v phoenix-host-profiles)" /usr/sbin/phoenix-host-profiles
	[ -x /usr/libexec/phoenix/phoenix-lxc-ns ]
	run dpkg-query -W -f='${Conffiles}\n' phoenix
	assert_output --partial /etc/phoenix/phoenix.json
	# the README's host command, by name
	run phoenix-host-profiles --load
	assert_success
	assert_line "phoenix-host-profiles: nothing changed"
}

@test "the LXC container runs under its own copy of the installed template, with the installed hooks" {
	run grep -E '^lxc\.(hook|apparmor)' /var/lib/lxc/951/config
	assert_line 'lxc.apparmor.profile = lxc-gpu-docker-storage.951//&:ct-951:unconfined'
	assert_line --regexp '^lxc\.hook\.pre-start = /usr/libexec/phoenix/phoenix-lxc-ns '
	refute_output --partial "$REPO"
	[ -f /etc/apparmor.d/lxc-gpu-docker-storage.951 ]
	grep -qx "$HOSTPROF (enforce)" "$AAFS/profiles"
	assert_equal "$(cat /proc/"$(scene_ct_pid 951)"/attr/current)" "$HOSTPROF//&:ct-951:unconfined (enforce)"
	# inside, phoenix-engine-setup registered the installed binary
	run in_ct 951 jq -r .runtimes.phoenix.path /etc/docker/daemon.json
	assert_output /usr/bin/phoenix
	run in_ct 951 grep -F BinaryName /etc/containerd/config.toml
	assert_output --partial '"/usr/bin/phoenix"'
	# and every file of phoenix there, its configuration included, is
	# the package's as shipped
	# shellcheck disable=SC2016 # dpkg-query's own format
	run in_ct 951 dpkg-query -W -f='${db:Status-Abbrev}' phoenix
	assert_output 'ii '
	run verify_ct phoenix
	assert_success
	assert_output ''
}

@test "docker run --runtime=phoenix with the installed phoenix: the nested label from the host, the installed profile's denial" {
	cid=$(docker_in 951 run -d --runtime=phoenix --network none "$SCENE_IMAGE" sh -c "$NESTED_SCRIPT")
	echo "$cid" >"$BATS_FILE_TMPDIR/cid"
	run docker_in 951 exec "$cid" sh -c 'while [ ! -s /label ]; do sleep 0.2; done; cat /label'
	assert_output "phoenix-default (enforce)"
	ns=$(nested_ns ct-951 "$cid")
	[[ $ns == phx-*-"$cid" ]]
	echo "$ns" >"$BATS_FILE_TMPDIR/ns"
	run nested_label
	assert_output "$HOSTPROF//&:ct-951//$ns:phoenix-default (enforce)"
	run docker_in 951 inspect -f '{{.HostConfig.Runtime}}' "$cid"
	assert_output phoenix
	run docker_in 951 exec "$cid" cat /phoenix-denied/secret
	assert_failure
	assert_output --partial "Permission denied"
	# its record
	in_ct 951 test -f "/run/phoenix/$ns.json"
}

@test "phoenix-host's relay service, enabled on install, run as its unit says: 951 reads its nested container's denial inside" {
	local unit=/lib/systemd/system/phoenix-relay.service cmd cid
	run dpkg -S "$unit"
	assert_output "phoenix-host: $unit"
	# deb-systemd-helper enabled it (no systemd runs in the VM to start it)
	[ -L /etc/systemd/system/multi-user.target.wants/phoenix-relay.service ]
	run dpkg-query -W -f='${Depends}\n' phoenix-host
	assert_output --regexp '(^|, )phoenix \(>= '
	cmd=$(sed -n 's/^ExecStart=//p' "$unit")
	assert_equal "$cmd" "/usr/bin/phoenix relay"
	# the directory phoenix-lxc-ns create made for 951, bound into it
	[ -d /run/phoenix-records/ct-951 ]
	# shellcheck disable=SC2086 # the unit's command line, split as systemd splits it
	run $cmd --once
	assert_success
	cid=$(cat "$BATS_FILE_TMPDIR/cid")
	run in_ct 951 phoenix denials "$cid"
	assert_success
	assert_output --partial /phoenix-denied/secret
	refute_output --partial 'records may be missing'
}

# ctr_label ID ARGS...: `ctr run` container ID (detached) with phoenix as
# the runc.v2 shim's binary, the way the CRI plugin's handler runs it
# (runtime_type io.containerd.runc.v2, options.BinaryName), ARGS added;
# prints the label the host sees on it, then removes it.
ctr_label() {
	local id=$1
	shift
	in_ct 951 ctr run -d --runtime io.containerd.runc.v2 --runc-binary /usr/bin/phoenix "$@" \
		"docker.io/library/$SCENE_IMAGE:latest" "$id" sh -c "$NESTED_SCRIPT" || return 1
	local label=''
	for _ in $(seq 50); do
		label=$(host_label_of ct-951 "$id") && [[ -n $label ]] && break
		sleep 0.2
	done
	printf '%s\n' "$label"
	in_ct 951 ctr task kill "$id" >/dev/null
	for _ in $(seq 50); do in_ct 951 ctr task ls | grep -q "^$id .*STOPPED" && break; sleep 0.2; done
	in_ct 951 ctr task rm "$id" >/dev/null || true
	in_ct 951 ctr container rm "$id"
	[ -z "$(nested_ns ct-951 "$id")" ]
}

@test "containerd as the CRI plugin calls it: RuntimeDefault (cri-containerd.apparmor.d) and Localhost profiles under phoenix" {
	# RuntimeDefault: ctr generates and loads cri-containerd.apparmor.d
	# (in ct-951, its own namespace) and names it in the spec, as the
	# CRI plugin does; phoenix runs its default profile instead
	run ctr_label phx-cri-default --apparmor-default-profile cri-containerd.apparmor.d
	assert_success
	assert_output --regexp "^$HOSTPROF//&:ct-951//phx-[^:]*-phx-cri-default:phoenix-default \(enforce\)\$"
	# Localhost: the spec names the profile, phoenix loads its file
	run ctr_label phx-cri-local --apparmor-profile phoenix-gpu
	assert_success
	assert_output --regexp "^$HOSTPROF//&:ct-951//phx-[^:]*-phx-cri-local:phoenix-gpu \(enforce\)\$"
	# the handler the CRI plugin would use: what containerd reads
	# (containerd 2.x migrates the version 2 file engine-setup wrote for
	# 1.x, or reads its own version 3: io.containerd.cri.v1.runtime, TOML
	# literal strings)
	run in_ct 951 containerd config dump
	assert_success
	assert_output --regexp "\\[plugins\\.[\"']io\\.containerd\\.(grpc\\.v1\\.cri|cri\\.v1\\.runtime)[\"']\\.containerd\\.runtimes\\.phoenix\\]"
	assert_output --regexp "BinaryName = [\"']/usr/bin/phoenix[\"']"
	assert_output --regexp "default_runtime_name = [\"']phoenix[\"']"
}

# build_labels BUILDKIT TAG: `docker build --no-cache` of /root/build in
# 951 as TAG (DOCKER_BUILDKIT=BUILDKIT); prints the labels the host sees on
# the tasks of its RUN step while it runs (every label in ct-951 but 951's
# own and the file's nested container's), once each.
build_labels() {
	local bk=$1 tag=$2 keep pid labels='' log=$BATS_FILE_TMPDIR/build-$2.log
	keep=$(cat "$BATS_FILE_TMPDIR/ns")
	in_ct 951 env DOCKER_BUILDKIT="$bk" "$SCENE_DOCKER" build --no-cache --network none \
		-t "$tag" /root/build >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		labels+=$(cat /proc/[0-9]*/attr/current 2>/dev/null | grep -F -- ':ct-951' |
			grep -v -F -e ':ct-951:unconfined' -e ":ct-951//$keep:")$'\n'
		sleep 0.2
	done
	wait "$pid" || {
		cat "$log" >&2
		return 1
	}
	grep -v '^$' <<<"$labels" | sort -u
}

# assert_phoenix_step: build_labels' output (in $output) shows the RUN
# step under phoenix-default in a namespace of phoenix's, and nothing
# outside such a namespace: only that label and `unconfined` there (the
# runtime's own init, which phoenix put into the namespace, before it
# execs the step under its profile)
assert_phoenix_step() {
	local re="^$HOSTPROF//&:ct-951//phx-[^:]*:"
	assert_line --regexp "${re}phoenix-default \(enforce\)\$"
	while IFS= read -r line; do
		[[ $line =~ ${re}(phoenix-default|unconfined)\ \(enforce\)$ ]] || {
			echo "a task of the step outside phoenix's namespace: $line" >&2
			return 1
		}
	done <<<"$output"
}

# phx_namespaces: the phoenix namespaces below ct-951
phx_namespaces() {
	local d
	for d in "$AAFS/policy/namespaces/ct-951/namespaces"/phx-*; do
		[[ -d $d ]] && printf '%s\n' "${d##*/}"
	done
	return 0
}

@test "docker build: the legacy builder's RUN steps run under phoenix; BuildKit's from Docker 25 on (engine-setup's drop-in), under docker-default before" {
	local dir=/var/lib/lxc/951/rootfs/root/build major ns
	ns=$(cat "$BATS_FILE_TMPDIR/ns")
	run in_ct 951 dockerd --version
	assert_success
	[[ $output =~ ^Docker\ version\ ([0-9]+)\. ]]
	major=${BASH_REMATCH[1]}
	mkdir -p "$dir"
	# the step's own label, then time for the host to see it
	printf 'FROM %s\nRUN cat /proc/self/attr/current >/label && sleep 5\n' "$SCENE_IMAGE" >"$dir/Dockerfile"
	# the legacy builder: a container of the daemon's default runtime
	run build_labels 0 phx-built-legacy
	assert_success
	assert_phoenix_step
	run docker_in 951 run --rm --runtime runc --network none phx-built-legacy cat /label
	assert_output "phoenix-default (enforce)"
	run build_labels 1 phx-built-bk
	assert_success
	if ((major >= 25)); then
		# DOCKER_BUILDKIT_RUNC_COMMAND (moby builder/builder-next/
		# executor_linux.go), from the drop-in: BuildKit's runc executor
		# runs phoenix, which maps dockerd's docker-default to its own
		assert_phoenix_step
		run docker_in 951 run --rm --runtime runc --network none phx-built-bk cat /label
		assert_output "phoenix-default (enforce)"
		run cat "$BATS_FILE_TMPDIR/engine-setup.log"
		assert_line --partial "Docker $major: BuildKit runs RUN steps with /usr/bin/phoenix (systemd drop-in"
		run grep -x 'Environment=DOCKER_BUILDKIT_RUNC_COMMAND=/usr/bin/phoenix' "$BUILDKIT_DROPIN"
		assert_success
	else
		# BuildKit runs RUN steps with its own runc (Docker 20.10's moby
		# builder/builder-next/executor_unix.go: "runc" from PATH, no
		# setting), under dockerd's docker-default in ct-951: bounded by
		# the host profile, not phoenix's
		assert_line "$HOSTPROF//&:ct-951:docker-default (enforce)"
		refute_line --partial ':ct-951//phx-'
		run docker_in 951 run --rm --runtime runc --network none phx-built-bk cat /label
		assert_output "docker-default (enforce)"
		# and phoenix-engine-setup, reading this dockerd's version, said
		# so and wrote no BuildKit drop-in
		run cat "$BATS_FILE_TMPDIR/engine-setup.log"
		assert_line --partial "Docker $major runs BuildKit's RUN steps (docker build) with runc from dockerd's PATH, not phoenix"
		[ ! -e "$BUILDKIT_DROPIN" ]
	fi
	# both builders' step containers were deleted through phoenix: only
	# the file's nested container's namespace is left
	for _ in $(seq 50); do [[ $(phx_namespaces) == "$ns" ]] && break; sleep 0.2; done
	run phx_namespaces
	assert_output "$ns"
}

@test "upgrade with the nested container running: label unchanged, record kept, host profile reloaded" {
	local cid ns before
	cid=$(cat "$BATS_FILE_TMPDIR/cid")
	ns=$(cat "$BATS_FILE_TMPDIR/ns")
	before=$(nested_label)
	[ -n "$before" ]
	run apt_ct install ./phoenix-up.deb
	assert_success
	assert_line --regexp '^Unpacking phoenix \(.*\+rebuild1\) over '
	run bash -c 'cd /tmp/phx-debs/up && "$@" install ./phoenix-host_*+rebuild1_all.deb' bash "${APT[@]}"
	assert_success
	assert_line --regexp '^Setting up phoenix-host \(.*\+rebuild1\)'
	grep -qx 'lxc-gpu-docker-storage (enforce)' "$AAFS/profiles"
	assert_equal "$(nested_label)" "$before"
	assert_equal "$(cat /proc/"$(scene_ct_pid 951)"/attr/current)" "$HOSTPROF//&:ct-951:unconfined (enforce)"
	in_ct 951 test -f "/run/phoenix/$ns.json"
	# the upgraded phoenix execs into it
	run docker_in 951 exec "$cid" cat /proc/self/attr/current
	assert_output "phoenix-default (enforce)"
}

@test "remove with the nested container running: label unchanged, record kept; reinstalled, docker rm reaps the namespace" {
	local cid ns before pid
	cid=$(cat "$BATS_FILE_TMPDIR/cid")
	ns=$(cat "$BATS_FILE_TMPDIR/ns")
	before=$(nested_label)
	run apt_ct remove phoenix
	assert_success
	assert_line --regexp '^Removing phoenix '
	run in_ct 951 test -e /usr/bin/phoenix
	assert_failure
	run "${APT[@]}" remove phoenix-host
	assert_success
	assert_line --regexp '^Removing phoenix-host '
	[ ! -e /usr/sbin/phoenix-lxc-config ]
	# nothing unloaded, nothing of the container's lost
	grep -qx 'lxc-gpu-docker-storage (enforce)' "$AAFS/profiles"
	grep -qx "$HOSTPROF (enforce)" "$AAFS/profiles"
	[ -d "$AAFS/policy/namespaces/ct-951/namespaces/$ns" ]
	assert_equal "$(nested_label)" "$before"
	in_ct 951 test -f "/run/phoenix/$ns.json"
	# the container itself runs on, its file read through its root (an
	# exec cannot work now: the engine runs /usr/bin/phoenix for it)
	pid=$(docker_in 951 inspect -f '{{.State.Pid}}' "$cid")
	[[ $pid =~ ^[1-9][0-9]*$ ]]
	run in_ct 951 cat "/proc/$pid/root/label"
	assert_output "phoenix-default (enforce)"
	run docker_in 951 exec "$cid" true
	assert_failure
	assert_output --partial '/usr/bin/phoenix: no such file or directory'
	# back again: the reinstalled phoenix execs into it in its namespace,
	# and phoenix delete (docker rm) finds the record and reaps
	run apt_ct install ./phoenix-up.deb
	assert_success
	run docker_in 951 exec "$cid" cat /proc/self/attr/current
	assert_output "phoenix-default (enforce)"
	run nested_label
	assert_output "$before"
	run docker_in 951 rm -f "$cid"
	assert_success
	[ ! -e "$AAFS/policy/namespaces/ct-951/namespaces/$ns" ]
	run in_ct 951 test -e "/run/phoenix/$ns.json"
	assert_failure
	run host_labels_below ct-951
	refute_output --partial ":ct-951//$ns:"
}
