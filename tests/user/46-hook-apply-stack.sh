#!/usr/bin/env bash
# install --user names lpatch-hook (the lean hook-apply program) in the index,
# and hook-apply's at-once switch of a one-thread process (no unwinding) is
# taken only when no word of its stack is in the old code: a process waiting in
# pause() has main's return address on its stack, so a patch of main must go
# the usual way (main never returns: refused at the timeout, process untouched),
# while a patch of a function not on the stack is applied at once.
source "$(dirname "$0")/install-lib.sh"
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
private_etc
HOOK="$TOP/build/lpatch-hook"
[ -x "$HOOK" ] || fail "$HOOK is not built (make lpatch builds it)"

project later
user_build "$WORK/v2.lpatch" "$SRC/later" "$SRC/version2.patch"
user_build "$WORK/main.lpatch" "$SRC/later" "$SRC/main.patch" --name newmain

# the index runs lpatch-hook; a process started later is patched by it
lp_ok "$WORK/install.log" "install --user" install --user "$WORK/v2.lpatch"
grep -qx "lpatch $HOOK" "$LPATCH_ROOT/user/index" ||
	fail "the index does not name $HOOK: $(cat "$LPATCH_ROOT/user/index")"
"$SRC/later" >"$WORK/after.out" || fail "later failed with the patch installed"
expect_contains "$WORK/after.out" "first call: version 2"
lp_ok "$WORK/uninstall.log" "uninstall --user" uninstall --user version2
host_untouched

# main on the stack (the thread waits in pause): not switched at once
start waiting "$SRC/later" wait; pid=$PID
wait_line "$WORK/waiting.out" "first call: version 1"
t0=$(date +%s%N)
"$HOOK" hook-apply "$pid" "$WORK/main.lpatch" >"$WORK/main.log" 2>&1
st=$?
ms=$((($(date +%s%N) - t0) / 1000000))
cat "$WORK/main.log"
[ "$st" -ne 0 ] || fail "hook-apply switched main while it was on the stack (exit 0)"
expect_contains "$WORK/main.log" "main"
[ "$ms" -lt 5000 ] || fail "hook-apply took $ms ms to give up (its timeout is 1 s)"
alive "$pid"
expect_unpatched "$pid"

# version() is not on the stack: applied
"$HOOK" hook-apply "$pid" "$WORK/v2.lpatch" >"$WORK/v2.log" 2>&1 ||
	{ cat "$WORK/v2.log"; fail "hook-apply of version2 failed"; }
"$LPATCH" ps --pid "$pid" --json >"$WORK/ps.json" || fail "ps failed"
json_is "$WORK/ps.json" "[.[0].patches[] | select(.state == \"active\") | .name]" '["version2"]'
alive "$pid"
echo "PASS: the index runs lpatch-hook; a one-thread process is switched at once only when its stack is clear (main on the stack: refused in $ms ms)"
