#!/usr/bin/env bash
# A patch spanning two source files: a thread that never leaves the cold part
# (stuck.cold) of the replaced function of the second file blocks apply, though
# the first replaced function is a static of the first file; the process runs on.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project coldpair
readelf -sW "$SRC/coldpair" | has ' stuck\.cold$' ||
	fail "GCC split no stuck.cold: the fixture no longer tests a cold part"
user_build "$WORK/both.lpatch" "$SRC/coldpair" "$FIX/coldpair/both.patch" --name both
# the first function of the patch is a.c's static label(): it sets the source file
# preferred for statics, which must not hide b.c's stuck.cold
readelf -p .lpatch.meta "$WORK/both.lpatch" >"$WORK/meta.txt"
grep -m1 'func=' "$WORK/meta.txt" | has 'func=label ' ||
	{ cat "$WORK/meta.txt"; fail "label is not the patch's first function"; }
expect_contains "$WORK/meta.txt" "func=stuck "

start coldpair "$SRC/coldpair"
wait_line "$WORK/coldpair.out" "^label=1 stuck=2$"
st=0
"$LPATCH" apply --pid "$PID" --timeout 500 "$WORK/both.lpatch" >"$WORK/apply.log" 2>&1 || st=$?
cat "$WORK/apply.log"
[ "$st" -eq 1 ] || fail "apply with a thread in stuck.cold exited $st, expected 1"
expect_contains "$WORK/apply.log" "(sitter)"
expect_contains "$WORK/apply.log" "has on its stack stuck"
: >"$WORK/coldpair.out"
wait_line "$WORK/coldpair.out" "^label=1 stuck=2$"
alive "$PID"
echo "PASS: the thread in the second file's stuck.cold blocked apply (exit $st)"
