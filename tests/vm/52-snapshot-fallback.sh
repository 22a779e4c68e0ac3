# Packages the apt lists no longer carry come from a snapshot archive
# (LPATCH_SNAPSHOT_URL): here a python3 http.server on 127.0.0.1 serving the
# cache's own .debs in snapshot.debian.org's layout (scripts/snapshot-mirror.sh),
# with apt made blind (a private APT_CONFIG with no sources and no lists) and a
# fresh scratch cache. The image's version, the image and the headers come
# through the fallback, verified; a module builds against those headers; and an
# unreachable archive, a package it lacks and a damaged file each give an
# error naming the package, its version and the URL, leaving no .deb behind.
# linux-kbuild is not taken from the archive (a non-ABI package: see
# docs/kernel-builds.md), so the scratch cache starts with it, a hard link.
. "$(dirname "$0")/../lib.sh"
command -v python3 >/dev/null || skip "LOUDLY: python3 is missing (it serves the test's archive)"

# the release and its packages, from the real cache (fetched there once)
lp_ok "$WORK/real.json" "lpatch target --need boot,headers $TARGET" \
	target --json --need boot,headers "$TARGET"
sed -i '/^lpatch: /d' "$WORK/real.json"
rel=$(json_get "$WORK/real.json" .release) || exit 1
ver=$(json_get "$WORK/real.json" .version) || exit 1
abi=${rel%-*-amd64}; abi=${abi%-cloud}
debs=$LPATCH_CACHE/debs
image=$(ls "$debs/linux-image-${rel}-unsigned_${ver}_"*.deb "$debs/linux-image-${rel}_${ver}_"*.deb 2>/dev/null | head -1)
headers=$(ls "$debs/linux-headers-${rel}_${ver}_"*.deb 2>/dev/null | head -1)
common=$(ls "$debs/linux-headers-${abi}-common_${ver}_"*.deb 2>/dev/null | head -1)
kbuild=$(ls "$debs/linux-kbuild-"*"_${ver}_"*.deb 2>/dev/null | head -1)
for f in image headers common kbuild; do
	[ -n "${!f}" ] || skip "LOUDLY: no $f .deb of $rel $ver in $debs (the headers step did not keep it)"
done
image_pkg=$(dpkg-deb -f "$image" Package)

# the archive, and a server for it
"$TOP/scripts/snapshot-mirror.sh" "$WORK/mirror" "$image" "$headers" "$common" ||
	fail "scripts/snapshot-mirror.sh failed"
[ -s "$WORK/mirror/mr/binary/$image_pkg/index.html" ] || fail "the mirror lists no versions of $image_pkg"
(cd "$WORK/mirror" && exec python3 -u -m http.server --bind 127.0.0.1 0) >"$WORK/http.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
	port=$(sed -n 's/^Serving HTTP on [0-9.]* port \([0-9]*\) .*/\1/p' "$WORK/http.log")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { cat "$WORK/http.log"; fail "the HTTP server did not start"; }
URL=http://127.0.0.1:$port

# apt that knows nothing
mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/parts" "$WORK/apt/cache"
cat >"$WORK/apt.conf" <<EOF
Dir::State::Lists "$WORK/apt/lists";
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$WORK/apt/parts";
Dir::Cache "$WORK/apt/cache";
EOF
export APT_CONFIG=$WORK/apt.conf
apt-cache show "$image_pkg=$ver" >/dev/null 2>&1 && fail "the private apt still knows $image_pkg $ver"

# 1. through the fallback, into a fresh cache
scratch=$WORK/cache
mkdir -p "$scratch/debs"
ln "$kbuild" "$scratch/debs/" 2>/dev/null || cp "$kbuild" "$scratch/debs/"
LPATCH_CACHE=$scratch LPATCH_SNAPSHOT_URL=$URL "$LPATCH" target --json --need boot,headers \
	"debian:$rel" >"$WORK/target.json" 2>"$WORK/target.err" ||
	{ cat "$WORK/target.err"; fail "lpatch target debian:$rel through the snapshot archive failed"; }
cat "$WORK/target.err"
expect_contains "$WORK/target.err" "apt does not know $image_pkg: the snapshot archive has it at $ver"
expect_contains "$WORK/target.err" "downloading $image_pkg $ver"
expect_contains "$WORK/target.err" "from the snapshot archive $URL"
[ "$(json_get "$WORK/target.json" .version)" = "$ver" ] || fail "the version is not $ver: $(cat "$WORK/target.json")"
for f in "$image" "$headers" "$common"; do
	cmp -s "$f" "$scratch/debs/$(basename "$f")" ||
		fail "$(basename "$f") in the scratch cache is not the archive's file"
	grep -q "GET /file/$(sha1sum <"$f" | cut -d' ' -f1) " "$WORK/http.log" ||
		fail "$(basename "$f") did not come from the archive: $(cat "$WORK/http.log")"
done
ls -a "$scratch/debs" | grep -E '\.tmp\.|^\.download' && fail "temporary files left in the scratch cache"
# a module builds against the headers that came through the archive
export LPATCH_CACHE=$scratch TARGET=debian:$rel
build_test_kmod warn
[ "$(ko_vermagic "$WORK/warn/"*.ko)" = "$rel" ] || fail "the module's vermagic is not $rel"
# a second run finds it all in the cache: no request
requests=$(grep -c '"GET ' "$WORK/http.log")
LPATCH_SNAPSHOT_URL=$URL "$LPATCH" target --need boot,headers "debian:$rel" >/dev/null 2>"$WORK/again.err" ||
	{ cat "$WORK/again.err"; fail "the second lpatch target failed"; }
[ "$(grep -c '"GET ' "$WORK/http.log")" = "$requests" ] || fail "a cached target asked the archive again"

# 2. errors, each on a cache that knows the version from its image .deb (and has kbuild)
errcache() {
	rm -rf "$WORK/c2"
	mkdir -p "$WORK/c2/debs"
	for f in "$image" "$kbuild"; do ln "$f" "$WORK/c2/debs/" 2>/dev/null || cp "$f" "$WORK/c2/debs/"; done
}
hpkg=linux-headers-$rel
# unreachable
errcache
LPATCH_CACHE=$WORK/c2 LPATCH_SNAPSHOT_URL=http://127.0.0.1:1 "$LPATCH" target --need boot,headers \
	"debian:$rel" >/dev/null 2>"$WORK/err" && fail "lpatch target succeeded with the archive unreachable"
expect_contains "$WORK/err" "error: cannot fetch $hpkg $ver from the snapshot archive: http://127.0.0.1:1/mr/binary/$hpkg/$ver/binfiles?fileinfo=1: "
expect_contains "$WORK/err" "LPATCH_SNAPSHOT_URL"
# a package the archive lacks (the -dbg is not in it)
errcache
LPATCH_CACHE=$WORK/c2 LPATCH_SNAPSHOT_URL=$URL "$LPATCH" target --need boot,symbols \
	"debian:$rel" >/dev/null 2>"$WORK/err" && fail "lpatch target succeeded without the -dbg"
expect_contains "$WORK/err" "error: the snapshot archive has no linux-image-$rel-dbg $ver for amd64: $URL/mr/binary/linux-image-$rel-dbg/$ver/binfiles"
# a damaged file: the archive under $URL/bad says one byte more than it serves
mkdir -p "$WORK/mirror/bad"
cp -al "$WORK/mirror/file" "$WORK/mirror/mr" "$WORK/mirror/bad/"
bf=$WORK/mirror/bad/mr/binary/$hpkg/$ver/binfiles
size=$(stat -c %s "$headers")
sed "s/\"size\":$size}/\"size\":$((size + 1))}/" "$bf" >"$bf.new" && mv "$bf.new" "$bf"
grep -q "\"size\":$((size + 1))}" "$bf" || fail "could not damage $bf"
errcache
LPATCH_CACHE=$WORK/c2 LPATCH_SNAPSHOT_URL=$URL/bad "$LPATCH" target --need boot,headers \
	"debian:$rel" >/dev/null 2>"$WORK/err" && fail "lpatch target took a damaged file"
expect_contains "$WORK/err" "error: $hpkg $ver from the snapshot archive is damaged: $size bytes"
expect_contains "$WORK/err" "the archive says $((size + 1)) bytes"
ls -a "$WORK/c2/debs" | grep -F "$hpkg" && fail "the damaged file was left in the cache"
# no archive at all: the error says so
errcache
LPATCH_CACHE=$WORK/c2 LPATCH_SNAPSHOT_URL= "$LPATCH" target --need boot,headers \
	"debian:$rel" >/dev/null 2>"$WORK/err" && fail "lpatch target succeeded with no archive"
expect_contains "$WORK/err" "$hpkg $ver is not in the apt lists, and no snapshot archive is set"
exit 0
