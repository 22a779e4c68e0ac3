#!/usr/bin/env bash
# A shared library function used by two running programs: apply --all patches both.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

$CC -O2 -g -fPIC -shared -o "$WORK/libgreet.so" "$FIX/greet.c" || fail "cannot build libgreet.so"
$CC -O2 -g -o "$WORK/greeter" "$FIX/greeter.c" -L"$WORK" -lgreet -Wl,-rpath,"$WORK" ||
	fail "cannot build greeter"
$CC -O2 -g -no-pie -fno-pie -o "$WORK/greeter2" "$FIX/greeter.c" -L"$WORK" -lgreet -Wl,-rpath,"$WORK" ||
	fail "cannot build greeter2"
patch_obj "$WORK/new.o" "$FIX/greet.c" -DPATCHED
"$MKPATCH" -o "$WORK/greet.lpatch" --name greet2 --target "$WORK/libgreet.so" "$WORK/new.o" greet ||
	fail "mkpatch failed"

start one "$WORK/greeter" one; one=$PID
start two "$WORK/greeter2" two; two=$PID
wait_line "$WORK/one.out" "one: greet v1"
wait_line "$WORK/two.out" "two: greet v1"

"$LPATCH" apply --all --json "$WORK/greet.lpatch" >"$WORK/apply.json" 2>"$WORK/apply.err" ||
	{ cat "$WORK/apply.json" "$WORK/apply.err"; fail "apply --all failed"; }
cat "$WORK/apply.json"
expect_contains "$WORK/apply.json" "\"pid\":$one,"
expect_contains "$WORK/apply.json" "\"pid\":$two,"
wait_line "$WORK/one.out" "one: greet v2"
wait_line "$WORK/two.out" "two: greet v2"

"$LPATCH" ps --json >"$WORK/ps.json"
expect_contains "$WORK/ps.json" "libgreet.so"
for p in "$one" "$two"; do
	"$LPATCH" revert --pid "$p" greet2 >/dev/null || fail "revert in $p failed"
done
wait_line "$WORK/one.out" "one: greet v1"
wait_line "$WORK/two.out" "two: greet v1"
alive "$one"; alive "$two"
echo "PASS: one patch of a shared library applied to two processes (PIE and non-PIE)"
