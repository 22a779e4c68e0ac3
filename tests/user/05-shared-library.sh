#!/usr/bin/env bash
# A shared library function used by two running programs: apply --all patches both.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

# libgreet.so, greeter (PIE) and greeter2 (non-PIE); the patch is built for the library.
project greet
user_build "$WORK/greet.lpatch" "$SRC/libgreet.so" "$FIX/greet/greet.patch" --name greet2
readelf -p .lpatch.meta "$WORK/greet.lpatch" | has "object=libgreet.so" ||
	fail "the patch does not name libgreet.so as its target"

start one "$SRC/greeter" one; one=$PID
start two "$SRC/greeter2" two; two=$PID
wait_line "$WORK/one.out" "one: greet v1"
wait_line "$WORK/two.out" "two: greet v1"

"$LPATCH" apply --all --json "$WORK/greet.lpatch" >"$WORK/apply.json" 2>"$WORK/apply.err" ||
	{ cat "$WORK/apply.json" "$WORK/apply.err"; fail "apply --all failed"; }
cat "$WORK/apply.json"
json_is "$WORK/apply.json" "[.[] | select(.applied) | .pid] | index($one) != null" true
json_is "$WORK/apply.json" "[.[] | select(.applied) | .pid] | index($two) != null" true
wait_line "$WORK/one.out" "one: greet v2"
wait_line "$WORK/two.out" "two: greet v2"

"$LPATCH" ps --json >"$WORK/ps.json"
json_is "$WORK/ps.json" "[.[] | select(.pid == $one or .pid == $two) | .patches[].object | endswith(\"/libgreet.so\")]" \
	'[true,true]'
for p in "$one" "$two"; do
	lp_ok "$WORK/revert.log" "revert in $p" revert --pid "$p" greet2
done
wait_line "$WORK/one.out" "one: greet v1"
wait_line "$WORK/two.out" "two: greet v1"
alive "$one"; alive "$two"
echo "PASS: one patch of a shared library applied to two processes (PIE and non-PIE)"
