#!/usr/bin/env bash
# A loop printing every 50 ms: after apply its output changes, after revert it is back.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project loop
user_build "$WORK/msg.lpatch" "$SRC/loop" "$FIX/loop/message.patch" --name msg
expect_contains "$WORK/msg.lpatch.log" "changed message"

start loop "$SRC/loop"
wait_line "$WORK/loop.out" "report v1"
grep -q "original message" "$WORK/loop.out" || fail "the program does not print its message"

lp_ok "$WORK/apply.log" "apply" apply --pid "$PID" "$WORK/msg.lpatch"
expect_contains "$WORK/apply.log" "applied msg to process $PID"
: >"$WORK/loop.out"
wait_line "$WORK/loop.out" "report v1"
expect_contains "$WORK/loop.out" "patched message"
expect_not_contains "$WORK/loop.out" "original message"

"$LPATCH" ps --pid "$PID" --json >"$WORK/ps.json" || fail "ps failed"
json_is "$WORK/ps.json" "[.[] | select(.pid == $PID) | .patches[].name]" '["msg"]'
json_is "$WORK/ps.json" '[.[].patches[] | select(.name == "msg") | .functions[].name] | index("message") != null' true

lp_ok "$WORK/revert.log" "revert" revert --pid "$PID" msg
: >"$WORK/loop.out"
wait_line "$WORK/loop.out" "report v1"
sleep 0.1
expect_contains "$WORK/loop.out" "original message"
expect_not_contains "$WORK/loop.out" "patched message"
expect_unpatched "$PID"
alive "$PID"
echo "PASS: output changed after apply and came back after revert"
