#!/usr/bin/env bash
# lpatch's own Debian package (docs/fleet.md): `make deb` writes
# build/deb/lpatch_VERSION_amd64.deb with dpkg-deb and runs lintian on it
# (no error allowed). The package enables lpatch.service (installed patches
# loaded at boot), lpatch-update.timer (livepatches fetched with apt) and
# lpatch-hook.socket (installed process patches applied at process start).
# VERSION is lpatch --version, with +gitN (N: commits) so every build upgrades.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x lpatch ] || { echo "mkdeb: build lpatch first (make lpatch)" >&2; exit 1; }
base=$(./lpatch --version | awk '{print $2}')
n=$(git rev-list --count HEAD 2>/dev/null || echo 0)
version=${LPATCH_DEB_VERSION:-$base+git$n}
out=build/deb
tmp=$(mktemp -d /tmp/lpatch-mkdeb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
make -s install DESTDIR="$root" PREFIX=/usr UNITDIR=/lib/systemd/system >/dev/null
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/lpatch" \
	"$root/usr/lib/lpatch/lpatch-hook"
# the preload hook's library too (lintian: unstripped-binary-or-object is an error)
for so in "$root"/usr/lib/lpatch/*.so; do
	[ -f "$so" ] && strip --strip-unneeded --remove-section=.comment --remove-section=.note "$so"
done
gzip -9n "$root/usr/share/man/man1/lpatch.1"
# lpatch-hook is static on purpose (docs/user-install.md): a process patched at start
# waits while it runs, and a static program loads no library. It holds copies of libelf,
# libunwind, zlib and liblzma: a rebuild of lpatch picks up their fixes.
install -d "$root/usr/share/lintian/overrides"
# lpatch-hook.service is started by its socket, never enabled by itself: no [Install].
printf '%s\n' "lpatch: statically-linked-binary [usr/lib/lpatch/lpatch-hook]" \
	"lpatch: embedded-library zlib [usr/lib/lpatch/lpatch-hook]" \
	"lpatch: systemd-service-file-missing-install-key [lib/systemd/system/lpatch-hook.service]" \
	>"$root/usr/share/lintian/overrides/lpatch"
chmod 0644 "$root/usr/share/lintian/overrides/lpatch"
doc=$root/usr/share/doc/lpatch
install -d "$doc"
cat >"$doc/copyright" <<'EOT'
lpatch: live patching for Linux kernels and processes.

Copyright (C) 2026 the lpatch authors.

The headers under /usr/share/lpatch/include are compiled into livepatch
modules together with the Linux kernel's own sources (GPL-2); see
/usr/share/common-licenses/GPL-2.
EOT
date=$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")
printf 'lpatch (%s) stable; urgency=medium\n\n  * Built from the lpatch source tree (%s).\n\n -- lpatch maintainers <lpatch@example.org>  %s\n' \
	"$version" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$date" | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc"/*
find "$root" -type d -exec chmod 0755 {} +

# run-time libraries, as dpkg-shlibdeps finds them
mkdir -p "$tmp/src/debian"
printf 'Source: lpatch\n\nPackage: lpatch\nArchitecture: amd64\n' >"$tmp/src/debian/control"
shlibs=$(cd "$tmp/src" && dpkg-shlibdeps -O "$root/usr/bin/lpatch" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "mkdeb: dpkg-shlibdeps found no library dependencies" >&2; exit 1; }

install -d "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOT
Package: lpatch
Version: $version
Architecture: amd64
Maintainer: lpatch maintainers <lpatch@example.org>
Installed-Size: $size
Depends: $shlibs, kmod, libcurl4
Recommends: apt
Section: kernel
Priority: optional
Description: live patching for Linux kernels and processes
 lpatch builds kernel livepatch modules from source diffs for exact Debian
 kernels and patches running processes. On a host it loads, unloads and
 keeps livepatches (loaded again at boot by lpatch.service), fetches
 livepatch packages from its apt repository (lpatch-update.timer) and
 reports their state for Prometheus. Installed process patches reach
 processes as they start (lpatch-hook.socket).
EOT
cat >"$root/DEBIAN/postinst" <<'EOT'
#!/bin/sh
set -e
if [ "$1" = configure ] || [ "$1" = abort-upgrade ]; then
	deb-systemd-helper unmask lpatch.service lpatch-update.timer >/dev/null || true
	if deb-systemd-helper --quiet was-enabled lpatch.service; then
		deb-systemd-helper enable lpatch.service >/dev/null || true
	else
		deb-systemd-helper update-state lpatch.service >/dev/null || true
		deb-systemd-helper enable lpatch.service >/dev/null || true
	fi
	deb-systemd-helper enable lpatch-update.timer >/dev/null || true
	deb-systemd-helper unmask lpatch-hook.socket >/dev/null || true
	deb-systemd-helper enable lpatch-hook.socket >/dev/null || true
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		deb-systemd-invoke start lpatch-update.timer >/dev/null || true
		# a new lpatch-hook: the running service (if any) is restarted on demand
		deb-systemd-invoke stop lpatch-hook.service >/dev/null || true
		deb-systemd-invoke start lpatch-hook.socket >/dev/null || true
	fi
fi
exit 0
EOT
cat >"$root/DEBIAN/prerm" <<'EOT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
	deb-systemd-invoke stop lpatch-update.timer lpatch-hook.socket lpatch-hook.service >/dev/null || true
fi
exit 0
EOT
cat >"$root/DEBIAN/postrm" <<'EOT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = remove ] && [ -x "/usr/bin/deb-systemd-helper" ]; then
	deb-systemd-helper mask lpatch.service lpatch-update.timer lpatch-hook.socket >/dev/null || true
fi
if [ "$1" = purge ] && [ -x "/usr/bin/deb-systemd-helper" ]; then
	deb-systemd-helper purge lpatch.service lpatch-update.timer lpatch-hook.socket >/dev/null || true
	deb-systemd-helper unmask lpatch.service lpatch-update.timer lpatch-hook.socket >/dev/null || true
fi
exit 0
EOT
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control"
mkdir -p "$out"
deb=$out/lpatch_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb.tmp" >/dev/null
mv "$deb.tmp" "$deb"
echo "$deb"
if command -v lintian >/dev/null && [ -z "${LPATCH_NO_LINTIAN:-}" ]; then
	lintian --fail-on error "$deb" >&2 || { echo "mkdeb: lintian found errors in $deb" >&2; exit 1; }
fi
