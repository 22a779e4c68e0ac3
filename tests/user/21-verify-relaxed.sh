#!/usr/bin/env bash
# Verification compares what the code does, not how the assembler encoded it
# (issue 12): tests/fixtures/user/relax is built by its own Makefile, one .text,
# where `jmp sink` in shifted() is a 2-byte jump and the loop's rel32 jump over it
# is 3 bytes shorter; lpatch compiles the same source with -ffunction-sections
# (a 5-byte jump with a relocation). The build verifies, and the patch applies.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project relax
# the case is there: the linked shifted() is shorter than a -ffunction-sections one
"$CC" -O2 -g -ffunction-sections -c -o "$WORK/fs.o" "$SRC/relax.c" || fail "cannot compile relax.c"
linked=$(nm -S "$SRC/relax" | awk '$4 == "shifted" { print $2 }')
sections=$(nm -S "$WORK/fs.o" | awk '$4 == "shifted" { print $2 }')
[ -n "$linked" ] && [ -n "$sections" ] || fail "no shifted() in the fixture's binary or object"
[ "$linked" != "$sections" ] ||
	skip "this compiler lays shifted() out alike in both builds ($linked bytes): nothing to verify"

user_build "$WORK/relax.lpatch" "$SRC/relax" "$FIX/relax/message.patch"
expect_not_contains "$WORK/relax.lpatch.log" "does not match"
expect_not_contains "$WORK/relax.lpatch.log" "no-verify"
[ -s "$WORK/relax.lpatch" ] || fail "no patch written"

start relax "$SRC/relax"
wait_line "$WORK/relax.out" "^relax "
lp_ok "$WORK/apply.log" "lpatch apply" apply --pid "$PID" "$WORK/relax.lpatch"
wait_line "$WORK/relax.out" "^relaxed and patched "
alive "$PID"
echo "PASS: relaxed jumps and shifted displacements verify; the patch applies"
