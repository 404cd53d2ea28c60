#!/usr/bin/env bash
# Prepare the kernel the integration VM boots: Debian's own AppArmor-enabled
# kernel, unpacked into a cache, never installed on this machine.
#
#   integration/fetch-kernel.sh
#
# Cache layout (PHOENIX_VM_CACHE, default integration/cache/):
#   KVER/root/            the unpacked linux-image package, with modules.dep
#   KVER/vmlinux          the ELF kernel, booted directly through PVH
#   KVER/initramfs.cpio   busybox-static, the 9p/virtio/overlay modules, /init
#   current               the KVER that vm.sh boots
#
# Every step is skipped when its result is already there, so a second run
# takes about a second.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cache=${PHOENIX_VM_CACHE:-$here/cache}
meta_pkg=linux-image-amd64

# Modules the initramfs loads before it can mount the root; modprobe
# resolves their dependencies and order.
initramfs_modules=(9p 9pnet_virtio virtio_pci virtio_console virtio_rng overlay)

log() { printf 'fetch-kernel: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

for tool in apt-cache apt-get dpkg depmod modprobe xz cpio od; do
	command -v "$tool" >/dev/null || die "\`$tool\` is missing (packages: apt, dpkg, kmod, xz-utils, cpio)"
done
[[ -x /bin/busybox ]] || die "/bin/busybox is missing (package busybox-static)"
if ldd /bin/busybox >/dev/null 2>&1; then
	die "/bin/busybox is dynamically linked; the initramfs needs busybox-static"
fi

# linux-image-amd64 depends on exactly one versioned image package,
# e.g. linux-image-6.1.0-56-amd64.
resolve_image_pkg() {
	apt-cache depends "$meta_pkg" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}

image_pkg=$(resolve_image_pkg || true)
if [[ -z $image_pkg && $(id -u) == 0 ]]; then
	log "apt does not know $meta_pkg yet; running apt-get update"
	apt-get update -qq || true
	image_pkg=$(resolve_image_pkg || true)
fi
if [[ -z $image_pkg ]]; then
	# Offline or without apt lists: a kernel prepared earlier still works.
	if [[ -f $cache/current ]]; then
		kver=$(<"$cache/current")
		if [[ -f $cache/$kver/complete ]]; then
			log "cannot resolve $meta_pkg; keeping the cached kernel $kver"
			exit 0
		fi
	fi
	die "cannot resolve the kernel package behind $meta_pkg (apt-cache depends $meta_pkg)"
fi
kver=${image_pkg#linux-image-}
dir=$cache/$kver
root=$dir/root
mkdir -p "$dir"

# A stamp names what the initramfs was built from, so a change of the
# init script or of the module list rebuilds it.
init_src=$here/initramfs-init
stamp_want=$(
	printf '%s\n' "$kver" "${initramfs_modules[@]}"
	sha256sum "$init_src" "$0" | cut -d' ' -f1
)
if [[ -f $dir/complete && $(<"$dir/complete") == "$stamp_want" ]]; then
	printf '%s\n' "$kver" >"$cache/current.tmp" && mv -f "$cache/current.tmp" "$cache/current"
	log "kernel $kver ready in $dir"
	exit 0
fi

# 1. Download and unpack the image package.
if [[ ! -f $root/.unpacked ]]; then
	dl=$dir/download
	rm -rf "$dl" "$root"
	mkdir -p "$dl"
	log "downloading $image_pkg"
	apt_opts=(-q)
	# apt drops privileges to _apt, which cannot write a root-owned directory.
	[[ $(id -u) == 0 ]] && apt_opts+=(-o "APT::Sandbox::User=$(id -un)")
	(cd "$dl" && apt-get "${apt_opts[@]}" download "$image_pkg") >&2 ||
		die "apt-get download $image_pkg failed"
	debs=("$dl"/"$image_pkg"_*.deb)
	[[ -f ${debs[0]} ]] || die "apt-get download left no .deb in $dl"
	log "unpacking ${debs[0]##*/}"
	dpkg -x "${debs[0]}" "$root.tmp" || die "dpkg -x ${debs[0]} failed"
	mv "$root.tmp" "$root"
	rm -rf "$dl"
	touch "$root/.unpacked"
fi
[[ -d $root/lib/modules/$kver/kernel ]] || die "$root has no lib/modules/$kver"

# 2. Debian's kernel package ships no modules.dep.
if [[ ! -s $root/lib/modules/$kver/modules.dep ]]; then
	log "depmod -b $root $kver"
	depmod -b "$root" "$kver" || die "depmod failed"
fi

# 3. The bzImage's payload is XZ with an x86 BCJ filter; decompressing it
# under TCG costs seconds per boot.  The kernel has CONFIG_PVH, so QEMU can
# boot the ELF directly.  The setup header says where the payload is:
# setup_sects at 0x1f1, payload_offset at 0x248, payload_length at 0x24c
# (Documentation/x86/boot.rst).
is_elf() { [[ -f $1 && $(od -An -c -N4 "$1" | tr -d ' ') == '177ELF' ]]; }
if ! is_elf "$dir/vmlinux"; then
	bz=$root/boot/vmlinuz-$kver
	[[ -f $bz ]] || die "$bz is missing"
	u8() { od -An -tu"$2" -j "$1" -N"$2" "$bz" | tr -d ' '; }
	setup_sects=$(u8 $((0x1f1)) 1)
	payload_offset=$(u8 $((0x248)) 4)
	payload_length=$(u8 $((0x24c)) 4)
	start=$(((setup_sects + 1) * 512 + payload_offset))
	log "extracting vmlinux ($payload_length compressed bytes at $start)"
	# xz may complain about what follows the stream; the ELF magic decides.
	tail -c +"$((start + 1))" "$bz" | head -c "$payload_length" |
		xz -dc --single-stream >"$dir/vmlinux.tmp" 2>/dev/null || true
	is_elf "$dir/vmlinux.tmp" || die "could not extract an ELF vmlinux from $bz (not XZ?)"
	mv "$dir/vmlinux.tmp" "$dir/vmlinux"
fi

# 4. The initramfs: busybox-static, the modules in load order, /init.
log "building the initramfs"
work=$(mktemp -d "$dir/initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,mods}
cp /bin/busybox "$work/bin/busybox"
install -m 0755 "$init_src" "$work/init"
: >"$work/mods/order"
for m in "${initramfs_modules[@]}"; do
	deps=$(modprobe -d "$root" -S "$kver" --show-depends "$m") ||
		die "modprobe cannot resolve module $m"
	while read -r verb path _; do
		[[ $verb == insmod ]] || continue # "builtin NAME": nothing to load
		name=${path##*/}
		grep -qxF "$name" "$work/mods/order" && continue
		cp "$path" "$work/mods/$name"
		printf '%s\n' "$name" >>"$work/mods/order"
	done <<<"$deps"
done
# The kernel unpacks a plain newc archive fastest; no compression.
(cd "$work" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) \
	>"$dir/initramfs.cpio.tmp" || die "cpio failed"
mv "$dir/initramfs.cpio.tmp" "$dir/initramfs.cpio"

printf '%s\n' "$stamp_want" >"$dir/complete"
printf '%s\n' "$kver" >"$cache/current.tmp" && mv -f "$cache/current.tmp" "$cache/current"
# Kernels an earlier package version left behind.
for old in "$cache"/*/complete; do
	old=${old%/complete}
	[[ $old == "$dir" ]] || { log "removing the old kernel ${old##*/}"; rm -rf "$old"; }
done
log "kernel $kver ready in $dir ($(tr '\n' ' ' <"$work/mods/order"))"
