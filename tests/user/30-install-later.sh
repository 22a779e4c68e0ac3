#!/usr/bin/env bash
# lpatch install --user: a process that starts later calls the patched function
# first thing in main and gets the new code on that first call; uninstall stops
# it (and with --revert takes it out of the running ones); a broken hook never
# stops a process from starting. In a private mount namespace (install-lib.sh).
source "$(dirname "$0")/install-lib.sh"
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
private_etc

project later
user_build "$WORK/v2.lpatch" "$SRC/later" "$SRC/version2.patch"
"$SRC/later" >"$WORK/before.out" || fail "later failed before the install"
expect_contains "$WORK/before.out" "first call: version 1"

lp_ok "$WORK/install.log" "install --user" install --user "$WORK/v2.lpatch"
cat "$WORK/install.log"
expect_contains "$WORK/install.log" "installed process patch version2"
[ -f "$LPATCH_ROOT/user/version2.lpatch" ] || fail "no version2.lpatch in the store"
grep -qx "$LPATCH_ROOT/user/liblpatch-preload.so" /etc/ld.so.preload ||
	fail "/etc/ld.so.preload does not name the hook: $(cat /etc/ld.so.preload 2>&1)"
host_untouched

# The very first call, first thing in main, runs the patched code.
for i in 1 2 3; do
	"$SRC/later" >"$WORK/after.out" || fail "later failed with the patch installed"
	expect_contains "$WORK/after.out" "first call: version 2"
done
# Processes that do not map the object start as before.
sh -c 'echo still starts' >"$WORK/sh.out" || fail "sh failed with the hook installed"
expect_contains "$WORK/sh.out" "still starts"

start one "$SRC/later" wait; one=$PID
wait_line "$WORK/one.out" "first call: version 2"
"$LPATCH" ps --json >"$WORK/ps.json" || fail "ps failed"
json_is "$WORK/ps.json" "[.[] | select(.pid == $one) | .patches[] | select(.state == \"active\") | .name]" '["version2"]'

# uninstall: new processes run the old code; the running one keeps the patch
lp_ok "$WORK/uninstall.log" "uninstall --user" uninstall --user version2
"$SRC/later" >"$WORK/after-uninstall.out" || fail "later failed after the uninstall"
expect_contains "$WORK/after-uninstall.out" "first call: version 1"
[ ! -e /etc/ld.so.preload ] || fail "/etc/ld.so.preload is left after the last uninstall: $(cat /etc/ld.so.preload)"
[ ! -e "$LPATCH_ROOT/user/version2.lpatch" ] || fail "the patch file is left in the store"
"$LPATCH" ps --pid "$one" --json >"$WORK/ps.json" || fail "ps failed"
json_is "$WORK/ps.json" "[.[0].patches[] | select(.state == \"active\") | .name]" '["version2"]'

# uninstall --revert: out of the running processes too
lp_ok "$WORK/install2.log" "install --user (again)" install --user "$WORK/v2.lpatch"
start two "$SRC/later" wait; two=$PID
wait_line "$WORK/two.out" "first call: version 2"
lp_ok "$WORK/uninstall2.log" "uninstall --user --revert" uninstall --user --revert version2
cat "$WORK/uninstall2.log"
expect_contains "$WORK/uninstall2.log" "reverted version2 in process $one"
expect_contains "$WORK/uninstall2.log" "reverted version2 in process $two"
for p in "$one" "$two"; do
	alive "$p"
	expect_unpatched "$p"
done

# A hook that cannot run lpatch: the program starts all the same, unpatched,
# and ps says why.
lp_ok "$WORK/install3.log" "install --user (third)" install --user "$WORK/v2.lpatch"
sed -i "s|^lpatch .*|lpatch $WORK/no-such-lpatch|" "$LPATCH_ROOT/user/index"
"$SRC/later" >"$WORK/broken.out" 2>&1 || fail "later did not start with a broken hook"
expect_contains "$WORK/broken.out" "first call: version 1"
start three "$SRC/later" wait; three=$PID
wait_line "$WORK/three.out" "first call: version 1"
"$LPATCH" ps --pid "$three" >"$WORK/ps3.txt" || fail "ps failed"
cat "$WORK/ps3.txt"
expect_contains "$WORK/ps3.txt" "is not patched with version2: the start-up hook's lpatch failed"
lp_ok "$WORK/uninstall3.log" "uninstall --user (third)" uninstall --user version2
host_untouched
echo "PASS: installed process patch runs from the first call of a process started later; uninstall stops it"
