#!/usr/bin/env bash
# Run one command as root inside a QEMU VM that boots Debian's own
# AppArmor-enabled kernel (prepared by fetch-kernel.sh).
#
#   integration/vm.sh [--timeout SECONDS] [--mem MB] -- COMMAND [ARGS...]
#
# The guest's root is the host's / (read-only 9p) under a tmpfs overlay, so
# every host binary and this checkout are there and nothing the guest does
# reaches the host.  COMMAND runs in the caller's working directory with
# the caller's PHOENIX_*, BATS_* and TERM variables; its stdout and stderr
# stream live to ours (stdin is /dev/null), and vm.sh exits with its
# status.  When the VM fails (no kernel, QEMU error, timeout, no exit
# status) vm.sh says so on stderr, prints the tail of the guest console,
# and exits 125 (124 on timeout, 123 when the guest kernel crashed).  With a timeout of 30 s or more, the
# guest stops the command 20 s earlier itself, lists the processes still
# running on stderr, and vm.sh exits 124.
#
# Environment: PHOENIX_RELEASE (the guest: bookworm, the default, boots
# the host's / as above; trixie and sid boot their own root, built by
# guest-root.sh, with only this checkout shared in, at its own path),
# PHOENIX_KERNEL_RELEASE (whose kernel to boot: bookworm,
# trixie or sid; default PHOENIX_RELEASE), PHOENIX_VM_CACHE
# (kernel cache, default integration/cache),
# PHOENIX_VM_TIMEOUT (default 600), PHOENIX_VM_MEM (MB, default 2048),
# PHOENIX_VM_CONSOLE_LOG (where the guest console log is kept, default
# CACHE/console.log), PHOENIX_VM_ACCEL (tcg or kvm; default kvm only when
# the CPU shows vmx or svm).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cache=${PHOENIX_VM_CACHE:-$here/cache}
timeout_s=${PHOENIX_VM_TIMEOUT:-600}
mem=${PHOENIX_VM_MEM:-2048}
console_keep=${PHOENIX_VM_CONSOLE_LOG:-$cache/console.log}

usage() {
	echo "usage: $0 [--timeout SECONDS] [--mem MB] -- COMMAND [ARGS...]" >&2
	exit 2
}
die() {
	printf 'vm.sh: error: %s\n' "$*" >&2
	exit 125
}

while (($#)); do
	case $1 in
	--timeout) (($# >= 2)) || usage; timeout_s=$2; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	--mem) (($# >= 2)) || usage; mem=$2; shift 2 ;;
	--mem=*) mem=${1#*=}; shift ;;
	--) shift; break ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
(($# > 0)) || usage
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "--timeout wants a positive number of seconds, not \`$timeout_s\`"
[[ $mem =~ ^[1-9][0-9]*$ ]] || die "--mem wants a number of MB, not \`$mem\`"

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (package qemu-system-x86)"
kernel_release=${PHOENIX_KERNEL_RELEASE:-${PHOENIX_RELEASE:-bookworm}}
case $kernel_release in
bookworm | trixie | sid) ;;
*) die "PHOENIX_KERNEL_RELEASE/PHOENIX_RELEASE must be bookworm, trixie or sid, not \`$kernel_release\`" ;;
esac
current=$cache/current-$kernel_release
# a cache prepared by an older fetch-kernel.sh has only `current` (bookworm)
[[ -f $current || $kernel_release != bookworm ]] || current=$cache/current
[[ -f $current ]] ||
	die "no kernel in $cache for $kernel_release: run integration/fetch-kernel.sh --release $kernel_release first"
kver=$(<"$current")
kdir=$cache/$kver
for f in "$kdir/complete" "$kdir/vmlinux" "$kdir/initramfs.cpio" "$kdir/root/lib/modules/$kver/modules.dep"; do
	[[ -f $f ]] || die "kernel $kver in $cache is incomplete ($f missing): run integration/fetch-kernel.sh --release $kernel_release"
done

# The guest's root: the host's / for bookworm (its packages are Debian
# 12's), a guest-root.sh image for trixie and sid, with the checkout
# shared at its own path.
guest_release=${PHOENIX_RELEASE:-bookworm}
repo=$(dirname "$here")
image=''
case $guest_release in
bookworm) ;;
trixie | sid)
	# built here when missing (minutes, once; run-suite.sh and demo.sh
	# build it first)
	image=$("$here/guest-root.sh" "$guest_release") ||
		die "no $guest_release guest root (integration/guest-root.sh $guest_release failed)"
	;;
*) die "PHOENIX_RELEASE must be bookworm, trixie or sid, not \`$guest_release\`" ;;
esac

cwd=$(pwd -P)
if [[ -n $image && $cwd != "$repo" && $cwd != "$repo"/* ]]; then
	die "with the $guest_release guest root only the checkout $repo is shared: run vm.sh from inside it"
fi
# The guest's /tmp is a tmpfs of its own: a working directory below /tmp
# (a checkout cloned there) is shared as well, its top directory
# /tmp/NAME as a 9p share of its own that the guest mounts at the same
# path, under a tmpfs overlay like the root.
share=''
case $cwd in
/tmp/*)
	share=${cwd#/tmp/}
	share=/tmp/${share%%/*}
	[[ $share != *,* ]] || die "cannot share $share with the guest: QEMU option values cannot hold a comma"
	;;
/tmp | /run | /run/* | /proc | /proc/* | /sys | /sys/* | /dev | /dev/*)
	die "the working directory $cwd does not exist in the guest (its /tmp, /run, /proc, /sys and /dev are its own)"
	;;
esac

# Per-run state: the control share, the files of the two output ports,
# QEMU's own messages and the console log.
run=$(mktemp -d "${TMPDIR:-/tmp}/phoenix-vm.XXXXXX")
ctl=$run/ctl
mkdir "$ctl"
qemu_pid='' out_pid='' err_pid=''
# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
	local p
	for p in $qemu_pid $out_pid $err_pid; do
		kill "$p" 2>/dev/null || true
	done
	for p in $qemu_pid $out_pid $err_pid; do
		wait "$p" 2>/dev/null || true
	done
	if [[ -f $run/console.log ]]; then
		mkdir -p "$(dirname "$console_keep")" || true
		if cp "$run/console.log" "$console_keep.$$" 2>/dev/null; then
			mv -f "$console_keep.$$" "$console_keep" || true
		fi
	fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

printf '%s\0' "$@" >"$ctl/argv"
: >"$ctl/env"
while IFS= read -r name; do
	if [[ $name == PHOENIX_* || $name == BATS_* || $name == TERM ]]; then
		printf '%s=%s\0' "$name" "${!name}" >>"$ctl/env"
	fi
done < <(compgen -e)
printf '%s\0' "$cwd" >"$ctl/cwd"
[[ -z $share ]] || printf '%s\0' "$share" >"$ctl/share"
# The guest gives up a little earlier than we do, so that it can still say
# which processes were left.
if ((timeout_s >= 30)); then
	printf '%s\n' "$((timeout_s - 20))" >"$ctl/timeout"
fi
printf '%s\n' "$kdir/root/lib/modules/$kver" >"$ctl/modules"
printf '%s\n' "$repo" >"$ctl/repo"
cp "$here/guest-init.sh" "$ctl/guest-init.sh"

# The two ports are file chardevs that tail follows.  A FIFO read by cat
# would stream as well, but when our reader is slow QEMU holds back what
# does not fit in the pipe and drops it when the guest powers off; a file
# never holds QEMU back, and tail --pid prints what is left once QEMU is
# gone (and reaped: a zombie still counts as alive).
: >"$run/stdout"
: >"$run/stderr"

# /dev/kvm on these machines may be a software hypervisor that cannot run
# a stock kernel: use KVM only when the CPU has hardware virtualisation.
# PHOENIX_VM_ACCEL=tcg|kvm overrides the choice.
accel=${PHOENIX_VM_ACCEL:-}
if [[ -z $accel ]]; then
	accel=tcg
	if grep -qwE 'vmx|svm' /proc/cpuinfo && [[ -w /dev/kvm ]]; then
		accel=kvm
	fi
fi
case $accel in
tcg) accel_opts=(-accel tcg -cpu max) ;;
kvm) accel_opts=(-accel kvm -cpu host) ;;
*) die "PHOENIX_VM_ACCEL must be tcg or kvm, not \`$accel\`" ;;
esac

# no_timer_check: a 7.2 kernel under TCG once panicked in the IO-APIC
# timer check ("IO-APIC + timer doesn't work!"), which a slow emulated
# CPU can fail.
# shellcheck disable=SC2054 # QEMU's own option syntax uses commas
qemu=(
	qemu-system-x86_64 -M q35 "${accel_opts[@]}" -smp 2 -m "$mem"
	-nodefaults -no-user-config -display none -no-reboot -net none
	-kernel "$kdir/vmlinux" -initrd "$kdir/initramfs.cpio"
	-chardev "file,id=console,path=$run/console.log" -serial chardev:console
	-fsdev "local,id=ctl,path=$ctl,security_model=none"
	-device virtio-9p-pci,fsdev=ctl,mount_tag=phoenix-ctl
	-device virtio-rng-pci
	-device virtio-serial-pci,id=vser
	-chardev "file,id=out,path=$run/stdout,append=on"
	-device virtserialport,bus=vser.0,chardev=out,name=phoenix.stdout
	-chardev "file,id=err,path=$run/stderr,append=on"
	-device virtserialport,bus=vser.0,chardev=err,name=phoenix.stderr
)
# an oops or a soft lockup (a CPU stuck 2*watchdog_thresh s in the kernel)
# ends the VM at once instead of at --timeout
append="console=ttyS0 panic=-1 panic_on_oops=1 softlockup_panic=1 watchdog_thresh=30 printk.time=1 log_buf_len=8M rw no_timer_check"
if [[ -z $image ]]; then
	# shellcheck disable=SC2054
	qemu+=(
		-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=root,mount_tag=phoenix-root
	)
else
	# snapshot=on: the guest's writes go to a temporary file QEMU drops.
	# shellcheck disable=SC2054
	qemu+=(
		-drive "file=$image,if=none,id=rootdisk,format=raw,snapshot=on,cache=unsafe"
		-device virtio-blk-pci,drive=rootdisk
		-fsdev "local,id=repo,path=$repo,security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=repo,mount_tag=phoenix-repo
		-fsdev "local,id=modules,path=$(realpath "$kdir/root/lib/modules/$kver"),security_model=none,readonly=on"
		-device virtio-9p-pci,fsdev=modules,mount_tag=phoenix-modules
	)
	append+=" phoenix.root=disk"
fi
if [[ -n $share ]]; then
	# shellcheck disable=SC2054 # QEMU's own option syntax uses commas
	qemu+=(
		-fsdev "local,id=share,path=$share,security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=share,mount_tag=phoenix-share
	)
fi
qemu+=(-append "$append")

vm_failed() {
	printf 'vm.sh: error: %s\n' "$*" >&2
	if [[ -s $run/qemu.log ]]; then
		echo "vm.sh: QEMU said:" >&2
		sed 's/^/  /' "$run/qemu.log" >&2
	fi
	if [[ -s $run/console.log ]]; then
		echo "vm.sh: last lines of the guest console (full log: $console_keep):" >&2
		tail -n 40 "$run/console.log" | sed 's/^/  /' >&2
	else
		echo "vm.sh: the guest console is empty" >&2
	fi
}

set +e
timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null >"$run/qemu.log" 2>&1 &
qemu_pid=$!
tail -c +1 -s 0.2 -f --pid="$qemu_pid" "$run/stdout" &
out_pid=$!
tail -c +1 -s 0.2 -f --pid="$qemu_pid" "$run/stderr" >&2 &
err_pid=$!
wait "$qemu_pid"
qemu_status=$?
qemu_pid=''
wait "$out_pid" "$err_pid"
out_pid='' err_pid=''
set -e

# The guest kernel itself crashed or hung (an oops, a panic, a soft lockup:
# the kernel panics on both, see `append`): exit 123, which run-suite.sh
# tells from a failing test.  Seen under TCG with 2 vCPUs at a static key's
# text patch ("Oops: int3" at a jump-label site in the page allocator, 6.1
# and 6.12, while runc set up a container's cgroups).
if [[ ! -f $ctl/status ]] && grep -aqE 'Oops: |BUG: soft lockup|Kernel panic - not syncing' "$run/console.log" 2>/dev/null; then
	vm_failed "the guest kernel crashed (status $qemu_status)"
	exit 123
fi
if ((qemu_status == 124 || qemu_status == 137)); then
	vm_failed "the VM did not finish within $timeout_s s (--timeout)"
	exit 124
fi
if ((qemu_status != 0)); then
	vm_failed "QEMU failed with status $qemu_status"
	exit 125
fi
if [[ ! -f $ctl/status ]]; then
	vm_failed "the VM stopped without reporting the command's exit status"
	exit 125
fi
status=$(<"$ctl/status")
[[ $status =~ ^[0-9]+$ ]] || {
	vm_failed "unreadable exit status \`$status\`"
	exit 125
}
exit "$status"
