#!/usr/bin/env bash
# Eight threads call the patched function in a tight loop during apply and revert:
# no crash, and afterwards every thread runs the new (then the old) code.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project threads
user_build "$WORK/v2.lpatch" "$SRC/threads" "$FIX/threads/version.patch" --name v2

start threads "$SRC/threads"
wait_line "$WORK/threads.out" "seen=11111111"
for round in 1 2 3; do
	lp_ok "$WORK/apply.log" "apply (round $round)" apply --pid "$PID" "$WORK/v2.lpatch"
	cat "$WORK/apply.log"
	wait_line "$WORK/threads.out" "seen=22222222"
	lp_ok "$WORK/revert.log" "revert (round $round)" revert --pid "$PID" v2
	cat "$WORK/revert.log"
	wait_line "$WORK/threads.out" "seen=11111111"
	alive "$PID"
done
echo "PASS: 3 apply/revert cycles under 8 busy threads"
