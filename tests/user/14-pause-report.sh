#!/usr/bin/env bash
# The pause apply reports includes the first phase of waiting for a blocked thread:
# while the thread sleeping in brief() runs alone towards its return-address trampoline
# (2 ms), every other thread is held, so when the process is then let run, the worst
# round reported (max_pause_us) is at least those 2 ms.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project blocker
user_build "$WORK/brief.lpatch" "$SRC/blocker" "$FIX/blocker/brief.patch" --name brief
start blocker "$SRC/blocker"
wait_line "$WORK/blocker.out" "brief=1"

# brief() holds its thread 30 ms of every 40: most applies find it there
for ((i = 1; i <= 20; i++)); do
	"$LPATCH" -v apply --json --pid "$PID" "$WORK/brief.lpatch" >"$WORK/apply.json" \
		2>"$WORK/apply.log" || { cat "$WORK/apply.log"; fail "apply failed (try $i)"; }
	if grep -q "the process runs meanwhile" "$WORK/apply.log"; then
		max=$(json_get "$WORK/apply.json" '.[0].max_pause_us // empty') || exit 1
		[ -n "$max" ] || { cat "$WORK/apply.json"; fail "no max_pause_us in the JSON"; }
		awk -v m="$max" 'BEGIN { exit !(m >= 2000) }' ||
			{ cat "$WORK/apply.json"; fail "worst round ${max} us: the 2 ms first phase is missing"; }
		alive "$PID"
		echo "PASS: worst round ${max} us reported after the process ran meanwhile (try $i)"
		exit 0
	fi
	"$LPATCH" revert --pid "$PID" brief >"$WORK/revert.log" 2>&1 ||
		{ cat "$WORK/revert.log"; fail "revert failed (try $i)"; }
done
fail "in 20 applies, none let the process run while waiting for brief() to return"
