#!/usr/bin/env bash
# Signals arriving while lpatch holds the threads are delivered afterwards: a process
# counting a queued real-time signal and SIGUSR1, signalled in a loop during repeated
# apply and revert, sees every real-time signal, keeps its handlers and does not crash.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project signals
user_build "$WORK/v2.lpatch" "$SRC/signals" "$FIX/signals/version.patch" --name v2
start signals "$SRC/signals"
wait_line "$WORK/signals.out" "^v=1 rt=0 usr1=0$"

# the sender runs until every round is over; it counts the signals the kernel accepted
sender() { local n=0
	while [ ! -e "$WORK/stop" ]; do
		kill -s RTMIN+1 "$PID" && n=$((n + 1))
		((n % 4)) || kill -s USR1 "$PID"
		((n % 20)) || sleep 0.001
	done
	echo "$n" >"$WORK/sent"; }
sender &
spid=$!
sleep 0.05
for ((round = 1; round <= 20; round++)); do
	lp_ok "$WORK/apply.log" "apply (round $round)" apply --pid "$PID" "$WORK/v2.lpatch"
	lp_ok "$WORK/revert.log" "revert (round $round)" revert --pid "$PID" v2
done
touch "$WORK/stop"
wait "$spid"
N=$(cat "$WORK/sent")
[ "$N" -gt 20 ] || fail "only $N signals were sent during the rounds"
kill -0 "$PID" 2>/dev/null || fail "the process died (an unhandled signal?)"
wait_line "$WORK/signals.out" "^v=1 rt=$N usr1=[1-9][0-9]*$"
grep -q "v=2" "$WORK/signals.out" || echo "note: the patched version never printed between rounds"
lp_ok "$WORK/apply.log" "final apply" apply --pid "$PID" "$WORK/v2.lpatch"
kill -s RTMIN+1 "$PID"
wait_line "$WORK/signals.out" "^v=2 rt=$((N + 1)) usr1=[1-9][0-9]*$"
alive "$PID"
echo "PASS: $N real-time signals sent during 20 apply/revert rounds, all $N delivered; SIGUSR1 handled"
