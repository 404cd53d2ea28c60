#!/usr/bin/env bats
# Tests of the VM harness itself, run on the host (not in the VM): what
# vm.sh promises its callers.  Needs the kernel from fetch-kernel.sh.

bats_require_minimum_version 1.5.0

setup_file() {
	here=$(cd "$BATS_TEST_DIRNAME" && pwd -P)
	export here
	vm=$here/vm.sh
	export vm
	"$here/fetch-kernel.sh" 2>/dev/null
}

setup() {
	load /usr/lib/bats/bats-support/load
	load /usr/lib/bats/bats-assert/load
	# vm.sh refuses a working directory the guest does not have (/tmp).
	cd "$here"
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
	run "$vm" -- bash -c '
		set -e
		echo changed >"$1/existing"
		echo new >"$1/new"
		rm "$1/victim"
		echo guest >/etc/phoenix-harness-test
		cat "$1/existing" "$1/new"
		[[ ! -e $1/victim ]]' _ "$probe"
	assert_success
	assert_output $'changed\nnew'
	run cat "$probe/existing" "$probe/victim"
	assert_output $'original\nkeep'
	[[ ! -e $probe/new ]]
	[[ ! -e /etc/phoenix-harness-test ]]
}

@test "output is complete even when our reader is slower than the guest" {
	# A reader that starts well after the guest has powered off: nothing
	# the command wrote may be lost in between.
	run bash -c '"$1" -- head -c 300000 /dev/zero | { sleep 8; wc -c; }' _ "$vm"
	assert_success
	assert_output 300000
}

@test "a VM that does not finish in time is a loud failure" {
	run --separate-stderr "$vm" --timeout 2 -- sleep 60
	assert_failure 124
	[[ $stderr == *"did not finish within 2 s"* ]]
}

@test "no kernel is a loud failure, before any VM starts" {
	PHOENIX_VM_CACHE=$probe run --separate-stderr "$vm" -- true
	assert_failure 125
	[[ $stderr == *"no kernel in $probe"* ]]
}

@test "a working directory the guest does not have is refused" {
	cd /tmp
	run --separate-stderr "$vm" -- true
	assert_failure 125
	[[ $stderr == *"does not exist in the guest"* ]]
}
