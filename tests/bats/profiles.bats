#!/usr/bin/env bats
# phoenix's AppArmor profiles (profiles/): each one compiles with the real
# apparmor_parser, and the compiled policy decides what the profiles say.
#
# The machine running the tests may have no AppArmor in its kernel, so the
# profiles are compiled offline against a feature set: Debian's own
# (/usr/share/apparmor-features/features, the features of Debian's 6.1
# kernel, which apparmor_parser uses for policy on Debian) and AppArmor
# 3.0's ABI.  Decisions are read from the automata the parser builds, the
# same ones the kernel would load; the real kernel's word on them comes
# from the integration tests.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

PROFILES=$(cd "$BATS_TEST_DIRNAME/../../profiles" && pwd)
FEATURES_DEBIAN=/usr/share/apparmor-features/features
FEATURES_ABI3=/etc/apparmor.d/abi/3.0
# No parser.conf, no cache, no kernel: only the profile and the features.
PARSER=(apparmor_parser --config-file /dev/null --skip-kernel-load --skip-cache)
# Debian's interpreter: a version-manager shim would cost ~0.4 s a call.
PYTHON=$(command -v /usr/bin/python3 || command -v python3)

CONTAINER_PROFILES=(phoenix-default phoenix-gpu phoenix-test-custom)
HOST_PROFILES=(lxc-gpu-docker-storage lxc-phoenix-v2 phoenix-test-host phoenix-test-host-nomacadmin phoenix-test-host-strict)
LXC_PROFILES=(lxc-gpu-docker-storage lxc-phoenix-v2)

setup_file() {
	cat >"$BATS_FILE_TMPDIR/aadfa.py" <<'EOF'
# Decide file, mount, umount and pivot_root requests against a profile
# compiled by apparmor_parser, walking its automata the way the kernel
# does (security/apparmor/file.c, mount.c), from the parser's own dump of
# them (`apparmor_parser -D dfa-states`).
#
# Usage: python3 aadfa.py DUMP < expectations, one per line:
#   allows PATH PERMS                        every permission granted
#   refuses PATH PERMS                       none granted, each refusal logged
#   mount allow|deny DEST SOURCE FSTYPE FLAGS   (- for none; FLAGS a,b,c)
#   mount logged|quiet DEST SOURCE FSTYPE FLAGS  denied, and the refusal
#                                                logged, or not
#   umount allow|deny PATH
#   pivot_root allow|deny NEW_ROOT PUT_OLD
# PERMS are letters of rwamkx.  "Logged" means denied and not quiet: the
# kernel audits the refusal.  Prints each unmet expectation; exits 1 if any.
import re
import sys

ESC = {'a': 7, 'b': 8, 't': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13, 'e': 27}
FILE_BITS = [('r', 0x4), ('w', 0x2), ('a', 0x8), ('m', 0x40), ('k', 0x20), ('x', 0x1)]
MNT_FLAGS = {'ro': 0, 'nosuid': 1, 'nodev': 2, 'noexec': 3, 'sync': 4, 'remount': 5,
             'mand': 6, 'dirsync': 7, 'noatime': 10, 'nodiratime': 11, 'bind': 12,
             'move': 13, 'rec': 14, 'silent': 15, 'unbindable': 17, 'private': 18,
             'slave': 19, 'shared': 20, 'relatime': 21, 'strictatime': 24}
CLASS_MOUNT = 7
MAY_PIVOTROOT, MAY_MOUNT, MAY_UMOUNT = 0x1, 0x2, 0x4


def chars(text):
    out, i = set(), 0
    while i < len(text):
        c = text[i]
        if c != '\\':
            out.add(ord(c))
            i += 1
            continue
        n = text[i + 1]
        if n == 'x':
            m = re.match(r'[0-9a-fA-F]+', text[i + 2:])
            out.add(int(m.group(0), 16))
            i += 2 + len(m.group(0))
        else:
            out.add(ESC.get(n, ord(n)))
            i += 2
    return out


class Dfa:
    def __init__(self):
        self.perms = {}   # state -> (allow, deny, audit, quiet)
        self.trans = {}   # state -> {char: state}
        self.other = {}   # state -> (excluded chars, state)

    def next(self, state, c):
        if state == 0:
            return 0
        t = self.trans.get(state, {})
        if c in t:
            return t[c]
        excluded, target = self.other.get(state, (None, 0))
        if excluded is None or c in excluded:
            return 0
        return target

    def match(self, state, text):
        for b in text.encode():
            state = self.next(state, b)
        return state

    def allow(self, state):
        return self.perms.get(state, (0, 0, 0, 0))[0] & 0x3fff

    def quiet(self, state):
        return self.perms.get(state, (0, 0, 0, 0))[3] & 0x3fff


def load(path):
    dfas, cur, state = [], None, None
    for line in open(path, errors='replace'):
        line = line.rstrip('\n')
        m = re.match(r'^\{(\d+)\} <== ', line)
        if m:
            cur = Dfa()
            dfas.append(cur)
            continue
        # accepting states, listed before the transitions
        m = re.match(r'^\{(\d+)\} \(0x ([0-9a-f]+)/([0-9a-f]+)/([0-9a-f]+)/([0-9a-f]+)\)', line)
        if m:
            cur.perms[int(m.group(1))] = tuple(int(m.group(k), 16) for k in range(2, 6))
            continue
        m = re.match(r'^\{(\d+)\} perms: ', line)
        if m:
            state = int(m.group(1))
            continue
        m = re.match(r'^\s+\[(\^?)(.*)\] -> \{(\d+)\}', line)
        if m and state is not None:
            cur.other[state] = (chars(m.group(2)) if m.group(1) else set(), int(m.group(3)))
            continue
        m = re.match(r'^\s+(?:.*\s)?0x([0-9a-f]+) -> \{(\d+)\}', line)
        if m and state is not None:
            cur.trans.setdefault(state, {})[int(m.group(1), 16)] = int(m.group(2))
            continue
        if line.strip() == '':
            state = None
    files = [d for d in dfas if ord('/') in d.trans.get(1, {})]
    policy = [d for d in dfas if CLASS_MOUNT in d.trans.get(1, {})]
    return (files[0] if files else Dfa()), (policy[0] if policy else Dfa())


def letters(mask):
    return ''.join(l for l, b in FILE_BITS if mask & b)


def file_perms(files, path):
    s = files.match(1, path)
    allow, quiet = files.allow(s), files.quiet(s)
    return letters(allow), letters(~allow & ~quiet)


def mount_state(policy, start, dest, src, fstype, flags):
    s = policy.match(start, dest)
    s = policy.next(s, 0)
    if src != '-':
        s = policy.match(s, src)
    s = policy.next(s, 0)
    if fstype != '-':
        s = policy.match(s, fstype)
    s = policy.next(s, 0)
    for b in sorted(MNT_FLAGS[f] for f in flags.split(',') if f not in ('-', 'rw')):
        s = policy.next(s, b + 1)
    return s


def check(files, policy, line):
    """One expectation; returns None when met, else what was found."""
    w = line.split()
    start = policy.next(1, CLASS_MOUNT)
    if w[0] in ('allows', 'refuses'):
        allowed, logged = file_perms(files, w[1])
        for p in w[2]:
            if w[0] == 'allows' and p not in allowed:
                return 'allowed "%s", logged "%s"' % (allowed, logged)
            if w[0] == 'refuses' and (p in allowed or p not in logged):
                return 'allowed "%s", logged "%s"' % (allowed, logged)
        return None
    if w[0] == 'mount':
        s = mount_state(policy, start, *w[2:6])
        ok = bool(policy.allow(s) & MAY_MOUNT)
        if w[1] in ('logged', 'quiet'):
            if ok:
                return 'allowed'
            quiet = bool(policy.quiet(s) & MAY_MOUNT)
            return None if quiet == (w[1] == 'quiet') else ('quiet' if quiet else 'logged')
    elif w[0] == 'umount':
        ok = bool(policy.allow(policy.match(start, w[2])) & MAY_UMOUNT)
    elif w[0] == 'pivot_root':
        s = policy.next(policy.match(start, w[2]), 0)
        ok = bool(policy.allow(policy.match(s, w[3])) & MAY_PIVOTROOT)
    else:
        return 'unknown expectation'
    return None if ok == (w[1] == 'allow') else ('allowed' if ok else 'denied')


def main(argv):
    files, policy = load(argv[1])
    failed = 0
    for line in sys.stdin:
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        found = check(files, policy, line)
        if found is not None:
            print('not as expected: %s (%s)' % (line, found))
            failed += 1
    return 1 if failed else 0


sys.exit(main(sys.argv))
EOF
}

# dir_of NAME: container or host
dir_of() {
	local p
	for p in "${CONTAINER_PROFILES[@]}"; do [ "$p" = "$1" ] && { echo container; return; }; done
	echo host
}

# compile NAME FEATURES OUT: the command line of profiles/README.md
compile() {
	local dir
	dir=$(dir_of "$1")
	"${PARSER[@]}" -M "$2" -I "$PROFILES/$dir" -o "$3" "$PROFILES/$dir/$1"
}

# The parser's dump of NAME's automata (Debian's kernel features), once.
dfa() {
	local out="$BATS_FILE_TMPDIR/$1.dfa" dir
	if [ ! -s "$out" ]; then
		dir=$PROFILES/$(dir_of "$1")
		[ -f "$dir/$1" ] || dir=$BATS_FILE_TMPDIR/inst
		"${PARSER[@]}" -M "$FEATURES_DEBIAN" -I "$dir" -D dfa-states \
			"$dir/$1" 2>"$out" >/dev/null || return 1
	fi
	echo "$out"
}

# expect NAME <<EOF ... EOF: the compiled NAME meets every expectation
# (see aadfa.py for their form)
expect() {
	local dump input
	input=$(cat)
	dump=$(dfa "$1") || fail "$1 does not compile"
	run "$PYTHON" "$BATS_FILE_TMPDIR/aadfa.py" "$dump" <<<"$input"
	[ "$status" -eq 0 ] || fail "$1: $output"
}

# expect_quiet NAME <<EOF ... EOF: the same, for `run`: prints the unmet
# expectations, status 1 if any.
expect_quiet() {
	local dump
	dump=$(dfa "$1") || { echo "$1 does not compile"; return 1; }
	"$PYTHON" "$BATS_FILE_TMPDIR/aadfa.py" "$dump"
}

# instance TEMPLATE CONTAINER: container CONTAINER's own copy of the host
# template TEMPLATE, as hooks/phoenix-host-profiles writes it, in
# $BATS_FILE_TMPDIR/inst (where dfa and rules find it).
instance() {
	local inst=$BATS_FILE_TMPDIR/inst hp=$PROFILES/../hooks/phoenix-host-profiles
	[ -f "$inst/$1.$2" ] && return 0
	"$hp" --src "$PROFILES/host" --dest "$inst" >/dev/null &&
		"$hp" --dest "$inst" --container "$2:$1" >/dev/null
}

# The text of NAME with every include expanded, as the parser reads it,
# without comments.
rules() {
	local dir
	dir=$PROFILES/$(dir_of "$1")
	[ -f "$dir/$1" ] || dir=$BATS_FILE_TMPDIR/inst
	"${PARSER[@]}" -p -I "$dir" "$dir/$1" 2>/dev/null | sed -e 's/#.*//' -e '/^ *$/d'
}

@test "the decision checker reads a compiled policy correctly" {
	cat >"$BATS_TEST_TMPDIR/probe" <<'EOF'
profile probe {
  /allowed/** rw,
  deny /allowed/quiet w,
  audit deny /allowed/loud w,
  mount options=(bind) /src/ -> /dst/,
  deny mount options=(bind) /hush/ -> /dst/,
  umount /dst/,
}
EOF
	"${PARSER[@]}" -M "$FEATURES_DEBIAN" -D dfa-states "$BATS_TEST_TMPDIR/probe" \
		2>"$BATS_TEST_TMPDIR/probe.dfa" >/dev/null
	check() { "$PYTHON" "$BATS_FILE_TMPDIR/aadfa.py" "$BATS_TEST_TMPDIR/probe.dfa"; }
	run check <<'EOF'
allows /allowed/x rwa
refuses /allowed/x x
refuses /allowed/loud w
refuses /elsewhere r
mount allow /dst/ /src/ - bind
mount deny /dst/ /src/ - bind,rec
mount deny /dst/ /other/ - bind
mount logged /dst/ /other/ - bind
mount quiet /dst/ /hush/ - bind
mount logged /dst/ /hush/ - bind,rec
umount allow /dst/
umount deny /src/
EOF
	assert_success
	assert_output ''
	# and it reports what is not so: a plain deny is quiet, not logged
	run check <<'EOF'
refuses /allowed/quiet w
allows /allowed/loud w
mount allow /dst/ /other/ - bind
mount logged /dst/ /hush/ - bind
mount quiet /dst/ /other/ - bind
mount quiet /dst/ /src/ - bind
EOF
	assert_failure
	assert_line --index 0 --partial 'refuses /allowed/quiet w'
	assert_line --index 1 --partial 'allows /allowed/loud w'
	assert_line --index 2 --partial 'mount allow /dst/ /other/'
	assert_line --index 3 'not as expected: mount logged /dst/ /hush/ - bind (quiet)'
	assert_line --index 4 'not as expected: mount quiet /dst/ /other/ - bind (logged)'
	assert_line --index 5 'not as expected: mount quiet /dst/ /src/ - bind (allowed)'
}

@test "every profile compiles with the real apparmor_parser, for Debian's kernel and for ABI 3.0" {
	local name features
	for features in "$FEATURES_DEBIAN" "$FEATURES_ABI3"; do
		for name in "${CONTAINER_PROFILES[@]}" "${HOST_PROFILES[@]}"; do
			rm -f "$BATS_TEST_TMPDIR/out.bin"
			run compile "$name" "$features" "$BATS_TEST_TMPDIR/out.bin"
			assert_success
			[ -s "$BATS_TEST_TMPDIR/out.bin" ] || fail "$name: empty binary policy ($features)"
		done
	done
}

@test "a broken profile does not compile" {
	mkdir -p "$BATS_TEST_TMPDIR/container"
	# one rule's trailing comma removed
	sed 's|^  audit deny /phoenix-denied/\*\* rwklx,$|  audit deny /phoenix-denied/** rwklx|' \
		"$PROFILES/container/phoenix-default" >"$BATS_TEST_TMPDIR/container/phoenix-default"
	run cmp -s "$PROFILES/container/phoenix-default" "$BATS_TEST_TMPDIR/container/phoenix-default"
	assert_failure
	run "${PARSER[@]}" -M "$FEATURES_DEBIAN" -I "$PROFILES/container" -o "$BATS_TEST_TMPDIR/out.bin" \
		"$BATS_TEST_TMPDIR/container/phoenix-default"
	assert_failure
	assert_output --partial 'syntax error'
	[ ! -s "$BATS_TEST_TMPDIR/out.bin" ]
}

@test "the profile named in each file is the file's name" {
	local name
	# the parser's list of the profiles a file defines (its notes on
	# stderr left out)
	names() {
		local dir
		dir=$(dir_of "$1")
		"${PARSER[@]}" -N -I "$PROFILES/$dir" "$PROFILES/$dir/$1" 2>/dev/null
	}
	for name in "${CONTAINER_PROFILES[@]}" "${HOST_PROFILES[@]}"; do
		run names "$name"
		assert_success
		assert_output "$name"
	done
}

@test "container profiles: no change_profile, no policy administration" {
	local name
	for name in "${CONTAINER_PROFILES[@]}"; do
		run rules "$name"
		assert_success
		assert_line --regexp "^ *profile $name "
		refute_output --partial change_profile
		assert_line --regexp '^ *audit deny capability mac_admin,'
		assert_line --regexp '^ *audit deny capability mac_override,'
		refute_line --regexp '^ *capability mac_(admin|override)'
	done
}

@test "container profiles: the canary path is refused and logged" {
	local name
	for name in "${CONTAINER_PROFILES[@]}"; do
		expect "$name" <<'EOF'
refuses /phoenix-denied/ rwkx
refuses /phoenix-denied/probe rwkx
allows /phoenix-allowed/probe rwk
EOF
	done
	expect phoenix-test-custom <<<'refuses /phoenix-custom-denied/probe rwkx'
	expect phoenix-default <<<'allows /phoenix-custom-denied/probe rwk'
	expect phoenix-gpu <<<'allows /phoenix-custom-denied/probe rwk'
}

@test "container profiles: kernel interfaces and mounts are refused, the container's own files are not" {
	local name
	for name in "${CONTAINER_PROFILES[@]}"; do
		expect "$name" <<'EOF'
refuses /proc/sysrq-trigger rw
refuses /proc/kcore r
refuses /proc/kmem r
refuses /proc/sys/kernel/core_pattern w
refuses /proc/sys/fs/binfmt_misc/register w
refuses /proc/sys/net/ipv4/ip_forward w
refuses /proc/acpi/wakeup w
refuses /sys/firmware/dmi/tables/DMI r
refuses /sys/kernel/security/apparmor/.replace rw
refuses /sys/class/net/eth0/mtu w
allows /sys/class/net/eth0/mtu r
allows /proc/sys/kernel/shmmax rw
allows /proc/sys/kernel/ostype r
allows /proc/1/attr/apparmor/current r
allows /sys/fs/cgroup/cpu.max rw
allows /etc/passwd rw
allows /usr/bin/env rmx
mount deny /mnt/ /dev/sda1 ext4 -
mount deny /tmp/p/ proc proc -
mount deny /tmp/b/ /etc/ - bind
umount deny /proc/kcore
pivot_root deny /new/ /new/old/
EOF
	done
}

@test "phoenix-gpu: GPU nodes and driver files, no device-node creation" {
	expect phoenix-gpu <<'EOF'
allows /dev/nvidia0 rw
allows /dev/nvidiactl rw
allows /dev/nvidia-uvm rw
allows /dev/nvidia-caps/nvidia-cap1 rw
allows /dev/dri/renderD128 rw
allows /usr/lib/x86_64-linux-gnu/libcuda.so.1 rm
allows /proc/driver/nvidia/gpus/0000:01:00.0/information r
refuses /proc/driver/nvidia/params w
EOF
	run rules phoenix-gpu
	assert_line --regexp '^ *audit deny capability mknod,'
	run rules phoenix-default
	refute_line --regexp 'deny capability mknod'
}

@test "host profiles: /mnt/shared is narrowed to the configured directories" {
	local name
	for name in "${HOST_PROFILES[@]}"; do
		run rules "$name"
		assert_success
		refute_output --regexp '/mnt/shared/\*\* *rwm'
	done
	run grep -x '@{PHOENIX_SHARED_DIRS} = /mnt/shared/models' "$PROFILES/host/tunables/phoenix"
	assert_success
	for name in "${LXC_PROFILES[@]}"; do
		expect "$name" <<'EOF'
allows /mnt/shared/models/weights.safetensors rwk
allows /mnt/shared/models/ rw
refuses /mnt/shared/models/run.sh mx
refuses /mnt/shared/other/secret rwk
refuses /mnt/shared/secret rwk
refuses /mnt/shared/ w
allows /mnt/shared/ r
allows /mnt/sharedx/file rwk
allows /mnt/other/file rwk
allows /var/lib/docker/overlay2/l/abc rwk
allows /usr/bin/dockerd rmx
EOF
	done
}

@test "host profiles: kernel interfaces are refused and logged, the container's own ones are not" {
	local name
	for name in "${LXC_PROFILES[@]}"; do
		expect "$name" <<'EOF'
refuses /proc/sysrq-trigger rw
refuses /proc/kcore r
refuses /proc/sys/kernel/core_pattern w
refuses /proc/sys/kernel/modprobe w
refuses /proc/sys/fs/binfmt_misc/register w
refuses /proc/sys/vm/overcommit_memory w
refuses /sys/firmware/efi/efivars/x r
refuses /sys/firmware/acpi/tables/DSDT w
refuses /sys/kernel/security/ima/policy w
refuses /sys/kernel/mm/transparent_hugepage/enabled w
refuses /sys/bus/pci/rescan w
refuses /dev/.lxc/proc/1/status r
allows /proc/sys/net/ipv4/ip_forward rw
allows /proc/sys/kernel/hostname rw
allows /proc/sys/kernel/shmmax rw
allows /proc/sys/kernel/sem rw
allows /sys/fs/cgroup/docker/cgroup.procs rw
allows /sys/devices/virtual/net/docker0/mtu rw
allows /sys/class/net/docker0/bridge/stp_state rw
EOF
	done
}

@test "host profiles: runc >= 1.2's sealed re-exec; sysctls through a detached procfs, as runc >= 1.3.3 writes them: namespaced ones only" {
	local name
	for name in "${LXC_PROFILES[@]}"; do
		# a detached procfs is named from its root (runc's fsopen("proc") or
		# open_tree(/proc)); sysfs has none of the namespaced names
		expect "$name" <<'EOF'
allows /sys/net/ipv4/ip_unprivileged_port_start w
allows /sys/net/ipv4/ping_group_range w
allows /sys/net/core/somaxconn w
allows /sys/kernel/msgmax w
allows /sys/kernel/msgmnb w
allows /sys/kernel/msg_next_id w
allows /sys/kernel/sem w
allows /sys/kernel/shmmax w
allows /sys/kernel/shm_rmid_forced w
allows /sys/kernel/hostname w
allows /sys/kernel/domainname w
allows /sys/fs/mqueue/msg_max w
allows /proc/sys/fs/mqueue/msg_max w
allows /proc/sys/kernel/msg_next_id w
allows /sys/kernel/security/apparmor/.replace w
allows /sys/fs/cgroup/docker/cgroup.procs w
# runc's sealed copy of itself: a detached overlay's file, a detached
# file (named "/"), a sealed memfd
allows /runc rx
allows / rx
allows /memfd:runc_cloned:/proc/self/exe rx
refuses /sys/kernel/core_pattern w
refuses /sys/kernel/modprobe w
refuses /sys/kernel/sysrq w
refuses /sys/kernel/seccomp/actions_logged w
refuses /sys/kernel/panic w
refuses /sys/kernel/security/ima/policy w
refuses /sys/kernel/semx/y w
refuses /sys/kernel/shmmax/x w
refuses /sys/fs/binfmt_misc/register w
refuses /sys/fs/file-max w
refuses /sys/fs/mqueuex w
refuses /sys/vm/drop_caches w
refuses /sys/dev/tty/ldisc_autoload w
refuses /sys/user/max_user_namespaces w
refuses /sys/abi/vsyscall32 w
refuses /sys/netx w
refuses /proc/sys/fs/file-max w
refuses /proc/sys/fs/protected_symlinks w
EOF
	done
}

@test "host profiles: files of fresh or detached proc, sysfs and cgroup filesystems that reach the host are refused wherever they are" {
	local name
	for name in "${LXC_PROFILES[@]}"; do
		expect "$name" <<'EOF'
# a procfs mounted below the engines' directories (phoenix-nesting allows it)
refuses /var/lib/docker/x/proc/sys/kernel/core_pattern w
refuses /var/lib/docker/x/proc/sys/kernel/modprobe w
refuses /var/lib/docker/x/proc/sys/kernel/poweroff_cmd w
refuses /var/lib/docker/x/proc/sys/vm/drop_caches w
refuses /var/lib/docker/x/proc/sys/fs/binfmt_misc/register w
refuses /var/lib/docker/x/proc/sysrq-trigger w
refuses /run/containerd/io.containerd.runtime.v2.task/moby/1/rootfs/proc/sys/kernel/randomize_va_space w
allows /var/lib/docker/x/proc/sys/net/ipv4/ip_forward w
allows /var/lib/docker/x/proc/sys/kernel/msgmax w
allows /var/lib/docker/x/proc/1/oom_score_adj w
# one that mount propagation or a recursive bind put somewhere else
refuses /tmp/a/proc/sys/kernel/core_pattern w
refuses /tmp/a/proc/sysrq-trigger w
refuses /tmp/a/b/core_pattern w
# sysfs and cgroup v1 mounted anywhere
refuses /var/lib/docker/x/sys/kernel/uevent_helper w
refuses /tmp/s/kernel/uevent_helper w
refuses /var/lib/docker/x/sys/fs/cgroup/phx/release_agent w
refuses /sys/fs/cgroup/phx/release_agent w
refuses /tmp/cg/release_agent w
# detached (fsopen/fsmount, open_tree): named from the mount's root
refuses /sysrq-trigger w
refuses /core_pattern w
refuses /release_agent w
refuses /uevent_helper w
refuses /kernel/uevent_helper w
refuses /kernel/core_pattern w
refuses /kernel/randomize_va_space w
refuses /vm/drop_caches w
refuses /power/state w
refuses /bus/pci/rescan w
refuses /devices/system/cpu/cpu1/online w
refuses /firmware/efi/efivars/x w
refuses /module/apparmor/parameters/enabled w
refuses /fs/cgroup/x/release_agent w
refuses /register w
refuses /status w
refuses /kcore r
refuses /dev/tty/ldisc_autoload w
# a fresh sysfs below the engines' directories, or copied elsewhere
refuses /var/lib/docker/x/sys/power/state w
refuses /var/lib/docker/x/sys/bus/pci/rescan w
refuses /tmp/b/sys/devices/system/cpu/cpu1/online w
refuses /tmp/b/sys/module/apparmor/parameters/enabled w
refuses /tmp/b/sys/firmware/acpi/tables/DSDT w
# and no bind takes a subtree of either to another name
mount deny /tmp/v/ /var/lib/docker/x/proc/sys/vm/ - bind
mount deny /tmp/v/ /var/lib/docker/x/proc/sys/ - bind,rec
mount deny /tmp/v/ /tmp/a/proc/sys/vm/ - bind
mount deny /tmp/p/ /var/lib/docker/x/sys/power/ - bind
mount deny /tmp/p/ /var/lib/docker/x/sys/power/ - move
# the container's own files stay writable
allows /etc/sysctl.conf w
allows /sys/class/net/eth0/mtu w
allows /sys/devices/virtual/net/veth0/mtu w
allows /proc/sys/kernel/hostname w
allows /var/lib/docker/x/proc/sys/kernel/hostname w
allows /usr/lib/go/src/vendor/golang.org/x/sys/cpu/cpu.go w
allows /var/lib/docker/overlay2/0123/diff/usr/include/x86_64-linux-gnu/sys/types.h w
allows /usr/src/linux-headers-6.1.0-27-common/fs/proc/Kconfig w
allows /usr/src/linux-headers-6.1.0-27-common/kernel/Kconfig w
allows /var/lib/docker/overlay2/0123/diff/proc/ w
allows /dev/tty rw
allows /dev/pts/0 rw
allows /usr/sbin/modprobe rx
EOF
	done
}

@test "host profiles: phoenix can administer policy below the container's namespace, not above it" {
	local name
	for name in "${LXC_PROFILES[@]}"; do
		instance "$name" 951
		run rules "$name.951"
		assert_line --regexp '^ *capability mac_admin,'
		refute_output --partial change_profile
		expect "$name.951" <<'EOF'
# securityfs, as phoenix and apparmor_parser open it
allows /sys/kernel/security/apparmor/features/domain/stack r
allows /sys/kernel/security/apparmor/.replace w
allows /sys/kernel/security/apparmor/.remove w
# through the `policy` link: paths inside apparmorfs
allows /namespaces/ct-951/namespaces/phoenix-c1/ rw
allows /namespaces/ct-951/namespaces/phoenix-c1/.replace w
allows /namespaces/ct-951/namespaces/phoenix-c1/profiles/ r
allows /namespaces/ct-951/namespaces/phoenix-c1/namespaces/nested/ w
allows /namespaces/ct-951/.replace w
refuses /namespaces/ct-951/ w
refuses /namespaces/other/ w
refuses /.replace w
refuses /.load w
# the transitions go through the task's own attr files
allows /proc/4242/attr/apparmor/exec w
allows /proc/4242/task/4243/attr/apparmor/exec w
mount allow /sys/kernel/security/ securityfs securityfs -
mount deny /tmp/securityfs/ securityfs securityfs -
EOF
	done
}

@test "host profiles: a container's own copy administers its own namespace alone, the template none" {
	local name ct other
	for name in "${LXC_PROFILES[@]}"; do
		for ct in 951 9 a.b_c-d; do
			instance "$name" "$ct"
			# every other namespace, whatever it has in common with its own
			for other in 95 9510 952 8 ct- ct-9 "ct-$ct-x" "ct-${ct}0" "$ct" "ct-${ct%?}" "ct-${ct%?}x" phx-1 .none; do
				[ "$other" != "ct-$ct" ] || continue
				run expect_quiet "$name.$ct" <<EOF
refuses /namespaces/$other/ w
refuses /namespaces/$other/namespaces/evil/ w
refuses /namespaces/$other/namespaces/phx-1/ w
refuses /namespaces/$other/namespaces/phx-1/.replace w
refuses /namespaces/$other/namespaces/phx-1/.load w
refuses /namespaces/$other/namespaces/phx-1/.remove w
refuses /namespaces/$other/namespaces/phx-1/profiles/p/raw_data r
refuses /namespaces/$other/.replace w
refuses /namespaces/$other/.remove w
EOF
				[ "$status" -eq 0 ] || fail "$name.$ct, namespace $other: $output"
			done
			expect "$name.$ct" <<EOF
allows /namespaces/ct-$ct/namespaces/phx-1/ rw
allows /namespaces/ct-$ct/namespaces/phx-1/.replace w
allows /namespaces/ct-$ct/namespaces/phx-1/.remove w
allows /namespaces/ct-$ct/.replace w
allows /namespaces/ct-$ct/profiles/ r
refuses /namespaces/ct-$ct/ w
EOF
		done
		# the template itself, loaded in the root namespace like every
		# profile file: no namespace at all through the link
		expect "$name" <<'EOF'
refuses /namespaces/ct-951/namespaces/phx-1/ w
refuses /namespaces/ct-951/namespaces/phx-1/.replace w
refuses /namespaces/ct-951/.replace w
refuses /namespaces/ct-.none/namespaces/x/ w
allows /sys/kernel/security/apparmor/.replace w
EOF
	done
}

@test "host profiles: the mounts nested containers need, and not more" {
	local name
	for name in "${LXC_PROFILES[@]}"; do
		expect "$name" <<'EOF'
# Docker and runc building a nested container
mount allow /var/lib/docker/overlay2/0123/merged/ overlay overlay -
mount allow /var/lib/docker/overlay2/0123/merged/proc/ proc proc nosuid,nodev,noexec
mount allow /var/lib/docker/overlay2/0123/merged/sys/ sysfs sysfs ro,nosuid,nodev,noexec
mount allow /var/lib/docker/overlay2/0123/merged/sys/fs/cgroup/ cgroup cgroup2 ro,nosuid,nodev,noexec
mount allow /var/lib/docker/overlay2/0123/merged/dev/ tmpfs tmpfs nosuid,strictatime
mount allow /var/lib/docker/overlay2/0123/merged/dev/pts/ devpts devpts nosuid,noexec
mount allow /var/lib/docker/overlay2/0123/merged/dev/mqueue/ mqueue mqueue nosuid,nodev,noexec
mount allow /var/lib/docker/overlay2/0123/merged/etc/hosts /var/lib/docker/containers/0123/hosts - bind,rec
mount allow /var/lib/docker/overlay2/0123/merged/etc/hosts - - ro,remount,bind,rec,nosuid,nodev
mount allow /var/lib/docker/overlay2/0123/merged/ /var/lib/docker/overlay2/0123/merged/ - bind,rec
mount allow / - - rec,slave
mount allow /proc/sys/ /proc/sys/ - bind,rec
mount allow /proc/sys/ - - ro,remount,bind,nosuid,nodev,noexec
mount allow /proc/kcore /dev/null - bind
mount allow / - - ro,remount,bind
mount allow /run/docker/netns/0123 / - bind
pivot_root allow /var/lib/docker/overlay2/0123/merged/ /var/lib/docker/overlay2/0123/merged/
umount allow /var/lib/docker/overlay2/0123/merged/
# containerd's client (ctr run): the image read-only onto the directory
# it just made, in $TMPDIR (containerd's own in its root)
mount allow /tmp/containerd-mount3716516864/ overlay overlay ro
mount allow /var/lib/containerd/tmpmounts/containerd-mount1/ overlay overlay ro
mount deny /tmp/containerd-x/ overlay overlay ro
mount deny /tmp/ overlay overlay ro
# the container's own init
mount allow /proc/ proc proc nosuid,nodev,noexec
mount allow /sys/ sysfs sysfs nosuid,nodev,noexec
mount allow /run/ tmpfs tmpfs nosuid,nodev
# a fresh /proc, /sys or overlay where the deny rules do not look
mount deny /tmp/p/ proc proc -
mount deny /tmp/p/ proc proc ro
mount deny /tmp/s/ sysfs sysfs -
mount deny /tmp/x/ overlay overlay -
# /proc and /sys taken elsewhere by a bind
mount deny /tmp/p/ /proc/ - bind
mount deny /tmp/p/ /proc/ - bind,rec
mount deny /var/lib/docker/x /proc/sysrq-trigger - bind
mount deny /var/lib/docker/x /proc/sysrq-trigger - bind,rec
mount deny /proc/1/comm /proc/sysrq-trigger - bind
mount deny /tmp/s/ /sys/ - bind,rec
mount deny /tmp/r/ / - bind,rec
# remounts that make things writable, host-global filesystems, disks
mount deny /proc/sys/ - - remount,bind
mount deny /proc/sys/fs/binfmt_misc/ binfmt_misc binfmt_misc -
mount deny /sys/kernel/debug/ debugfs debugfs -
mount deny /sys/kernel/tracing/ tracefs tracefs -
mount deny /mnt/ /dev/sda1 ext4 -
mount deny /mnt/ /dev/sda1 ext4 ro
pivot_root deny /tmp/x/ /tmp/x/
EOF
	done
	expect lxc-gpu-docker-storage <<'EOF'
mount allow /var/lib/docker/overlay2/0123/merged/proc/driver/nvidia/gpus/0000:01:00.0/ /proc/driver/nvidia/gpus/0000:01:00.0/ - bind
allows /dev/nvidia0 rw
allows /dev/nvidia-uvm rw
EOF
}

@test "host profiles: runc's bind of its masking tmpfs and the perfmon check are refused without a record, other binds of /proc and /sys with one" {
	local name
	for name in "${LXC_PROFILES[@]}"; do
		expect "$name" <<'EOF'
# runc >= 1.3.6's maskPaths: the first masked directory's tmpfs onto the
# next one, refused quietly (runc then mounts a tmpfs of its own there)
mount quiet /sys/firmware/ /proc/acpi/ - bind
mount quiet /proc/acpi/ /proc/asound/ - bind
mount quiet /proc/scsi/ /proc/acpi/ - bind
mount quiet /sys/devices/virtual/powercap/ /sys/firmware/ - bind
mount quiet /sys/dev/block/ /proc/acpi/ - bind
mount quiet /sys/fs/selinux/ /proc/acpi/ - bind
# runc's own tmpfs masks and /dev/null on masked files stay allowed
mount allow /sys/firmware/ tmpfs tmpfs ro
mount allow /proc/kcore /dev/null - bind
# anything else of the kind is still refused with a record
mount logged /sys/firmware/ /proc/acpi/ - bind,rec
mount logged /sys/firmware/ /proc/acpi/ - move
mount logged /sys/firmware/ /proc/ - bind
mount logged /sys/firmware/ /proc/sys/ - bind
mount logged /sys/firmware/acpi/ /proc/acpi/ - bind
mount logged /tmp/x/ /proc/acpi/ - bind
mount logged /mnt/ /proc/acpi/ - bind
mount logged /var/lib/docker/x/ /proc/acpi/ - bind
mount logged /tmp/x/ /sys/firmware/ - bind
mount logged /sys/firmware/ /sys/ - bind
mount logged /proc/asound/ /proc/ - bind
EOF
		run rules "$name"
		assert_line --regexp '^ *deny capability perfmon,'
		refute_line --regexp '^ *(audit +)?capability perfmon,'
	done
}

@test "host profiles: capabilities are the justified set" {
	local name cap
	for name in "${LXC_PROFILES[@]}"; do
		run rules "$name"
		for cap in sys_admin sys_chroot mknod sys_nice sys_resource net_bind_service net_raw \
			net_admin mac_admin net_broadcast chown setuid setgid; do
			assert_line --regexp "^ *capability $cap,"
		done
		for cap in mac_override sys_module sys_rawio sys_time syslog audit_control; do
			refute_line --regexp "^ *capability $cap,"
		done
		refute_line --regexp '^ *capability,'
	done
}

@test "phoenix-test-host allows everything but its canary; -nomacadmin denies mac_admin" {
	local name
	for name in phoenix-test-host phoenix-test-host-nomacadmin; do
		expect "$name" <<'EOF'
refuses /phoenix-host-denied/ rwkx
refuses /phoenix-host-denied/probe rwkx
allows /proc/sysrq-trigger rw
allows /etc/shadow rwk
allows /namespaces/any/.replace w
mount allow /mnt/ /dev/sda1 ext4 -
pivot_root allow /tmp/x/ /tmp/x/
EOF
		run rules "$name"
		assert_line --regexp '^ *change_profile -> \*\*,'
		assert_line --regexp '^ *capability,'
	done
	run rules phoenix-test-host
	refute_output --partial mac_admin
	run rules phoenix-test-host-nomacadmin
	assert_line --regexp '^ *audit deny capability mac_admin,'
}
