#!/usr/bin/env bash
# A process that cannot take another mapping (its address-space limit is what it
# maps already): apply fails (exit 1, not a refusal) saying the injected mmap failed,
# and the process runs on unpatched. A function too small for the jump is refused
# (exit 2) before lpatch touches the process, so the refusal names the function,
# not the mmap that would have failed first.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

# limit PID: no new mapping fits under RLIMIT_AS
limit() { local kb
	kb=$(awk '/^VmSize:/ { print $2 }' "/proc/$1/status")
	prlimit --pid "$1" --as="$((kb * 1024)):" || fail "cannot set the address-space limit of $1"; }

command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"

project loop
user_build "$WORK/message.lpatch" "$SRC/loop" "$FIX/loop/message.patch" --name message
start loop "$SRC/loop"
wait_line "$WORK/loop.out" "^report v1"
limit "$PID"
st=0
"$LPATCH" apply --pid "$PID" "$WORK/message.lpatch" >"$WORK/apply.log" 2>&1 || st=$?
cat "$WORK/apply.log"
[ "$st" -eq 1 ] || fail "apply to a process out of address space exited $st, expected 1"
expect_contains "$WORK/apply.log" "for the patch failed: Cannot allocate memory"
: >"$WORK/loop.out"
wait_line "$WORK/loop.out" "^report v1"
expect_contains "$WORK/loop.out" "original message"
"$LPATCH" ps --pid "$PID" >"$WORK/ps.txt"
expect_contains "$WORK/ps.txt" "no process has a patch applied"
alive "$PID"

project tiny
user_build "$WORK/level.lpatch" "$SRC/tiny" "$FIX/tiny/level.patch" --name level
start tiny "$SRC/tiny"
wait_line "$WORK/tiny.out" "level 0"
limit "$PID"
st=0
"$LPATCH" apply --pid "$PID" "$WORK/level.lpatch" >"$WORK/apply2.log" 2>&1 || st=$?
cat "$WORK/apply2.log"
[ "$st" -eq 2 ] || fail "apply of a too small function exited $st, expected 2"
expect_contains "$WORK/apply2.log" "level is"
expect_contains "$WORK/apply2.log" "too small to hold a 5-byte jump"
expect_not_contains "$WORK/apply2.log" "mmap"
alive "$PID"
echo "PASS: a failed injected mmap exits 1; a too small function is refused before the process is touched"
