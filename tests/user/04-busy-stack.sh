#!/usr/bin/env bash
# A function always on some thread's stack: apply refuses within its timeout, names
# the thread, and the process runs on unchanged. A function on a stack most of the
# time but briefly left: apply waits and succeeds.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project blocker
user_build "$WORK/spin.lpatch" "$SRC/blocker" "$FIX/blocker/spin.patch" --name spin
user_build "$WORK/brief.lpatch" "$SRC/blocker" "$FIX/blocker/brief.patch" --name brief

start blocker "$SRC/blocker"
wait_line "$WORK/blocker.out" "brief=1"

t0=$(date +%s%N)
"$LPATCH" apply --pid "$PID" --timeout 500 "$WORK/spin.lpatch" >"$WORK/spin.log" 2>&1
st=$?
ms=$((($(date +%s%N) - t0) / 1000000))
cat "$WORK/spin.log"
[ "$st" -eq 1 ] || fail "apply of a function always on a stack exited $st, expected 1"
[ "$ms" -lt 2000 ] || fail "apply took $ms ms with --timeout 500"
expect_contains "$WORK/spin.log" "(spinner)"
expect_contains "$WORK/spin.log" "spin_forever"
expect_unpatched "$PID"
: >"$WORK/blocker.out"
wait_line "$WORK/blocker.out" "brief=1"
alive "$PID"

lp_ok "$WORK/brief.log" "apply of a briefly-busy function" \
	apply --pid "$PID" --timeout 3000 "$WORK/brief.lpatch"
cat "$WORK/brief.log"
wait_line "$WORK/blocker.out" "brief=2"
alive "$PID"
echo "PASS: refused in $ms ms naming the thread; waited for the napping thread and applied"
