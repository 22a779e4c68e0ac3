#!/usr/bin/env bash
# A function always on some thread's stack: apply refuses within its timeout, names
# the thread, and the process runs on unchanged. A function on a stack most of the
# time but briefly left: apply waits and succeeds.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

$CC -O2 -g -pthread -o "$WORK/blocker" "$FIX/blocker.c" || fail "cannot build blocker"
patch_obj "$WORK/new.o" "$FIX/blocker.c" -DPATCHED
"$MKPATCH" -o "$WORK/spin.lpatch" --name spin --target "$WORK/blocker" "$WORK/new.o" spin_forever ||
	fail "mkpatch failed"
"$MKPATCH" -o "$WORK/brief.lpatch" --name brief --target "$WORK/blocker" "$WORK/new.o" brief ||
	fail "mkpatch failed"

start blocker "$WORK/blocker"
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
"$LPATCH" ps --pid "$PID" >"$WORK/ps.txt"
expect_contains "$WORK/ps.txt" "no process has a patch applied"
: >"$WORK/blocker.out"
wait_line "$WORK/blocker.out" "brief=1"
alive "$PID"

"$LPATCH" apply --pid "$PID" --timeout 3000 "$WORK/brief.lpatch" >"$WORK/brief.log" 2>&1 ||
	{ cat "$WORK/brief.log"; fail "apply of a briefly-busy function failed"; }
cat "$WORK/brief.log"
wait_line "$WORK/blocker.out" "brief=2"
alive "$PID"
echo "PASS: refused in $ms ms naming the thread; waited for the napping thread and applied"
