#!/usr/bin/env bash
# Run bats tests inside the integration VM, on a real AppArmor kernel.
#
#   integration/run-suite.sh [BATS FILES OR DIRECTORIES...]
#
# Prepares the kernel (fetch-kernel.sh), then runs `bats --tap --timing` on the
# given files, by default integration/tests/*.bats, from the top of the
# checkout.  Each file gets a VM of its own: AppArmor state outlives a test
# file (loaded profiles, namespaces, and a policy lock that only a reboot
# undoes), so no file can spoil another.  Without arguments it first runs
# integration/harness.bats on this machine: the harness's own tests.
# Exits 0 when every file passed, otherwise with the last failing status.
#
# Environment: PHOENIX_RELEASE (bookworm, trixie or sid: the guest, see
# vm.sh; a trixie or sid root is built first when missing);
# PHOENIX_SUITE_TIMEOUT (seconds per VM, default 1800);
# PHOENIX_SUITE_JOBS (VMs at a time, default the number of CPUs);
# PHOENIX_BIN (default build/phoenix of this checkout, passed to the tests);
# PHOENIX_DEBS (a directory with phoenix_*.deb and phoenix-host_*.deb for
# phoenix-packages.bats; default: built here, before the VM, into
# build/debs-vm from a copy of the checkout, ~30 s);
# everything vm.sh reads.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$here")
suite_timeout=${PHOENIX_SUITE_TIMEOUT:-1800}

args=("$@")
((${#args[@]} > 0)) || args=("$here/tests")
files=()
for arg in "${args[@]}"; do
	path=$(realpath -e -- "$arg") || {
		echo "run-suite: no such test file or directory: $arg" >&2
		exit 2
	}
	case $path in
	/tmp | /tmp/* | /run | /run/*)
		echo "run-suite: $path is not visible in the VM (its /tmp and /run are its own)" >&2
		exit 2
		;;
	esac
	if [[ -d $path ]]; then
		# largest first: the longest files start early when VMs run in
		# parallel (size is a fair guess of a file's running time)
		mapfile -t found < <(find "$path" -maxdepth 1 -name '*.bats' -type f -printf '%s %p\n' |
			LC_ALL=C sort -k1,1nr -k2 | cut -d' ' -f2-)
		((${#found[@]} > 0)) || {
			echo "run-suite: no .bats files in $path" >&2
			exit 2
		}
		files+=("${found[@]}")
	else
		files+=("$path")
	fi
done

release=${PHOENIX_RELEASE:-bookworm}
lap_start=$SECONDS
"$here/fetch-kernel.sh"
if [[ $release != bookworm ]]; then
	"$here/guest-root.sh" "$release" >/dev/null
fi
echo "# release $release (kernel ${PHOENIX_KERNEL_RELEASE:-$release}): kernel and guest root ready in $((SECONDS - lap_start)) s"

export PHOENIX_BIN=${PHOENIX_BIN:-$repo/build/phoenix}
# phoenix-packages.bats installs the Debian packages: build them on this
# machine (gcc is 5-10x slower in the VM), where the VM sees them.
build_debs() {
	local out=$repo/build/debs-vm start=$SECONDS
	rm -rf "$out"
	mkdir -p "$out/src/phoenix"
	tar -C "$repo" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$out/src/phoenix" -xf -
	(cd "$out/src/phoenix" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
		tail -n 20 "$out/build.log" >&2
		echo "run-suite: building the Debian packages failed (log: $out/build.log)" >&2
		exit 1
	}
	mv "$out"/src/*.deb "$out/"
	rm -rf "$out/src"
	echo "# Debian packages built in $((SECONDS - start)) s ($out)"
}
for f in "${files[@]}"; do
	if [[ ${f##*/} == phoenix-packages.bats && -z ${PHOENIX_DEBS:-} ]]; then
		build_debs
		export PHOENIX_DEBS=$repo/build/debs-vm
	fi
done
cd "$repo"
failed=()
status=0
# Run one bats invocation, note its status and duration.
run_bats() {
	local name=$1 start=$SECONDS rc=0
	shift
	"$@" || rc=$?
	echo "# $name: status $rc, $((SECONDS - start)) s"
	if ((rc != 0)); then
		status=$rc
		failed+=("$name (status $rc)")
	fi
}
if (($# == 0)); then
	echo "# harness.bats, on this machine"
	# the harness's tests are about the host-root guest (PHOENIX_RELEASE
	# unset), with the kernel PHOENIX_KERNEL_RELEASE selects
	run_bats "${here#"$repo"/}/harness.bats" env -u PHOENIX_RELEASE \
		PHOENIX_KERNEL_RELEASE="${PHOENIX_KERNEL_RELEASE:-$release}" bats --tap "$here/harness.bats"
fi
# The files' VMs run PHOENIX_SUITE_JOBS at a time (default: the number of
# CPUs; a TCG guest running bats mostly keeps one CPU busy).  Each file's
# output is printed whole when it ends.
jobs_max=${PHOENIX_SUITE_JOBS:-$(nproc)}
((jobs_max >= 1)) || jobs_max=1
outdir=$(mktemp -d "${TMPDIR:-/tmp}/phoenix-suite.XXXXXX")
trap 'rm -rf "$outdir"' EXIT
declare -A job_file=()
# finish PID: print the output of the job PID and note its status.
finish() {
	local pid=$1 f rc
	f=${job_file[$pid]}
	unset "job_file[$pid]"
	cat "$outdir/$pid.out"
	rc=$(<"$outdir/$pid.rc")
	if ((rc != 0)); then
		status=$rc
		failed+=("$f (status $rc)")
	fi
}
for f in "${files[@]}"; do
	while ((${#job_file[@]} >= jobs_max)); do
		wait -n || true
		for pid in "${!job_file[@]}"; do
			[[ -e $outdir/$pid.rc ]] && finish "$pid"
		done
	done
	name=${f#"$repo"/}
	(
		start=$SECONDS rc=0
		{
			echo "# $name, in a VM of its own"
			"$here/vm.sh" --timeout "$suite_timeout" -- bats --tap --timing "$f" || rc=$?
			# the guest kernel crashed (vm.sh: 123), not a test: once more
			if ((rc == 123)); then
				echo "# $name: the guest kernel crashed; running it once more"
				rc=0
				"$here/vm.sh" --timeout "$suite_timeout" -- bats --tap --timing "$f" || rc=$?
			fi
			echo "# $name: status $rc, $((SECONDS - start)) s"
		} >"$outdir/$BASHPID.out" 2>&1
		echo "$rc" >"$outdir/$BASHPID.rc"
	) &
	job_file[$!]=$name
done
while ((${#job_file[@]} > 0)); do
	wait -n || true
	for pid in "${!job_file[@]}"; do
		[[ -e $outdir/$pid.rc ]] && finish "$pid"
	done
done
if ((${#failed[@]} > 0)); then
	printf 'run-suite: failed: %s\n' "${failed[@]}" >&2
	echo "# run-suite ($release): lap $((SECONDS - lap_start)) s"
	exit "$status"
fi
echo "# run-suite ($release): all ${#files[@]} file(s) passed, lap $((SECONDS - lap_start)) s"
