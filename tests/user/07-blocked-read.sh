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

"$LPATCH" apply --pid "$PID" "$WORK/tag.lpatch" >"$WORK/apply.log" 2>&1 ||
	{ cat "$WORK/apply.log"; fail "apply failed"; }
echo "first line" >&3
wait_line "$WORK/reader.out" "tag-v2: first line"

sleep 0.1
"$LPATCH" revert --pid "$PID" >"$WORK/revert.log" 2>&1 || { cat "$WORK/revert.log"; fail "revert failed"; }
echo "second line" >&3
wait_line "$WORK/reader.out" "tag-v1: second line"
expect_not_contains "$WORK/reader.out" "read failed"
exec 3>&-
wait_line "$WORK/reader.out" "eof"
echo "PASS: blocked read() completed normally after apply and after revert"
