#!/usr/bin/env bash
# The Debian 12 root file system of the fleet tests (docs/fleet.md), made once with
# mmdebstrap and kept in lpatch's cache: systemd, apt, udev, initramfs-tools,
# openssh-server (the tests run commands over ssh), prometheus-node-exporter, and
# the run-time libraries of lpatch (its own package is installed per run).
# Usage: tests/fleet/rootfs.sh   prints the path of the directory (made if missing).
set -euo pipefail
cache=${LPATCH_CACHE:-$HOME/.cache/lpatch}/fleet
pkgs="systemd systemd-sysv udev kmod apt gpgv initramfs-tools openssh-server iproute2 procps
prometheus-node-exporter libelf1 libdw1 libunwind8 libzydis4.0 curl"
key=$(printf '%s' "$pkgs" | sha256sum | cut -c1-12)
out=$cache/bookworm-$key
mkdir -p "$cache"
if [ ! -d "$out" ]; then
	exec 9>"$cache/.rootfs.lock"
	flock 9
	if [ ! -d "$out" ]; then
		echo "fleet rootfs: mmdebstrap bookworm into $out (once, a few minutes)" >&2
		rm -rf "$out.tmp"
		mmdebstrap --variant=apt --format=directory --include="$(echo $pkgs | tr ' ' ,)" \
			bookworm "$out.tmp" \
			"deb http://deb.debian.org/debian bookworm main" \
			"deb http://deb.debian.org/debian-security bookworm-security main" \
			>"$cache/mmdebstrap.log" 2>&1 ||
			{ echo "fleet rootfs: mmdebstrap failed, see $cache/mmdebstrap.log" >&2; exit 1; }
		mv "$out.tmp" "$out"
	fi
fi
echo "$out"
