#!/usr/bin/env bash
# Prepare the kernel the integration VM boots: Debian's own AppArmor-enabled
# kernel of a release, unpacked into a cache, never installed on this
# machine.
#
#   integration/fetch-kernel.sh [--release bookworm|trixie|sid]
#
# The release is --release, else PHOENIX_KERNEL_RELEASE, else
# PHOENIX_RELEASE, else bookworm.  bookworm's kernel is resolved with this
# machine's apt lists (Debian 12's main, updates and security); trixie's and
# sid's with a private apt configuration under CACHE/apt/RELEASE (its own
# sources, lists and archives: the machine's sources are left alone).
#
# Cache layout (PHOENIX_VM_CACHE, default integration/cache/):
#   KVER/root/            the unpacked kernel packages, with modules.dep
#                         (lib/modules/KVER; a lib -> usr/lib link where
#                         the packages put them under usr/lib/modules)
#   KVER/vmlinux          the ELF kernel, booted directly through PVH
#   KVER/initramfs.cpio   busybox-static, the 9p/virtio/overlay/ext4
#                         modules (decompressed), /init
#   KVER/release          the release it belongs to
#   current-RELEASE       the KVER that vm.sh boots for RELEASE
#   current               the same as current-bookworm (older scripts)
#
# Every step is skipped when its result is already there, so a second run
# takes about a second.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cache=${PHOENIX_VM_CACHE:-$here/cache}
meta_pkg=linux-image-amd64
release=${PHOENIX_KERNEL_RELEASE:-${PHOENIX_RELEASE:-bookworm}}
mirror=${PHOENIX_DEBIAN_MIRROR:-http://deb.debian.org/debian}

while (($#)); do
	case $1 in
	--release) (($# >= 2)) || { echo "usage: $0 [--release RELEASE]" >&2; exit 2; }; release=$2; shift 2 ;;
	--release=*) release=${1#*=}; shift ;;
	*) echo "usage: $0 [--release bookworm|trixie|sid]" >&2; exit 2 ;;
	esac
done

# Modules the initramfs loads before it can mount the root; modprobe
# resolves their dependencies and order.  The disk modules are loaded
# only when the root is a guest-root image (virtio-blk, ext4).
initramfs_modules=(9p 9pnet_virtio virtio_pci virtio_console virtio_rng overlay)
initramfs_disk_modules=(virtio_blk ext4)

log() { printf 'fetch-kernel: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

case $release in
bookworm | trixie | sid) ;;
*) die "unknown release \`$release\` (bookworm, trixie or sid)" ;;
esac

for tool in apt-cache apt-get dpkg depmod modprobe xz zstd cpio od; do
	command -v "$tool" >/dev/null || die "\`$tool\` is missing (packages: apt, dpkg, kmod, xz-utils, zstd, cpio)"
done
[[ -x /bin/busybox ]] || die "/bin/busybox is missing (package busybox-static)"
if ldd /bin/busybox >/dev/null 2>&1; then
	die "/bin/busybox is dynamically linked; the initramfs needs busybox-static"
fi

# apt for the release: the machine's own configuration for bookworm, a
# private one (sources, lists, archives under CACHE/apt/RELEASE) for the
# others.  sid's Release file may be past its Valid-Until on a mirror
# snapshot; Check-Valid-Until off is what the machine's apt does too.
apt_opts=(-q)
# apt drops privileges to _apt, which cannot write a root-owned directory.
[[ $(id -u) == 0 ]] && apt_opts+=(-o "APT::Sandbox::User=$(id -un)")
if [[ $release != bookworm ]]; then
	aptdir=$cache/apt/$release
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	{
		echo "deb [signed-by=$keyring] $mirror $release main"
		if [[ $release != sid ]]; then
			echo "deb [signed-by=$keyring] $mirror $release-updates main"
			echo "deb [signed-by=$keyring] ${mirror%/debian}/debian-security $release-security main"
		fi
	} >"$aptdir/sources.list"
	apt_opts+=(
		-o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
		-o Acquire::Check-Valid-Until=false
	)
fi
apt_update() {
	log "apt-get update ($release)"
	apt-get "${apt_opts[@]}" update -qq >&2 || true
}

# linux-image-amd64 depends on exactly one versioned image package,
# e.g. linux-image-6.1.0-56-amd64 or linux-image-7.2.13+deb14-amd64.
resolve_image_pkg() {
	apt-cache "${apt_opts[@]}" depends "$meta_pkg" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}

# A private list older than a day is refreshed; the machine's lists only
# when apt does not know the package (and we are root).
if [[ $release != bookworm ]] &&
	[[ -z $(find "$aptdir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit) ]]; then
	apt_update
fi
image_pkg=$(resolve_image_pkg || true)
if [[ -z $image_pkg && ($release != bookworm || $(id -u) == 0) ]]; then
	log "apt does not know $meta_pkg ($release) yet"
	apt_update
	image_pkg=$(resolve_image_pkg || true)
fi
if [[ -z $image_pkg ]]; then
	# Offline or without apt lists: a kernel prepared earlier still works.
	if [[ -f $cache/current-$release ]]; then
		kver=$(<"$cache/current-$release")
		if [[ -f $cache/$kver/complete ]]; then
			log "cannot resolve $meta_pkg ($release); keeping the cached kernel $kver"
			exit 0
		fi
	fi
	die "cannot resolve the kernel package behind $meta_pkg for $release (apt-cache depends $meta_pkg)"
fi
kver=${image_pkg#linux-image-}
dir=$cache/$kver
root=$dir/root
mkdir -p "$dir"

set_current() {
	printf '%s\n' "$release" >"$dir/release"
	printf '%s\n' "$kver" >"$cache/current-$release.tmp" && mv -f "$cache/current-$release.tmp" "$cache/current-$release"
	if [[ $release == bookworm ]]; then
		printf '%s\n' "$kver" >"$cache/current.tmp" && mv -f "$cache/current.tmp" "$cache/current"
	fi
}

# A stamp names what the initramfs was built from, so a change of the
# init script or of the module list rebuilds it.
init_src=$here/initramfs-init
stamp_want=$(
	printf '%s\n' "$kver" "${initramfs_modules[@]}" -- "${initramfs_disk_modules[@]}"
	sha256sum "$init_src" "$0" | cut -d' ' -f1
)
if [[ -f $dir/complete && $(<"$dir/complete") == "$stamp_want" ]]; then
	set_current
	log "kernel $kver ($release) ready in $dir"
	exit 0
fi

# 1. Download and unpack the image package.  From Debian 14 on it is split:
# linux-image-KVER only depends on linux-binary-KVER (vmlinuz),
# linux-modules-KVER (the modules) and linux-base-KVER (config,
# System.map); download those too.
if [[ ! -f $root/.unpacked ]]; then
	dl=$dir/download
	rm -rf "$dl" "$root" "$root.tmp"
	mkdir -p "$dl"
	pkgs=("$image_pkg")
	while read -r verb dep _; do
		case $verb$dep in
		Depends:linux-binary-"$kver" | Depends:linux-modules-"$kver" | Depends:linux-base-"$kver") pkgs+=("$dep") ;;
		esac
	done < <(apt-cache "${apt_opts[@]}" depends "$image_pkg" 2>/dev/null)
	log "downloading ${pkgs[*]}"
	(cd "$dl" && apt-get "${apt_opts[@]}" download "${pkgs[@]}") >&2 ||
		die "apt-get download ${pkgs[*]} failed"
	for p in "${pkgs[@]}"; do
		debs=("$dl"/"$p"_*.deb)
		[[ -f ${debs[0]} ]] || die "apt-get download left no $p .deb in $dl"
		log "unpacking ${debs[0]##*/}"
		dpkg -x "${debs[0]}" "$root.tmp" || die "dpkg -x ${debs[0]} failed"
	done
	# trixie and later keep the modules under usr/lib/modules (merged
	# /usr); depmod -b and modprobe -d look under lib/modules.
	if [[ ! -e $root.tmp/lib && -d $root.tmp/usr/lib/modules ]]; then
		ln -s usr/lib "$root.tmp/lib"
	fi
	mv "$root.tmp" "$root"
	rm -rf "$dl"
	touch "$root/.unpacked"
fi
moddir=$root/lib/modules/$kver
[[ -d $moddir/kernel ]] || die "$root has no lib/modules/$kver"

# 2. Debian's kernel package ships no modules.dep.
if [[ ! -s $moddir/modules.dep ]]; then
	log "depmod -b $root $kver"
	depmod -b "$root" "$kver" || die "depmod failed"
fi

# 3. The bzImage's payload is XZ with an x86 BCJ filter (6.1) or zstd
# (6.12 and later, CONFIG_KERNEL_ZSTD); decompressing it under TCG costs
# seconds per boot.  The kernel has CONFIG_PVH, so QEMU can boot the ELF
# directly.  The setup header says where the payload is: setup_sects at
# 0x1f1, payload_offset at 0x248, payload_length at 0x24c
# (Documentation/arch/x86/boot.rst); its first bytes say what compressed
# it (the search scripts/extract-vmlinux does).
is_elf() { [[ -f $1 && $(od -An -c -N4 "$1" | tr -d ' ') == '177ELF' ]]; }
if ! is_elf "$dir/vmlinux"; then
	bz=$root/boot/vmlinuz-$kver
	[[ -f $bz ]] || bz=$moddir/vmlinuz
	[[ -f $bz ]] || die "no vmlinuz in $root (boot/vmlinuz-$kver, lib/modules/$kver/vmlinuz)"
	u8() { od -An -tu"$2" -j "$1" -N"$2" "$bz" | tr -d ' '; }
	setup_sects=$(u8 $((0x1f1)) 1)
	payload_offset=$(u8 $((0x248)) 4)
	payload_length=$(u8 $((0x24c)) 4)
	start=$(((setup_sects + 1) * 512 + payload_offset))
	magic=$(od -An -tx1 -j "$start" -N6 "$bz" | tr -d ' \n')
	case $magic in
	fd377a585a00) decomp=(xz -dc --single-stream) fmt=xz ;;
	28b52ffd*) decomp=(zstd -dcq) fmt=zstd ;;
	*) die "unknown payload format in $bz (first bytes $magic; neither xz nor zstd)" ;;
	esac
	log "extracting vmlinux ($payload_length $fmt bytes at $start)"
	# The decompressor may complain about what follows the stream (the
	# kernel appends the uncompressed size); the ELF magic decides.
	tail -c +"$((start + 1))" "$bz" | head -c "$payload_length" |
		"${decomp[@]}" >"$dir/vmlinux.tmp" 2>/dev/null || true
	is_elf "$dir/vmlinux.tmp" || die "could not extract an ELF vmlinux from $bz ($fmt payload)"
	mv "$dir/vmlinux.tmp" "$dir/vmlinux"
fi

# 4. The initramfs: busybox-static, the modules in load order
# (decompressed: busybox's insmod reads plain .ko), /init.  Modules built
# into the kernel (virtio_pci and virtio_console from 6.12 on) show as
# "builtin NAME" and need nothing.
log "building the initramfs"
work=$(mktemp -d "$dir/initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,mods}
cp /bin/busybox "$work/bin/busybox"
install -m 0755 "$init_src" "$work/init"
# add_modules ORDER-FILE MODULE...: copy MODULE... and their dependencies,
# not yet listed in any order file, and list them in ORDER-FILE.
add_modules() {
	local order=$1 m deps verb path name
	shift
	: >"$work/mods/$order"
	for m in "$@"; do
		deps=$(modprobe -d "$root" -S "$kver" --show-depends "$m") ||
			die "modprobe cannot resolve module $m"
		while read -r verb path _; do
			[[ $verb == insmod ]] || continue # "builtin NAME": nothing to load
			name=${path##*/}
			name=${name%.xz}
			name=${name%.zst}
			cat "$work"/mods/order* | grep -qxF "$name" && continue
			case $path in
			*.ko.xz) xz -dc "$path" >"$work/mods/$name" ;;
			*.ko.zst) zstd -dcq "$path" >"$work/mods/$name" ;;
			*) cp "$path" "$work/mods/$name" ;;
			esac || die "cannot copy module $path"
			printf '%s\n' "$name" >>"$work/mods/$order"
		done <<<"$deps"
	done
}
add_modules order "${initramfs_modules[@]}"
add_modules order-disk "${initramfs_disk_modules[@]}"
# The kernel unpacks a plain newc archive fastest; no compression.
(cd "$work" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) \
	>"$dir/initramfs.cpio.tmp" || die "cpio failed"
mv "$dir/initramfs.cpio.tmp" "$dir/initramfs.cpio"

printf '%s\n' "$stamp_want" >"$dir/complete"
set_current
# Kernels an earlier package version of the same release left behind
# (a directory without a release file is an older script's bookworm one).
for old in "$cache"/*/complete; do
	old=${old%/complete}
	[[ $old == "$dir" ]] && continue
	old_release=bookworm
	[[ -f $old/release ]] && old_release=$(<"$old/release")
	[[ $old_release == "$release" ]] || continue
	log "removing the old $release kernel ${old##*/}"
	rm -rf "$old"
done
log "kernel $kver ($release) ready in $dir ($(cat "$work"/mods/order* | tr '\n' ' '))"
