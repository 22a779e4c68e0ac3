#!/usr/bin/env bash
# A process that cannot take another mapping (its address-space limit is what it
# maps already): apply fails (exit 1, not a refusal) saying the injected mmap failed,
# and the process runs on unpatched. A function too small for the jump is refused
# (exit 2) before lpatch touches the process, so the refusal names the function,
# not the mmap that would have failed first.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"

# limited_apply NAME PATCH READY-REGEX: build fixture NAME's PATCH (patch name NAME),
# run NAME until its output matches READY-REGEX, set its address-space limit to what
# it maps already (no new mapping fits), apply; the log in $WORK/NAME.apply.log, the
# exit status in $st
limited_apply() { local name=$1 patch=$2 ready=$3 kb
	project "$name"
	user_build "$WORK/$name.lpatch" "$SRC/$name" "$FIX/$name/$patch" --name "$name"
	start "$name" "$SRC/$name"
	wait_line "$WORK/$name.out" "$ready"
	kb=$(awk '/^VmSize:/ { print $2 }' "/proc/$PID/status")
	prlimit --pid "$PID" --as="$((kb * 1024)):" || fail "cannot set the address-space limit of $PID"
	st=0
	"$LPATCH" apply --pid "$PID" "$WORK/$name.lpatch" >"$WORK/$name.apply.log" 2>&1 || st=$?
	cat "$WORK/$name.apply.log"; }

limited_apply loop message.patch "^report v1"
[ "$st" -eq 1 ] || fail "apply to a process out of address space exited $st, expected 1"
expect_contains "$WORK/loop.apply.log" "for the patch failed: Cannot allocate memory"
: >"$WORK/loop.out"
wait_line "$WORK/loop.out" "^report v1"
expect_contains "$WORK/loop.out" "original message"
"$LPATCH" ps --pid "$PID" >"$WORK/ps.txt"
expect_contains "$WORK/ps.txt" "no process has a patch applied"
alive "$PID"

limited_apply tiny level.patch "level 0"
[ "$st" -eq 2 ] || fail "apply of a too small function exited $st, expected 2"
expect_contains "$WORK/tiny.apply.log" "level is"
expect_contains "$WORK/tiny.apply.log" "too small to hold a 5-byte jump"
expect_not_contains "$WORK/tiny.apply.log" "mmap"
alive "$PID"
echo "PASS: a failed injected mmap exits 1; a too small function is refused before the process is touched"
