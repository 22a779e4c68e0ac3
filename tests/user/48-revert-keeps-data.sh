#!/usr/bin/env bash
# A revert leaves the patch's memory mapped: the program may still hold a
# pointer the new code gave it (here a string the patched function returned,
# kept by main), and unmapping the region made its next read a SIGSEGV. After
# the revert new calls run the old code, ps lists no patch, and a second apply
# and revert work alike; the first patch's string is still readable at the end.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project keep
user_build "$WORK/fix.lpatch" "$SRC/keep" "$SRC/fix.patch"
start keep "$SRC/keep"
wait_line "$WORK/keep.out" "^ready$"

# reverted N: revert; new calls run the old code, the kept string (of the first
# apply) is still readable, and ps lists no patch
reverted() {
	lp_ok "$WORK/revert$1.log" "revert $1" revert --pid "$PID" fix
	kill -USR2 "$PID"
	wait_line "$WORK/keep.out" "^now: message 1$"
	kill -USR1 "$PID"
	wait_line "$WORK/keep.out" "^kept: message 2 \(fixed\)$"
	alive "$PID"
	expect_unpatched "$PID"
}
lp_ok "$WORK/apply1.log" "apply" apply --pid "$PID" "$WORK/fix.lpatch"
kill -USR1 "$PID"
wait_line "$WORK/keep.out" "^first: message 2 \(fixed\)$"
reverted 1
# again: a second region, reverted and kept the same way
lp_ok "$WORK/apply2.log" "apply (again)" apply --pid "$PID" "$WORK/fix.lpatch"
kill -USR2 "$PID"
wait_line "$WORK/keep.out" "^now: message 2 \(fixed\)$"
reverted 2
# nothing left to revert: the kept regions are no patch of the process
"$LPATCH" revert --pid "$PID" fix >"$WORK/revert3.log" 2>&1; st=$?
[ "$st" = 2 ] || { cat "$WORK/revert3.log"; fail "a third revert exited $st, not 2"; }
expect_contains "$WORK/revert3.log" "has no applied patch called fix"
echo "PASS: a reverted patch's memory stays mapped: a string it returned is still readable; ps lists no patch"
