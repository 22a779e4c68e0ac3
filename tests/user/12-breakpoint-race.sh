#!/usr/bin/env bash
# Stress: apply/revert rounds for about 12 s on a function that CPU-bound threads
# (more than the cores) enter and leave all the time, so lpatch waits for them to
# return every round (once at breakpoints, now through return-address trampolines:
# docs/user-patch-format.md), and threads often reach their trampoline just as lpatch
# interrupts them. The process must never die, every call must return what the old or
# the new code computes, and the calls must go on. "caught" counts the old breakpoint
# race, which no longer exists (always 0).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

BUDGET=${LPATCH_STRESS_SECONDS:-12}

project hopper
user_build "$WORK/hop.lpatch" "$SRC/hopper" "$FIX/hopper/hop.patch" --name hop
# the patch carries the unwind entry of its function (a lost one blocks every revert)
readelf -rW "$WORK/hop.lpatch" | has "'.rela.eh_frame'" ||
	fail "the patch has no relocation for its .eh_frame"

start hopper "$SRC/hopper"
wait_line "$WORK/hopper.out" "seen=11111111"
t0=$(date +%s)
rounds=0 waited=0 caught=0
# one apply or revert: OP ARGS...
step() {
	"$LPATCH" -v "$@" --pid "$PID" >"$WORK/op.log" 2>&1 ||
		{ grep -v 'debug:' "$WORK/op.log"; alive "$PID"; fail "$1 failed (round $rounds)"; }
	alive "$PID"
	grep -q 'debug: round 2' "$WORK/op.log" && waited=$((waited + 1))
	caught=$((caught + $(grep -c 'interrupted right after a breakpoint' "$WORK/op.log")))
}
while [ $(($(date +%s) - t0)) -lt "$BUDGET" ]; do
	rounds=$((rounds + 1))
	step apply "$WORK/hop.lpatch"
	step revert hop
done

# the calls go on, none returned a wrong value, and the old code runs again
before=$(tail -n 1 "$WORK/hopper.out" | grep -oE 'calls=[0-9]+' | cut -d= -f2)
wait_line "$WORK/hopper.out" "seen=11111111"
sleep 0.2
alive "$PID"
last=$(tail -n 1 "$WORK/hopper.out")
after=$(echo "$last" | grep -oE 'calls=[0-9]+' | cut -d= -f2)
[ "$after" -gt "$before" ] || fail "the calls stopped ($before, then $after)"
echo "$last" | has 'bad=0$' || fail "calls returned wrong values: $last"
[ "$waited" -gt 0 ] || fail "no apply or revert waited at a breakpoint: the test exercised nothing"
echo "PASS: $rounds apply/revert rounds in ${BUDGET}s ($waited waited at breakpoints, $caught" \
	"threads caught between a breakpoint and its trap), process alive, $after calls, none wrong"
