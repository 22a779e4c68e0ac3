#!/usr/bin/env bash
# Lay out .deb files as a snapshot archive lpatch can fetch from with any
# static HTTP server (docs/kernel-builds.md, "Releases the apt lists no longer carry"):
#
#   DIR/mr/binary/PKG/index.html        the versions of PKG held: {"result":[{"binary_version":V}]}
#   DIR/mr/binary/PKG/V/binfiles        {"result":[{"hash":SHA1,"architecture":A}],
#                                        "fileinfo":{SHA1:[{"name":FILE,"size":N}]}}
#   DIR/file/SHA1                       the .deb (a hard link when it can be, else a copy)
#
# These are the paths and answers of Debian's snapshot service
# (snapshot.debian.org); a server that ignores the query string (?fileinfo=1) and
# serves a directory's index.html answers them, e.g.
#   scripts/snapshot-mirror.sh /srv/snap ~/.cache/lpatch/debs/*.deb
#   (cd /srv/snap && python3 -m http.server 8080)
#   LPATCH_SNAPSHOT_URL=http://HOST:8080 lpatch build --target debian:RELEASE ...
# Usage: scripts/snapshot-mirror.sh DIR DEB...
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DIR DEB..." >&2; exit 2; }
dir=$1; shift
mkdir -p "$dir/file" "$dir/mr/binary"
for deb in "$@"; do
	pkg=$(dpkg-deb -f "$deb" Package) && ver=$(dpkg-deb -f "$deb" Version) &&
		arch=$(dpkg-deb -f "$deb" Architecture) ||
		{ echo "$0: $deb is not a .deb dpkg-deb can read" >&2; exit 1; }
	sha=$(sha1sum <"$deb" | cut -d' ' -f1)
	size=$(stat -c %s "$deb")
	ln -f "$deb" "$dir/file/$sha" 2>/dev/null || cp "$deb" "$dir/file/$sha"
	mkdir -p "$dir/mr/binary/$pkg/$ver"
	printf '{"binary_version":"%s","binary":"%s","result":[{"hash":"%s","architecture":"%s"}],"fileinfo":{"%s":[{"name":"%s","archive_name":"debian","path":"/pool/main/l/linux","size":%s}]}}\n' \
		"$ver" "$pkg" "$sha" "$arch" "$sha" "$(basename "$deb")" "$size" \
		>"$dir/mr/binary/$pkg/$ver/binfiles"
	# the versions held, from the directories
	{
		printf '{"binary":"%s","result":[' "$pkg"
		sep=
		for v in "$dir/mr/binary/$pkg"/*/; do
			v=$(basename "$v")
			printf '%s{"binary_version":"%s","name":"%s"}' "$sep" "$v" "$pkg"
			sep=,
		done
		printf ']}\n'
	} >"$dir/mr/binary/$pkg/index.html"
done
