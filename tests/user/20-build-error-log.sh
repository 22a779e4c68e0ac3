#!/usr/bin/env bash
# lpatch build --user with a diff that does not compile: the compiler's error
# line is shown, and the error names a copy of the build log that still exists
# after lpatch exits (under $LPATCH_CACHE/logs; the work directory is gone).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
export LPATCH_CACHE="$WORK/cache"

project loop
sed 's/^+\treturn "patched message";$/+\treturn "patched message" lpatch_no_semicolon/' \
	"$FIX/loop/message.patch" >"$WORK/broken.patch"
grep -q lpatch_no_semicolon "$WORK/broken.patch" || fail "could not make the broken patch"
"$LPATCH" build --user --src "$SRC" --binary "$SRC/loop" -o "$WORK/x.lpatch" \
	"$WORK/broken.patch" >"$WORK/log" 2>&1
st=$?
[ "$st" -eq 1 ] || { cat "$WORK/log"; fail "exit $st, expected 1"; }
[ ! -e "$WORK/x.lpatch" ] || fail "a patch was written"
expect_kept_log "$WORK/log" 'the build command `make` failed' loop.c
# only the newest 20 logs are kept: 25 older ones go, the new one stays
for i in $(seq 10 34); do : >"$LPATCH_CACHE/logs/20000101-0000$i-old-1.log"; done
"$LPATCH" build --user --src "$SRC" --binary "$SRC/loop" -o "$WORK/x.lpatch" \
	"$WORK/broken.patch" >/dev/null 2>&1
n=$(find "$LPATCH_CACHE/logs" -name '*.log' | wc -l)
[ "$n" -eq 20 ] || fail "$n logs kept, expected the newest 20"
[ -f "$KEPT" ] || fail "the newest log $KEPT was dropped"
[ ! -e "$LPATCH_CACHE/logs/20000101-000010-old-1.log" ] || fail "the oldest log was kept"
exit 0
