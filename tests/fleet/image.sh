#!/usr/bin/env bash
# The disk image of the fleet VMs (docs/fleet.md): the cached Debian 12 root
# file system (tests/fleet/rootfs.sh), the cached Debian kernels of RELEASE...
# (modules, and an initramfs made once by initramfs-tools in the rootfs), lpatch
# installed from its own package, ssh for the test (key KEY.pub), networkd on
# qemu's user network, and no apt source but the ones the test adds (apt's own
# timers masked: nothing reaches past 10.0.2.2).
# Usage: tests/fleet/image.sh OUT.img LPATCH.deb KEY.pub RELEASE...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1 deb=$2 key=$3; shift 3
cache=${LPATCH_CACHE:-$HOME/.cache/lpatch}
base=$("$here/rootfs.sh")
work=$(mktemp -d "${TMPDIR:-/tmp}/lpatch-fleet-image.XXXXXX")
trap 'umount -R "$work/root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
root=$work/root
cp -a "$base" "$root"
for rel in "$@"; do
	img=$cache/targets/$rel/image
	[ -d "$img/lib/modules/$rel" ] || { echo "image: no cached kernel $rel (lpatch target debian:$rel)" >&2; exit 1; }
	mkdir -p "$root/lib/modules"
	cp -a "$img/lib/modules/$rel" "$root/lib/modules/"
	cp -a "$img/boot/." "$root/boot/"
	initrd=$cache/fleet/initrd.img-$rel-$(basename "$base")
	if [ ! -s "$initrd" ]; then
		echo "image: initramfs for $rel (once)" >&2
		# only what the VM needs to find its disk: quick, and small
		sed -i 's/^MODULES=.*/MODULES=list/' "$root/etc/initramfs-tools/initramfs.conf"
		printf 'virtio_pci\nvirtio_blk\n' >>"$root/etc/initramfs-tools/modules"
		mount -t proc proc "$root/proc"
		chroot "$root" mkinitramfs -o "/tmp/initrd.img" "$rel" >"$work/mkinitramfs.log" 2>&1 ||
			{ cat "$work/mkinitramfs.log" >&2; umount "$root/proc"; exit 1; }
		umount "$root/proc"
		mv "$root/tmp/initrd.img" "$initrd.tmp" && mv "$initrd.tmp" "$initrd"
	fi
done
cp "$deb" "$root/tmp/lpatch.deb"
chroot "$root" dpkg -i /tmp/lpatch.deb >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; exit 1; }
rm -f "$root/tmp/lpatch.deb"
rm -f "$root/etc/apt/sources.list"
for t in apt-daily.timer apt-daily-upgrade.timer; do ln -sf /dev/null "$root/etc/systemd/system/$t"; done
mkdir -p "$root/root/.ssh" "$root/etc/systemd/network" "$root/etc/systemd/system/multi-user.target.wants"
install -m 0600 "$key" "$root/root/.ssh/authorized_keys"
printf '[Match]\nName=en*\n\n[Network]\nDHCP=ipv4\n' >"$root/etc/systemd/network/10-qemu.network"
ln -sf /lib/systemd/system/systemd-networkd.service "$root/etc/systemd/system/multi-user.target.wants/"
printf '/dev/vda / ext4 defaults 0 1\n' >"$root/etc/fstab"
echo fleet >"$root/etc/hostname"
: >"$root/etc/machine-id"
size=$(( $(du -sm "$root" | cut -f1) + 600 ))
mkfs.ext4 -q -F -L fleet -d "$root" "$out.tmp" "${size}M"
mv "$out.tmp" "$out"
