#!/usr/bin/env bash
# lpatch killed at each step of apply and revert (LPATCH_TEST_KILL_AT, a test hook that
# sends lpatch a SIGKILL at a named step) against bench/user-pause/busy with 4 threads:
# the process lives on, untraced, `lpatch ps` agrees with the code in memory, and the
# next operation finishes or undoes what was interrupted. The steps are those of the
# argument in docs/user-patch-format.md ("If lpatch dies"):
#   inject-regs    a system call injected (apply's mmap): the thread set up to run
#                  it, lpatch gone (the thread makes the call and returns through its
#                  signal frame)
#   inject-result  the same, the call made
#   apply-mapped   the region mapped and written, nothing jumps to it (stale region)
#   tramp-wait     threads in the way running towards their trampolines
#   tramp-arrived  one of them caught at its trampoline, held there
#   apply-marked   the record says "applying", no jump written
#   apply-jump     the record says "applying", the jump written
#   revert-marked  the record says "reverting", the jump still in
#   revert-jump    the record says "reverting", the jump taken out
#   revert-unmap   the record says "reverted" (the region stays mapped: the program
#                  may point into it; only a stale one is unmapped)
# Also (issue 9): a revert whose rollback fails leaves ps agreeing with the code.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

# the system's python when there is one (a pyenv shim can take seconds to start)
PY=$(command -v /usr/bin/python3 || command -v python3) || skip "python3 is not installed"
CHECK="$TOP/tests/user/kill-check.py"

busy_build
start busy "$WORK/busy/busy" 4
wait_line "$WORK/busy.out" "calls="
SPEC="$PID:$WORK/busy/busy:work"

next=
coproc CHK { "$PY" "$CHECK" "$LPATCH" --serve; }
check() { local out
	echo "$SPEC" >&"${CHK[1]}"
	read -r out <&"${CHK[0]}" || fail "the checker died"
	[ "${out%% *}" = ok ] || { cat "$WORK/killed.log" 2>/dev/null; fail "$1: $out"; }
	next=${out##* }; }
# run OP ARGS...: apply or revert as the state calls for
run_next() {
	if [ "$next" = apply ]; then "$LPATCH" "$@" apply --pid "$PID" "$WORK/work.lpatch"
	else "$LPATCH" "$@" revert --pid "$PID" work; fi; }
# settle: the next operation succeeds, and ps agrees before and after
settle() { check "$1"
	run_next >"$WORK/next.log" 2>&1 || { cat "$WORK/next.log"; fail "$next after $1 failed"; }
	check "after $1"; }

check start
hits=()
for point in inject-regs inject-result apply-mapped tramp-wait tramp-arrived apply-marked apply-jump \
	     revert-marked revert-jump revert-unmap; do
	# injected system calls are apply's (a revert makes none in a program without libgcc)
	case $point in revert-*) want=revert ;; *) want=apply ;; esac
	hit=0
	# a point is reached only on some runs (tramp-wait: when a thread is in the way)
	for ((try = 1; try <= 40 && !hit; try++)); do
		# bring the process to the state the step needs
		[ "$want" = any ] || [ "$next" = "$want" ] || settle "preparing $point"
		LPATCH_TEST_KILL_AT=$point run_next >"$WORK/killed.log" 2>&1
		st=$?
		[ "$st" -eq 137 ] && hit=1
		[ "$st" -eq 0 ] || [ "$st" -eq 137 ] || { cat "$WORK/killed.log"; fail "$point: exit $st"; }
		settle "$point"
	done
	[ "$hit" -eq 1 ] || fail "lpatch never reached step $point in 40 runs"
	hits+=("$point")
done

# issue 9: revert's final mark fails, and so does its rollback: the process is left
# partly reverted, and ps says so (the record REVERTING, the function what its bytes say)
[ "$next" = revert ] || settle "preparing the failed revert"
LPATCH_TEST_FAIL=state-reverted,revert-undo "$LPATCH" revert --pid "$PID" work >"$WORK/fail.log" 2>&1
st=$?
[ "$st" -eq 1 ] || { cat "$WORK/fail.log"; fail "the failed revert exited $st, expected 1"; }
expect_contains "$WORK/fail.log" "partly reverted"
"$LPATCH" ps --pid "$PID" >"$WORK/ps.txt"
expect_contains "$WORK/ps.txt" "patch work (reverting"
settle "a revert whose rollback failed"
# and a revert whose mark fails but whose rollback works: all back to active
[ "$next" = revert ] || settle "preparing the second failed revert"
LPATCH_TEST_FAIL=state-reverted "$LPATCH" revert --pid "$PID" work >"$WORK/fail2.log" 2>&1
[ $? -eq 1 ] || { cat "$WORK/fail2.log"; fail "the second failed revert did not exit 1"; }
"$LPATCH" ps --pid "$PID" >"$WORK/ps.txt"
expect_contains "$WORK/ps.txt" "patch work (active"
settle "a revert rolled back"

: >"$WORK/busy.out"
wait_line "$WORK/busy.out" "calls=[1-9]"
echo "PASS: killed at ${hits[*]}: the process lived on, ps agreed with its code, the next operation succeeded"
