#!/usr/bin/env bash
# A function too small to hold the 5-byte jump (level() is 3 bytes): apply
# refuses it naming the function and its size, and the process runs on
# untouched (same output, no patch listed).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project tiny
size=$(readelf -sW "$SRC/tiny" | awk '$8 == "level" { print $3 }')
[ -n "$size" ] && [ "$size" -lt 5 ] || fail "level() is ${size:-?} bytes: the fixture no longer tests a small function"
user_build "$WORK/level.lpatch" "$SRC/tiny" "$FIX/tiny/level.patch" --name level
expect_contains "$WORK/level.lpatch.log" "changed level"

start tiny "$SRC/tiny"
wait_line "$WORK/tiny.out" "level 0"
st=0
"$LPATCH" apply --pid "$PID" "$WORK/level.lpatch" >"$WORK/apply.log" 2>&1 || st=$?
[ $st -ne 0 ] || { cat "$WORK/apply.log"; fail "apply of a too small function succeeded"; }
expect_contains "$WORK/apply.log" "level is $size bytes long: too small to hold a 5-byte jump"
: >"$WORK/tiny.out"
wait_line "$WORK/tiny.out" "level 0"
expect_not_contains "$WORK/tiny.out" "level 2"
expect_unpatched "$PID"
alive "$PID"
echo "PASS: a $size-byte function refused (exit $st), the process untouched"
