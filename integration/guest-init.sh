#!/bin/bash
# Stage 2 of the integration VM: PID 1 in the guest's real root (the host's
# / under a tmpfs overlay, or a guest-root image, prepared by the
# initramfs's /init), run by that root's bash.  vm.sh copies this file onto the run's control share,
# mounted on /run/phoenix-vm, next to:
#   argv     the command, NUL-separated
#   env      NAME=value pairs to pass, NUL-separated
#   cwd      the directory to run it in
#   timeout  (optional) seconds after which to give up on the command
#   share    (optional) a host directory below /tmp (the guest's /tmp is
#            its own) shared as the 9p tag phoenix-share, mounted here at
#            the same path under a tmpfs overlay
# It runs the command with stdout and stderr on the virtio ports
# phoenix.stdout and phoenix.stderr, writes its exit status to
# /run/phoenix-vm/status, syncs, and powers off.  Its own messages go to
# the serial console (the log vm.sh keeps).
set -euo pipefail

ctl=/run/phoenix-vm
say() { printf 'phoenix-vm: %s\n' "$*"; }
uptime_s() {
	local up
	read -r up _ </proc/uptime
	printf '%s' "$up"
}

finish() {
	printf '%s\n' "$1" >"$ctl/status.tmp"
	mv "$ctl/status.tmp" "$ctl/status"
	sync
	exec /bin/busybox poweroff -f
}
# A harness failure: say so (also on the stderr port once it is known)
# and report exit status 125.
fail() {
	say "stage 2: $*"
	if [[ -n ${err_fd:-} ]]; then
		say "$*" >&"$err_fd" || true
	fi
	finish 125
}
trap 'fail "line $LINENO: command failed (status $?)"' ERR

# The command's stdio: the virtio ports, found by name.
port() {
	local p name
	for p in /sys/class/virtio-ports/*; do
		[[ -f $p/name ]] || continue
		read -r name <"$p/name" || continue
		if [[ $name == "$1" ]]; then
			printf '/dev/%s\n' "${p##*/}"
			return 0
		fi
	done
	return 1
}
out_port=$(port phoenix.stdout) || fail "no virtio port phoenix.stdout"
err_port=$(port phoenix.stderr) || fail "no virtio port phoenix.stderr"
# A port can be open only once at a time (virtio_console): open each here,
# for the command and for our own messages.
exec {out_fd}>"$out_port" {err_fd}>"$err_port"

mapfile -d '' -t argv <"$ctl/argv"
mapfile -d '' -t passenv <"$ctl/env"
IFS= read -r -d '' cwd <"$ctl/cwd" || true
((${#argv[@]} > 0)) || fail "empty command"
if [[ -f $ctl/share ]]; then
	IFS= read -r -d '' share <"$ctl/share" || true
	mkdir -p /run/phoenix-share/lower /run/phoenix-share/upper "$share"
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 \
		phoenix-share /run/phoenix-share/lower || fail "mount the phoenix-share 9p share"
	mount -t tmpfs -o mode=0755 tmpfs /run/phoenix-share/upper
	mkdir /run/phoenix-share/upper/data /run/phoenix-share/upper/work
	mount -t overlay -o lowerdir=/run/phoenix-share/lower,upperdir=/run/phoenix-share/upper/data,workdir=/run/phoenix-share/upper/work \
		overlay "$share" || fail "mount the overlay on $share"
fi
cd "$cwd" 2>/dev/null || fail "working directory $cwd does not exist in the guest"

deadline=''
if [[ -f $ctl/timeout ]]; then
	read -r deadline <"$ctl/timeout"
fi

# A guest-root image (trixie, sid) boots without systemd: do what
# apparmor.service would for LXC, whose containers' default profiles
# (lxc-container-default-cgns, ...) must be loaded before lxc-start.
if [[ " $(</proc/cmdline) " == *" phoenix.root=disk "* && -f /etc/apparmor.d/lxc-containers ]]; then
	say "loading /etc/apparmor.d/lxc-containers at uptime $(uptime_s)s"
	PATH=/usr/sbin:/usr/bin:/sbin:/bin apparmor_parser -r /etc/apparmor.d/lxc-containers ||
		fail "apparmor_parser -r /etc/apparmor.d/lxc-containers failed"
fi

say "running ${argv[0]} at uptime $(uptime_s)s"
trap - ERR
set +e
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 \
	"${passenv[@]}" "${argv[@]}" </dev/null >&"$out_fd" 2>&"$err_fd" {out_fd}>&- {err_fd}>&- &
cmd_pid=$!
# A command that hangs: show what is still running (often a background
# process holding the command's output open) before vm.sh's own timeout
# kills the VM without a word from inside.
if [[ -n $deadline ]]; then
	(
		sleep "$deadline"
		msg="${argv[0]} did not finish within $deadline s; processes:"
		{
			say "$msg"
			ps -N --pid 2 --ppid 2 -o pid,ppid,stat,etime,args # no kernel threads
		} | tee /dev/console >&"$err_fd"
		finish 124
	) &
fi
wait "$cmd_pid"
status=$?
set -e
say "exit status $status at uptime $(uptime_s)s"
finish "$status"
