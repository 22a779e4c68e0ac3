#!/usr/bin/env bash
# While it holds a process, lpatch makes the threads it stops, and the threads
# it lets run out of a checked function, SCHED_FIFO for a moment, so that they
# are scheduled at once on a loaded machine (docs/performance.md, pause under
# load). Killed in that moment (LPATCH_TEST_KILL_AT=tramp-wait: the blocked
# threads boosted and running to their trampolines), lpatch cannot give them
# back their own policy: its watchdog must. Every thread ends SCHED_OTHER with
# its nice value, the process alive; and a normal apply leaves no thread boosted.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
[ "$(id -u)" = 0 ] || skip "lpatch boosts threads only with CAP_SYS_NICE (root here)"

busy_build
start busy nice -n 5 "$WORK/busy/busy" 4
wait_line "$WORK/busy.out" "calls="

# policies PID: "TID POLICY NICE" per thread (stat fields 41 and 19)
policies() { local t
	for t in /proc/"$1"/task/*; do
		sed 's/.*) //' "$t/stat" | awk -v tid="${t##*/}" '{ print tid, $39, $17 }'
	done; }
# all_normal PID: within 2 s, every thread SCHED_OTHER (0) with nice 5
all_normal() { local i
	for ((i = 0; i < 100; i++)); do
		policies "$1" >"$WORK/policies"
		awk '$2 != 0 || $3 != 5 { bad = 1 } END { exit bad }' "$WORK/policies" && return 0
		sleep 0.02
	done
	cat "$WORK/policies" >&2
	fail "$2: a thread was left with another policy or nice value (TID POLICY NICE above)"; }

all_normal "$PID" "before any apply"
lp_ok "$WORK/apply.log" "apply" apply --pid "$PID" "$WORK/work.lpatch"
all_normal "$PID" "after a normal apply"
lp_ok "$WORK/revert.log" "revert" revert --pid "$PID" work
all_normal "$PID" "after a normal revert"

killed() { all_normal "$PID" "after lpatch was killed with threads boosted (try $TRY)"; }
kill_apply tramp-wait "no thread was ever in the way" killed
alive "$PID"
# what the killed apply left (a stale region) is taken out by the next revert
"$LPATCH" revert --pid "$PID" work >"$WORK/clean.log" 2>&1 || true
all_normal "$PID" "at the end"
echo "PASS: threads boosted while held get their own policy back, also when lpatch is killed (try $TRY)"
