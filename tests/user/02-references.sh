#!/usr/bin/env bash
# The patched function uses a static variable and a static helper of the target,
# printf from libc, and a thread-local variable.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

$CC -O2 -g -o "$WORK/loop" "$FIX/loop.c" || fail "cannot build loop"
patch_obj "$WORK/new.o" "$FIX/loop.c" -DPATCH_REPORT
"$MKPATCH" -o "$WORK/rep.lpatch" --name rep --target "$WORK/loop" "$WORK/new.o" report ||
	fail "mkpatch failed"
# The references the runtime must resolve: they are undefined in the patch.
readelf -sW "$WORK/rep.lpatch" >"$WORK/syms"
for s in counter bump printf tls_value; do
	grep -qE " (UND|[0-9]+) $s\$" "$WORK/syms" || fail "patch has no symbol $s"
done

start loop "$WORK/loop"
wait_line "$WORK/loop.out" "report v1 counter=[0-9]+"
"$LPATCH" apply --pid "$PID" "$WORK/rep.lpatch" >"$WORK/apply.log" 2>&1 ||
	{ cat "$WORK/apply.log"; fail "apply failed"; }
before=$(grep -oE 'report v1 counter=[0-9]+' "$WORK/loop.out" | tail -1 | grep -oE '[0-9]+$')
wait_line "$WORK/loop.out" "report v2 counter=[0-9]+ tls=42"
after=$(grep -oE 'report v2 counter=[0-9]+' "$WORK/loop.out" | head -1 | grep -oE '[0-9]+$')
# The static counter is the target's own (continues), bumped by the target's helper.
[ "$after" -gt "$before" ] && [ "$after" -le $((before + 3)) ] ||
	fail "counter went from $before to $after: not the target's static variable"
"$LPATCH" revert --pid "$PID" >"$WORK/revert.log" 2>&1 || { cat "$WORK/revert.log"; fail "revert failed"; }
wait_line "$WORK/loop.out" "report v1 counter=[0-9]+"
alive "$PID"
echo "PASS: static variable $before -> $after, static helper, printf and TLS resolved"
