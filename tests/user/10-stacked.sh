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
	# counted on a copy: the program goes on printing between two greps of the file
	cp "$WORK/loop.out" "$WORK/says.out"
	grep -qx "$1" "$WORK/says.out" || { tail -4 "$WORK/says.out"; fail "expected '$1'"; }
	[ "$(grep -c message "$WORK/says.out")" = "$(grep -cx "$1" "$WORK/says.out")" ] ||
		{ tail -4 "$WORK/says.out"; fail "more than '$1' printed"; }
}
for p in m1 m2 m3; do
	lp_ok "$WORK/$p.log" "apply $p" apply --pid "$PID" "$WORK/$p.lpatch"
done
says "patched message 3"
"$LPATCH" ps --pid "$PID" >"$WORK/ps.txt"
for p in m1 m2 m3; do expect_contains "$WORK/ps.txt" "$p"; done

lp_ok "$WORK/r2.log" "revert m2" revert --pid "$PID" m2
says "patched message 3"
lp_ok "$WORK/r3.log" "revert m3" revert --pid "$PID" m3
says "patched message"
lp_ok "$WORK/m2.log" "re-apply m2" apply --pid "$PID" "$WORK/m2.lpatch"
says "patched message 2"
lp_ok "$WORK/r1.log" "revert m1" revert --pid "$PID" m1
says "patched message 2"
lp_ok "$WORK/r2.log" "revert m2 (again)" revert --pid "$PID" m2
says "original message"
expect_unpatched "$PID"
alive "$PID"
echo "PASS: three stacked patches, newest wins; middle, newest and oldest reverted in turn"
