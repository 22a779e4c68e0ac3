#!/usr/bin/env bash
# Several patches of one function on one process: the newest wins, and any of them
# can be reverted (the middle one first, then the newest, then the oldest).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project loop
user_build "$WORK/m1.lpatch" "$SRC/loop" "$FIX/loop/message.patch" --name m1
user_build "$WORK/m2.lpatch" "$SRC/loop" "$FIX/loop/message2.patch" --name m2
user_build "$WORK/m3.lpatch" "$SRC/loop" "$FIX/loop/message3.patch" --name m3
start loop "$SRC/loop"
wait_line "$WORK/loop.out" "report v1"

says() { # TEXT: the program now prints exactly this message
	: >"$WORK/loop.out"
	wait_line "$WORK/loop.out" "report v1"
	: >"$WORK/loop.out"
	wait_line "$WORK/loop.out" "report v1"
	grep -qx "$1" "$WORK/loop.out" || { tail -4 "$WORK/loop.out"; fail "expected '$1'"; }
	[ "$(grep -c message "$WORK/loop.out")" = "$(grep -cx "$1" "$WORK/loop.out")" ] ||
		{ tail -4 "$WORK/loop.out"; fail "more than '$1' printed"; }
}
for p in m1 m2 m3; do
	"$LPATCH" apply --pid "$PID" "$WORK/$p.lpatch" >"$WORK/$p.log" 2>&1 ||
		{ cat "$WORK/$p.log"; fail "apply $p failed"; }
done
says "patched message 3"
"$LPATCH" ps --pid "$PID" >"$WORK/ps.txt"
for p in m1 m2 m3; do expect_contains "$WORK/ps.txt" "$p"; done

"$LPATCH" revert --pid "$PID" m2 >"$WORK/r2.log" 2>&1 || { cat "$WORK/r2.log"; fail "revert m2 failed"; }
says "patched message 3"
"$LPATCH" revert --pid "$PID" m3 >"$WORK/r3.log" 2>&1 || { cat "$WORK/r3.log"; fail "revert m3 failed"; }
says "patched message"
"$LPATCH" apply --pid "$PID" "$WORK/m2.lpatch" >/dev/null 2>&1 || fail "re-apply m2 failed"
says "patched message 2"
"$LPATCH" revert --pid "$PID" m1 >"$WORK/r1.log" 2>&1 || { cat "$WORK/r1.log"; fail "revert m1 failed"; }
says "patched message 2"
"$LPATCH" revert --pid "$PID" m2 >/dev/null 2>&1 || fail "revert m2 (again) failed"
says "original message"
"$LPATCH" ps --pid "$PID" >"$WORK/ps.txt"
expect_contains "$WORK/ps.txt" "no process has a patch applied"
alive "$PID"
echo "PASS: three stacked patches, newest wins; middle, newest and oldest reverted in turn"
