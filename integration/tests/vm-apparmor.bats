#!/usr/bin/env bats
# The integration VM's proof that its kernel really enforces AppArmor, that
# policy namespaces work the way phoenix uses them, and that runc and crun
# run containers in it.  Runs inside the VM (integration/run-suite.sh).
#
# Each test runs in a subshell of its own, with its setup and teardown.
# shellcheck disable=SC2030,SC2031

aafs=/sys/kernel/security/apparmor
ns=phoenix-vm-ns
ns_dir=$aafs/policy/namespaces/phoenix-vm-ns

setup_file() {
	# Scratch space on the guest's tmpfs; the profiles below name it.
	scratch=$(mktemp -d /tmp/phoenix-vm-test.XXXXXX)
	export scratch
	# A profile that allows all file access except one audited path.  The
	# kernel mediates signals: without the signal rule neither these tests
	# nor runc (which kills a container's processes when it is done) could
	# signal a process under it.
	cat >"$scratch/profile" <<-'EOF'
		profile phoenix-vm-test flags=(attach_disconnected) {
		  file,
		  signal (receive) peer=unconfined,
		  audit deny /tmp/phoenix-vm-test.*/secret r,
		}
	EOF
	sed 's/phoenix-vm-test flags/phoenix-vm-inner flags/' "$scratch/profile" >"$scratch/inner-profile"
	echo "the secret" >"$scratch/secret"
}

teardown_file() {
	rm -rf "$scratch"
}

setup() {
	load /usr/lib/bats/bats-support/load
	load /usr/lib/bats/bats-assert/load
	bg_pids=()
}

teardown() {
	local p
	for p in "${bg_pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [[ -d $ns_dir ]]; then
		rmdir "$ns_dir"
	fi
	if grep -q '^phoenix-vm-test ' "$aafs/profiles"; then
		apparmor_parser -R "$scratch/profile"
	fi
}

# Run COMMAND... in the background (stdio detached from bats); the pid is
# appended to bg_pids.
start_bg() {
	"$@" </dev/null >/dev/null 2>&1 3>&- &
	bg_pids+=("$!")
}

# Print the label of PID as the caller sees it, once it differs from
# BEFORE (the label it had before its exec).  Fails after 30 s, or when the
# process is gone.
label_after_exec() {
	local pid=$1 before=$2 label='' deadline=$((SECONDS + 30))
	while ((SECONDS < deadline)); do
		kill -0 "$pid" 2>/dev/null || {
			echo "process $pid is gone"
			return 1
		}
		label=$(cat "/proc/$pid/attr/current" 2>/dev/null) || label=''
		if [[ -n $label && $label != "$before" ]]; then
			printf '%s\n' "$label"
			return 0
		fi
		sleep 0.05
	done
	echo "label of $pid still \`$label\` after 30 s"
	return 1
}

# Print the AppArmor denials in the kernel log for PROFILE on PATH.
denials() {
	dmesg | grep -F 'apparmor="DENIED"' | grep -F "profile=\"$1\"" | grep -F "name=\"$2\"" || true
}

# A bundle whose root filesystem is busybox-static with its applets, on the
# guest's tmpfs (runc cannot use a root filesystem on 9p), running ARGS.
make_bundle() {
	local bundle=$1
	shift
	mkdir -p "$bundle/rootfs/bin"
	cp /bin/busybox "$bundle/rootfs/bin/busybox"
	# In a chroot, busybox --install links the applets to argv[0].
	chroot "$bundle/rootfs" /bin/busybox --install -s /bin
	(cd "$bundle" && runc spec)
	local args
	args=$(printf '%s\n' "$@" | jq -Rn '[inputs]')
	jq --argjson args "$args" '.process.terminal = false | .process.args = $args' \
		"$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
}

set_profile() {
	jq --arg p "$2" '.process.apparmorProfile = $p' "$1/config.json" >"$1/config.json.new"
	mv "$1/config.json.new" "$1/config.json"
}

@test "the kernel has AppArmor enabled" {
	run cat /sys/module/apparmor/parameters/enabled
	assert_success
	assert_output Y
	run cat /sys/kernel/security/lsm
	assert_output --regexp '(^|,)apparmor(,|$)'
	run cat "$aafs/profiles"
	assert_success
	run cat /proc/self/attr/current
	assert_output unconfined
}

@test "a profile loaded with apparmor_parser confines a process" {
	run apparmor_parser -r "$scratch/profile"
	assert_success
	run cat "$aafs/profiles"
	assert_line 'phoenix-vm-test (enforce)'
	run aa-exec -p phoenix-vm-test -- cat /proc/self/attr/current
	assert_success
	assert_output 'phoenix-vm-test (enforce)'
}

@test "an audit deny rule gives EACCES and a DENIED record in the kernel log" {
	# Unconfined, the file is readable: the denial below is the profile's.
	run cat "$scratch/secret"
	assert_success
	assert_output "the secret"
	run denials phoenix-vm-test "$scratch/secret"
	assert_output ''
	apparmor_parser -r "$scratch/profile"
	run aa-exec -p phoenix-vm-test -- cat "$scratch/secret"
	assert_failure 1
	assert_output "cat: $scratch/secret: Permission denied"
	run denials phoenix-vm-test "$scratch/secret"
	assert_output --partial 'operation="open"'
	assert_output --partial 'denied_mask="r"'
}

@test "a policy namespace can be created, entered and removed" {
	run mkdir "$ns_dir"
	assert_success
	[[ -f $ns_dir/.replace ]]
	# Seen from inside, the namespace's unconfined is plain unconfined ...
	run aa-exec -p ":$ns:unconfined" -- cat /proc/self/attr/current
	assert_success
	assert_output unconfined
	# ... from the root namespace, it is the namespace's.
	start_bg aa-exec -p ":$ns:unconfined" -- sleep 60
	run label_after_exec "${bg_pids[0]}" unconfined
	assert_success
	assert_output ":$ns:unconfined"
	kill "${bg_pids[0]}"
	wait "${bg_pids[0]}" || true
	bg_pids=()
	run rmdir "$ns_dir"
	assert_success
	[[ ! -e $ns_dir ]]
	run aa-exec -p ":$ns:unconfined" -- true
	assert_failure
	assert_output --partial "does not exist"
}

@test "a compiled profile written to a namespace's .replace confines a process there" {
	mkdir "$ns_dir"
	# Compile without loading, then load the blob into the namespace.
	apparmor_parser -Q -S "$scratch/inner-profile" >"$scratch/inner.bin"
	[[ -s $scratch/inner.bin ]]
	cat "$scratch/inner.bin" >"$ns_dir/.replace"
	run ls "$ns_dir/profiles"
	assert_output --regexp '^phoenix-vm-inner\.[0-9]+$'
	run cat "$aafs/profiles"
	assert_line ":$ns:phoenix-vm-inner (enforce)"
	refute_line 'phoenix-vm-inner (enforce)'

	# From inside the namespace the label is the bare profile name.
	run aa-exec -p ":$ns:phoenix-vm-inner" -- cat /proc/self/attr/current
	assert_success
	assert_output 'phoenix-vm-inner (enforce)'
	# From the root namespace it carries the namespace.
	start_bg aa-exec -p ":$ns:phoenix-vm-inner" -- sleep 60
	run label_after_exec "${bg_pids[0]}" unconfined
	assert_success
	assert_output ":$ns:phoenix-vm-inner (enforce)"
	# The namespace's profile really confines: its audit deny rule holds.
	run aa-exec -p ":$ns:phoenix-vm-inner" -- cat "$scratch/secret"
	assert_failure 1
	assert_output "cat: $scratch/secret: Permission denied"
	run denials phoenix-vm-inner "$scratch/secret"
	assert_output --partial "namespace=\"root//$ns\""

	kill "${bg_pids[0]}"
	wait "${bg_pids[0]}" || true
	bg_pids=()
	run rmdir "$ns_dir"
	assert_success
	run cat "$aafs/profiles"
	refute_output --partial phoenix-vm-inner
}

@test "runc runs a busybox container" {
	make_bundle "$scratch/runc" sh -c 'echo hello from runc; cat /proc/self/attr/current'
	run runc run --bundle "$scratch/runc" phoenix-vm-runc
	assert_success
	assert_line --index 0 'hello from runc'
	assert_line --index 1 unconfined
}

@test "runc applies the spec's AppArmor profile" {
	apparmor_parser -r "$scratch/profile"
	make_bundle "$scratch/runc-aa" sh -c 'cat /proc/self/attr/current; exit 3'
	set_profile "$scratch/runc-aa" phoenix-vm-test
	run runc run --bundle "$scratch/runc-aa" phoenix-vm-runc-aa
	assert_failure 3
	assert_output 'phoenix-vm-test (enforce)'
}

@test "crun runs a busybox container" {
	make_bundle "$scratch/crun" sh -c 'echo hello from crun; cat /proc/self/attr/current'
	run crun run --bundle "$scratch/crun" phoenix-vm-crun
	assert_success
	assert_line --index 0 'hello from crun'
	assert_line --index 1 unconfined
}

@test "crun applies the spec's AppArmor profile" {
	apparmor_parser -r "$scratch/profile"
	make_bundle "$scratch/crun-aa" sh -c 'cat /proc/self/attr/current; exit 3'
	set_profile "$scratch/crun-aa" phoenix-vm-test
	run crun run --bundle "$scratch/crun-aa" phoenix-vm-crun-aa
	assert_failure 3
	assert_output 'phoenix-vm-test (enforce)'
}
