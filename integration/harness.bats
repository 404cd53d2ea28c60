#!/usr/bin/env bats
# Tests of the VM harness itself, run on the host (not in the VM): what
# vm.sh promises its callers.  Needs the kernel from fetch-kernel.sh.

# Commands for the guest are single-quoted on purpose; bats's `run` sets
# $stderr.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

setup_file() {
	here=$(cd "$BATS_TEST_DIRNAME" && pwd -P)
	export here
	vm=$here/vm.sh
	export vm
	"$here/fetch-kernel.sh"
}

setup() {
	load /usr/lib/bats/bats-support/load
	load /usr/lib/bats/bats-assert/load
	# vm.sh refuses a working directory the guest does not have (/tmp).
	cd "$here" || return 1
	# A host directory the guest can see: the guest's /tmp is its own.
	cache=${PHOENIX_VM_CACHE:-$here/cache}
	probe=$(mktemp -d "$cache/harness-test.XXXXXX")
}

teardown() {
	rm -rf "$probe"
}

@test "vm.sh returns the command's status, stdout, stderr, cwd and PHOENIX_/BATS_/TERM variables" {
	PHOENIX_HARNESS_X='a b=c' BATS_HARNESS_Y=y TERM=dumb NOT_PASSED=z \
		run --separate-stderr "$vm" -- bash -c \
		'echo "out $(pwd)"; echo "$PHOENIX_HARNESS_X|$BATS_HARNESS_Y|$TERM|${NOT_PASSED-unset}|$(id -u)"; echo err >&2; exit 7'
	assert_failure 7
	assert_line --index 0 "out $here"
	assert_line --index 1 'a b=c|y|dumb|unset|0'
	[[ $stderr == err ]]
}

@test "the guest runs the kernel from the cache, with AppArmor" {
	run "$vm" -- bash -c 'uname -r; cat /sys/module/apparmor/parameters/enabled'
	assert_success
	assert_line --index 0 "$(cat "${PHOENIX_VM_CACHE:-$here/cache}/current")"
	assert_line --index 1 Y
}

@test "what the guest writes to its root never reaches the host" {
	echo original >"$probe/existing"
	echo keep >"$probe/victim"
	run --separate-stderr "$vm" -- bash -c '
		set -e
		echo changed >"$1/existing"
		echo new >"$1/new"
		rm "$1/victim"
		echo guest >/etc/phoenix-harness-test
		cat "$1/existing" "$1/new"
		[[ ! -e $1/victim ]]
		# Even a 9p mount the guest makes writable stays read-only:
		# QEMU exports / with readonly=on.
		m=/lib/modules/$(uname -r)
		mount -o remount,rw "$m"
		if touch "$m/phoenix-harness-test"; then exit 1; fi' _ "$probe"
	assert_success
	assert_output $'changed\nnew'
	[[ $stderr == *"Read-only file system"* ]]
	run cat "$probe/existing" "$probe/victim"
	assert_output $'original\nkeep'
	[[ ! -e $probe/new ]]
	[[ ! -e /etc/phoenix-harness-test ]]
	kdir=${PHOENIX_VM_CACHE:-$here/cache}/$(cat "${PHOENIX_VM_CACHE:-$here/cache}/current")
	[[ ! -e $kdir/root/lib/modules/${kdir##*/}/phoenix-harness-test ]]
}

@test "output is complete even when our reader is slower than the guest" {
	# The reader starts only once the guest has powered off (its console
	# log, in vm.sh's run directory under TMPDIR, says so): nothing the
	# command wrote may be lost in between.
	mkdir "$probe/tmp"
	run bash -c '
		TMPDIR=$2 "$1" -- head -c 300000 /dev/zero | {
			for ((i = 0; i < 600; i++)); do
				grep -qs "reboot: Power down" "$2"/phoenix-vm.*/console.log && break
				sleep 0.2
			done
			sleep 1
			wc -c
		}' _ "$vm" "$probe/tmp"
	assert_success
	assert_output 300000
}

@test "a VM that does not finish in time is a loud failure" {
	run --separate-stderr "$vm" --timeout 2 -- sleep 60
	assert_failure 124
	[[ $stderr == *"did not finish within 2 s"* ]]
}

@test "a command that hangs is stopped in the guest, which lists what still runs" {
	# The guest's deadline is 20 s before vm.sh's.
	run --separate-stderr "$vm" --timeout 30 -- bash -c 'sleep 1000 & wait'
	assert_failure 124
	[[ $stderr == *"bash did not finish within 10 s; processes:"* ]]
	[[ $stderr == *"sleep 1000"* ]]
}

@test "no kernel is a loud failure, before any VM starts" {
	PHOENIX_VM_CACHE=$probe run --separate-stderr "$vm" -- true
	assert_failure 125
	[[ $stderr == *"no kernel in $probe"* ]]
}

@test "an unknown release is a loud failure, before any VM starts" {
	PHOENIX_RELEASE=potato run --separate-stderr "$vm" -- true
	assert_failure 125
	[[ $stderr == *"must be bookworm, trixie or sid, not \`potato\`"* ]]
	PHOENIX_RELEASE=bookworm PHOENIX_KERNEL_RELEASE=woody run --separate-stderr "$vm" -- true
	assert_failure 125
	[[ $stderr == *"not \`woody\`"* ]]
}

@test "a working directory the guest does not have is refused" {
	cd /tmp
	run --separate-stderr "$vm" -- true
	assert_failure 125
	[[ $stderr == *"does not exist in the guest"* ]]
}

@test "a working directory under /tmp (a checkout cloned there) is the host's, and the guest's writes stay in the guest" {
	top=$(mktemp -d /tmp/phoenix-harness.XXXXXX)
	mkdir "$top/checkout"
	echo host >"$top/checkout/file"
	echo sibling >"$top/sibling"
	cd "$top/checkout"
	run --separate-stderr "$vm" -- bash -c '
		set -e
		pwd
		cat file ../sibling
		echo guest >file
		echo new >new
		cat file
		findmnt -n -o FSTYPE --target /tmp
	'
	cd "$here"
	local host_file host_new=absent
	host_file=$(cat "$top/checkout/file")
	[[ ! -e $top/checkout/new ]] || host_new=present
	rm -rf "$top"
	assert_success
	assert_equal "${lines[*]}" "$top/checkout host sibling guest tmpfs"
	assert_equal "$host_file" host
	assert_equal "$host_new" absent
}
