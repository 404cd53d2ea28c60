#!/usr/bin/env bash
# Build (once) the root filesystem of a Debian 13 (trixie) or unstable (sid)
# integration guest, and print the path of its ext4 image.
#
#   integration/guest-root.sh RELEASE          build when missing, print the image
#   integration/guest-root.sh --path RELEASE   only print it (exit 1 when not built)
#
# The root is made by mmdebstrap from Debian's mirror (the `essential`
# variant plus the packages below, no Recommends) and kept as an ext4 image
# (mkfs.ext4 -d) that vm.sh boots on virtio-blk with snapshot=on: nothing
# the guest writes reaches it.  phoenix, its profiles and tests are not in
# it: vm.sh shares the checkout (9p) at its own path, and the kernel's
# modules separately.  The image lives outside the checkout, in
# PHOENIX_GUEST_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/phoenix-vm), under
# RELEASE-HASH, HASH naming the release, the package list and this script:
# a change of either builds a new one (and removes the release's older
# images).  bookworm needs no image: its guest boots the host's own root.
set -euo pipefail

cache=${PHOENIX_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phoenix-vm}
mirror=${PHOENIX_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# What the demo and the tests run in the guest (docker-cli and mount are
# only Recommends or not pulled in otherwise).  phoenix-packages.bats
# installs phoenix's .debs with apt-get, offline: apt and their libraries
# must be here (sid's crun no longer pulls libyajl2 in).  docker-buildx:
# Docker 23 and later's CLI builds with BuildKit only through it.
packages=(
	apparmor apparmor-utils apt bats bats-assert bats-support busybox-static
	containerd crun docker-buildx docker-cli docker.io gawk iproute2 iptables
	jq kmod libcap2-bin libyajl2 lxc mount podman procps runc uidmap util-linux
)

log() { printf 'guest-root: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

only_path=0
if [[ ${1:-} == --path ]]; then
	only_path=1
	shift
fi
(($# == 1)) || {
	echo "usage: $0 [--path] trixie|sid" >&2
	exit 2
}
release=$1
case $release in
trixie | sid) ;;
*) die "no guest root for \`$release\` (trixie or sid; bookworm boots the host's root)" ;;
esac

hash=$(
	printf '%s\n' "$release" "${packages[@]}"
	cat "$0"
)
hash=$(printf '%s' "$hash" | sha256sum | cut -c1-12)
dir=$cache/$release-$hash
image=$dir/root.ext4

if [[ -f $dir/complete ]]; then
	printf '%s\n' "$image"
	exit 0
fi
((only_path == 0)) || die "the $release guest root is not built: run integration/guest-root.sh $release"

[[ $(id -u) == 0 ]] || die "building a guest root needs root (mmdebstrap in root mode, mkfs.ext4 -d)"
for tool in mmdebstrap mkfs.ext4 flock; do
	command -v "$tool" >/dev/null || die "\`$tool\` is missing (packages: mmdebstrap, e2fsprogs, util-linux)"
done

mkdir -p "$cache"
exec {lock}>"$cache/$release.lock"
flock "$lock"
if [[ -f $dir/complete ]]; then # built meanwhile by another run
	printf '%s\n' "$image"
	exit 0
fi

start=$SECONDS
rm -rf "$dir"
mkdir -p "$dir"
tree=$dir/tree
trap 'rm -rf "$tree"' EXIT
sources=("deb $mirror $release main")
if [[ $release != sid ]]; then
	sources+=("deb $mirror $release-updates main" "deb ${mirror%/debian}/debian-security $release-security main")
fi
log "building the $release root (mmdebstrap, ${#packages[@]} packages)"
# sid's Release file may be past its Valid-Until on a mirror snapshot.
mmdebstrap --quiet --variant=essential --mode=root \
	--include="$(
		IFS=,
		echo "${packages[*]}"
	)" \
	--aptopt='APT::Install-Recommends "false"' \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	"$release" "$tree" "${sources[@]}" >&2 || die "mmdebstrap failed"
printf 'phoenix-vm\n' >"$tree/etc/hostname"
# Room for what the guest writes (snapshot=on keeps it off the image).
size_mb=$(($(du -sm "$tree" | cut -f1) + 1536))
log "mkfs.ext4 -d ($size_mb MB)"
mkfs.ext4 -q -F -L phoenix-root -d "$tree" "$image.tmp" "${size_mb}M" || die "mkfs.ext4 failed"
mv "$image.tmp" "$image"
rm -rf "$tree"
for old in "$cache/$release"-*; do
	[[ $old == "$dir" || ! -d $old ]] && continue
	log "removing the older $release root ${old##*/}"
	rm -rf "$old"
done
printf '%s %s s\n' "$release" "$((SECONDS - start))" >"$dir/complete"
log "$release root built in $((SECONDS - start)) s: $image"
printf '%s\n' "$image"
