#!/usr/bin/env bash
# A process blocked in read() while patched (its only thread also runs the injected
# mmap) completes its read normally afterwards, no EINTR.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project reader
user_build "$WORK/tag.lpatch" "$SRC/reader" "$FIX/reader/tag.patch" --name tag

mkfifo "$WORK/in"
exec 3<>"$WORK/in"	# a writer that never blocks; the reader sees EOF when it closes
"$SRC/reader" <"$WORK/in" >"$WORK/reader.out" 2>&1 3>&- &
PID=$!; PIDS+=("$PID"); disown "$PID"
wait_line "$WORK/reader.out" "ready"
sleep 0.1
grep -q "State:.*S (sleeping)" "/proc/$PID/status" || fail "reader is not blocked"

lp_ok "$WORK/apply.log" "apply" apply --pid "$PID" "$WORK/tag.lpatch"
echo "first line" >&3
wait_line "$WORK/reader.out" "tag-v2: first line"

sleep 0.1
lp_ok "$WORK/revert.log" "revert" revert --pid "$PID"
echo "second line" >&3
wait_line "$WORK/reader.out" "tag-v1: second line"
expect_not_contains "$WORK/reader.out" "read failed"
exec 3>&-
wait_line "$WORK/reader.out" "eof"
echo "PASS: blocked read() completed normally after apply and after revert"
