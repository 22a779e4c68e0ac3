#!/usr/bin/env bash
# The patched function uses a static variable and a static helper of the target,
# printf from libc, and a thread-local variable.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project loop
user_build "$WORK/rep.lpatch" "$SRC/loop" "$FIX/loop/report.patch" --name rep
# The references the runtime must resolve are undefined in the patch: the target's
# statics (with their addresses in .lpatch.meta), printf with its symbol version, TLS.
readelf -sW "$WORK/rep.lpatch" >"$WORK/syms"
for s in counter bump 'printf@GLIBC_[0-9.]+' tls_value; do
	grep -qE " UND $s\$" "$WORK/syms" || fail "patch has no undefined symbol $s"
done
readelf -p .lpatch.meta "$WORK/rep.lpatch" >"$WORK/meta"
for s in counter bump tls_value; do
	addr=$(nm "$SRC/loop" | awk -v s="$s" '$3 == s { sub(/^0+/, "", $1); print $1 }')
	expect_contains "$WORK/meta" "ref=$s ${addr:-0}"
done
addr=$(nm "$SRC/loop" | awk '$3 == "report" { sub(/^0+/, "", $1); print $1 }')
expect_contains "$WORK/meta" "func=report $addr "
# --json: what was written, read back from the file; stdout holds only the JSON
"$LPATCH" build --user --json --src "$SRC" --binary "$SRC/loop" -o "$WORK/rep2.lpatch" \
	--name rep "$FIX/loop/report.patch" >"$WORK/build.json" 2>"$WORK/build.err" ||
	{ cat "$WORK/build.err"; fail "lpatch build --user --json failed"; }
bid=$(readelf -n "$SRC/loop" | awk '/Build ID/ { print $3 }')
json_is "$WORK/build.json" .output "$WORK/rep2.lpatch"
json_is "$WORK/build.json" .name rep
json_is "$WORK/build.json" .object loop
json_is "$WORK/build.json" .build_id "$bid"
json_is "$WORK/build.json" '[.functions[].name]' '["report"]'
json_is "$WORK/build.json" '.functions[0].address | ltrimstr("0x")' "$addr"
json_is "$WORK/build.json" '.references | index("counter") and index("bump") and index("tls_value")' true
json_is "$WORK/build.json" '.references | map(startswith("printf@GLIBC_")) | any' true

start loop "$SRC/loop"
wait_line "$WORK/loop.out" "report v1 counter=[0-9]+"
lp_ok "$WORK/apply.log" "apply" apply --pid "$PID" "$WORK/rep.lpatch"
before=$(grep -oE 'report v1 counter=[0-9]+' "$WORK/loop.out" | tail -1 | grep -oE '[0-9]+$')
wait_line "$WORK/loop.out" "report v2 counter=[0-9]+ tls=42"
after=$(grep -oE 'report v2 counter=[0-9]+' "$WORK/loop.out" | head -1 | grep -oE '[0-9]+$')
# The static counter is the target's own (continues), bumped by the target's helper.
[ "$after" -gt "$before" ] && [ "$after" -le $((before + 3)) ] ||
	fail "counter went from $before to $after: not the target's static variable"
lp_ok "$WORK/revert.log" "revert" revert --pid "$PID"
wait_line "$WORK/loop.out" "report v1 counter=[0-9]+"
alive "$PID"
echo "PASS: static variable $before -> $after, static helper, printf and TLS resolved"
