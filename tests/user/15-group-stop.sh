#!/usr/bin/env bash
# A SIGSTOP sent while lpatch waits for a thread to return from a patched function
# (the spinner never does, so apply waits out its timeout with the process running)
# stops the process as it would without lpatch: no thread goes on running, the
# process stays stopped after apply gives up, and runs again on SIGCONT.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project blocker
user_build "$WORK/spin.lpatch" "$SRC/blocker" "$FIX/blocker/spin.patch" --name spin
start blocker "$SRC/blocker"
wait_line "$WORK/blocker.out" "brief=1"

lines() { wc -l <"$WORK/blocker.out"; }
# every thread of the process in a stop: T (stopped) or t (a tracing stop)
all_stopped() { local f
	for f in /proc/"$PID"/task/*/stat; do
		sed 's/.*) //' "$f" | has '^[tT]' || return 1
	done; }

"$LPATCH" -v apply --pid "$PID" --timeout 3000 "$WORK/spin.lpatch" >"$WORK/apply.log" 2>&1 &
apid=$!
for ((i = 0; i < 100; i++)); do
	grep -q "the process runs meanwhile" "$WORK/apply.log" && break
	sleep 0.02
done
grep -q "the process runs meanwhile" "$WORK/apply.log" ||
	{ kill "$apid"; cat "$WORK/apply.log"; fail "apply never let the process run while waiting"; }
kill -STOP "$PID"
sleep 0.5
kill -0 "$apid" 2>/dev/null || { cat "$WORK/apply.log"; fail "apply ended before the check"; }
n=$(lines)
sleep 0.5
all_stopped || { kill "$apid"; fail "a thread runs after SIGSTOP while apply waits"; }
[ "$(lines)" -eq "$n" ] || { kill "$apid"; fail "the process printed after SIGSTOP while apply waits"; }
st=0
wait "$apid" || st=$?
[ "$st" -eq 1 ] || { cat "$WORK/apply.log"; fail "apply exited $st, expected 1 (spinner in the way)"; }
expect_contains "$WORK/apply.log" "spin_forever"
sleep 0.2
grep -q "State:.*T (stopped)" "/proc/$PID/status" || fail "the process is not stopped after apply gave up"
n=$(lines)
kill -CONT "$PID"
for ((i = 0; i < 100 && $(lines) == n; i++)); do sleep 0.02; done
[ "$(lines)" -gt "$n" ] || fail "the process did not run again after SIGCONT"
alive "$PID"
echo "PASS: SIGSTOP during apply's wait stopped the process; SIGCONT resumed it"
