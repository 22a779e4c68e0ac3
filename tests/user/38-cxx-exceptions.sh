#!/usr/bin/env bash
# C++ exceptions through patched code, in a program built by g++: check()
# throws (patched: another type, the program's own lp::Bad) and is called by
# unpatched code that catches; guard() catches (patched: a new handler for
# lp::Bad, run with cleanups of temporaries on the way). The patch's unwind
# entries and exception tables are registered with the process's libgcc on
# apply (its personality routine and typeinfo bound to the process's) and
# deregistered on revert, while a worker thread throws through check() without
# pause; five apply/revert cycles, each checked both ways; then a kill.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

command -v g++ >/dev/null || skip "g++ is not installed"
project cxxexc CXX=g++
BIN=$SRC/cxxexc
"$LPATCH" build --user --json --src "$SRC" --binary "$BIN" --make "make CXX=g++" \
	-o "$WORK/exc.lpatch" "$FIX/cxxexc/exc.patch" >"$WORK/exc.json" 2>"$WORK/exc.err" ||
	{ cat "$WORK/exc.err" >&2; fail "build --user of exc.patch failed"; }
json_is "$WORK/exc.json" '[.functions[].name] | sort' '["_ZN2lp5checkEi","_ZN2lp5guardB5cxx11Ei"]'
readelf -SW "$WORK/exc.lpatch" >"$WORK/sections.txt"
expect_contains "$WORK/sections.txt" ".gcc_except_table"

start cxxexc "$BIN"
wait_line "$WORK/cxxexc.out" "^guard "
# saw LINE...: each line turns up in the program's output within 2 s
saw() { local l i
	for l in "$@"; do
		for ((i = 0; i < 100; i++)); do
			has -Fx -- "$l" <"$WORK/cxxexc.out" && break
			sleep 0.02
		done
		has -Fx -- "$l" <"$WORK/cxxexc.out" || { tail -n 20 "$WORK/cxxexc.out" >&2
			fail "no line '$l' in the output"; }
	done; }
# not_saw TEXT...: no line of the version that should be gone, no terminate
not_saw() { local l
	for l in "$@"; do
		! has -F -- "$l" <"$WORK/cxxexc.out" || fail "line '$l' in the output"
	done; }
saw "main caught five v1" "guard caught v1 five v1" "worker caught some"
# -v: lpatch says when it points a blocked thread's return address at a
# trampoline, which it must never do here (a throw through that frame would
# find no handler: std::terminate, about once in eight runs before)
for cycle in 1 2 3 4 5; do
	lp_ok "$WORK/apply.log" "apply ($cycle)" -v apply --pid "$PID" "$WORK/exc.lpatch"
	! has -F "pointed at trampoline" "$WORK/apply.log" || { cat "$WORK/apply.log"; fail "apply ($cycle) used a trampoline in a C++ process"; }
	wait_line "$WORK/cxxexc.out" "^guard v2 "
	: >"$WORK/cxxexc.out"
	# thrown in patched code, caught in unpatched main (by the program's own type);
	# thrown by patched check() through patched guard()'s new handler
	saw "main caught Bad five v2" "guard caught Bad five v2"
	not_saw "five v1" "terminate"
	alive "$PID"
	lp_ok "$WORK/revert.log" "revert ($cycle)" -v revert --pid "$PID"
	! has -F "pointed at trampoline" "$WORK/revert.log" || { cat "$WORK/revert.log"; fail "revert ($cycle) used a trampoline in a C++ process"; }
	wait_line "$WORK/cxxexc.out" "^guard v1 "
	: >"$WORK/cxxexc.out"
	saw "main caught five v1" "guard caught v1 five v1"
	not_saw "five v2" "terminate"
	alive "$PID"
done
expect_unpatched "$PID"

# lpatch killed after libgcc registered the entries, before the record says so:
# the process lives on unpatched, and the region, whose entries libgcc may hold,
# is never unmapped (revert says so); a later apply and revert work
LPATCH_TEST_KILL_AT=eh-registered "$LPATCH" apply --pid "$PID" "$WORK/exc.lpatch" \
	>"$WORK/killed.log" 2>&1
st=$?
[ "$st" -eq 137 ] || { cat "$WORK/killed.log"; fail "apply killed at eh-registered: exit $st"; }
: >"$WORK/cxxexc.out"
saw "main caught five v1" "guard caught v1 five v1"
alive "$PID"
"$LPATCH" revert --pid "$PID" exc >"$WORK/stale.log" 2>&1 || { cat "$WORK/stale.log"; fail "revert of the stale region failed"; }
expect_contains "$WORK/stale.log" "being registered"
expect_contains "$WORK/stale.log" "stays mapped"
lp_ok "$WORK/apply.log" "apply after the kill" apply --pid "$PID" "$WORK/exc.lpatch"
: >"$WORK/cxxexc.out"
saw "main caught Bad five v2" "guard caught Bad five v2"
lp_ok "$WORK/revert.log" "revert after the kill" revert --pid "$PID" exc
: >"$WORK/cxxexc.out"
saw "main caught five v1" "guard caught v1 five v1"
not_saw "terminate"
alive "$PID"
echo "PASS: C++ exceptions thrown and caught in patched code, 5 apply/revert cycles, a kill"
