#!/usr/bin/env bash
# lpatch build --user --deb refuses what it cannot bind: a package that is not installed, a
# file that is not the package's, a package with several ELF files and no --binary, --deb
# with --src, and above all a rebuild whose code is not the installed file's (a byte of its
# .text changed in a copy of the cached reference build): exit 2, naming the address, the
# section and the function, and no patch written.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

P="$FIX/deb-zlib/zlib-version.patch"
# refused (exit 2) with a message: refused NAME TEXT ARGS...
refused() { local name=$1 text=$2; shift 2
	"$LPATCH" build --user "$@" -o "$WORK/$name.lpatch" "$P" >"$WORK/$name.log" 2>&1
	local st=$?
	[ "$st" = 2 ] || { cat "$WORK/$name.log"; fail "$name: exit $st, expected 2"; }
	expect_contains "$WORK/$name.log" "$text"
	[ ! -e "$WORK/$name.lpatch" ] || fail "$name: a patch was written"
}

refused usage "no --src or --make" --deb zlib1g --src "$WORK"
refused missing "package lpatch-no-such-package is not installed" --deb lpatch-no-such-package
refused notmine "/bin/sh is not a file of package zlib1g" --deb zlib1g --binary /bin/sh
refused several "say which one runs with --binary" --deb coreutils

[ "$(id -u)" = 0 ] || skip "the rest needs root (zlib's build dependencies)"
command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage is not installed"
LIB=$(dpkg-query -L zlib1g 2>/dev/null | grep -E '/libz\.so\.1\.[0-9.]+$' | head -1)
[ -n "$LIB" ] || skip "zlib1g is not installed"
SO=$(basename "$(readlink -f "$LIB")")
VER=$(dpkg-query -W -f '${source:Version}' zlib1g | sed 's/:/%3a/')
ENTRY="$LPATCH_CACHE/deb-src/zlib_$VER"
if [ ! -e "$ENTRY/reference.done" ]; then
	echo "no cached reference build of zlib: building it (tests/user/35 does the same)"
	lp_ok "$WORK/fill.log" "build --deb zlib1g" build --user --deb zlib1g -o "$WORK/fill.lpatch" "$P"
fi
[ -e "$ENTRY/reference.done" ] || fail "no reference build in $ENTRY"

# a copy of the cache entry whose rebuilt libz has one byte of its .text changed
mkdir -p "$WORK/cache/deb-src"
cp -a "$ENTRY" "$WORK/cache/deb-src/" || fail "cannot copy $ENTRY"
REB=$(find "$WORK/cache/deb-src/zlib_$VER/reference/source/debian/zlib1g" -name "$SO" -type f | head -1)
[ -n "$REB" ] || fail "no $SO in the reference build"
read -r off addr < <(readelf -SW "$REB" | awk '$2 == ".text" { print $5, $4 }')
pos=$((16#$off + 0x200))
byte=$(od -An -tu1 -j "$pos" -N1 "$REB" | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 255)))" | dd of="$REB" bs=1 seek="$pos" conv=notrunc status=none ||
	fail "cannot change $REB"
cmp -s "$REB" "$ENTRY/reference/source/debian/zlib1g/${REB#*/debian/zlib1g/}" && fail "the copy did not change"
want=$(printf '%#x' $((16#$addr + 0x200)))
LPATCH_CACHE="$WORK/cache" refused tampered "the code differs from the rebuild" --deb zlib1g
expect_contains "$WORK/tampered.log" "at $want (section .text, function "
expect_contains "$WORK/tampered.log" "cannot give $LIB its symbols"
expect_not_contains "$WORK/tampered.log" "building the original"
echo "PASS: build --deb refuses a foreign file, a missing package, an ambiguous one and a rebuild with other code"
