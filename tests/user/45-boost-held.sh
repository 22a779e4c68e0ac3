#!/usr/bin/env bash
# A thread lpatch holds is not left SCHED_FIFO (docs/performance.md, pause under
# load): the boost that makes a thread stop at once is given back as soon as its
# stop is seen, not when the last thread has stopped. Killed while it holds the
# thread (LPATCH_TEST_KILL_AT=tramp-arrived: the one worker of `busy 1` run out of
# work() and caught at its trampoline), lpatch leaves no thread SCHED_FIFO: not
# even for the moment until its watchdog is scheduled, which on a machine whose
# CPUs all run such threads is up to the kernel's real-time throttling (about
# 1 s a kill; tests/user/22 took three times as long for it). The watchdog is
# made 300 ms late here (LPATCH_TEST_WATCHDOG_DELAY_MS), as it is on such a
# machine, so that it cannot hide a thread left boosted.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
[ "$(id -u)" = 0 ] || skip "lpatch boosts threads only with CAP_SYS_NICE (root here)"

busy_build
start busy "$WORK/busy/busy" 1
wait_line "$WORK/busy.out" "calls="

# fifo PID: the threads of PID that are SCHED_FIFO (stat field 41), read at once
# (no fork)
fifo() { local f st n=
	for f in /proc/"$1"/task/*/stat; do
		read -r st <"$f" 2>/dev/null || continue
		set -- ${st##*) }
		[ "${39}" = 1 ] && n+=" ${f#/proc/*/task/}"
	done
	echo "${n# }"; }

# the check is at once: the watchdog, made late, must not be what gives the policy back
killed() { local seen
	seen=$(fifo "$PID")
	[ -z "$seen" ] || fail "lpatch killed while it held a thread left it SCHED_FIFO (thread ${seen%%/*}, try $TRY)"; }
kill_apply tramp-arrived "the worker was never in the way" killed LPATCH_TEST_WATCHDOG_DELAY_MS=300
alive "$PID"
# the kill left a stale region: the next revert takes it out; then an apply works
lp_ok "$WORK/clean.log" "revert after the kill" revert --pid "$PID" work
lp_ok "$WORK/apply.log" "apply after the kill" apply --pid "$PID" "$WORK/work.lpatch"
[ -z "$(fifo "$PID")" ] || fail "a thread is SCHED_FIFO after a normal apply"
echo "PASS: a thread held by lpatch is not SCHED_FIFO when lpatch is killed (try $TRY)"
