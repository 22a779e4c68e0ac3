# A kernel problem fails lpatch vm and is named: a module whose init hits
# WARN_ON(1) loads fine (insmod exits 0), yet lpatch vm exits 125 and shows
# the WARNING; a module whose init dereferences NULL oopses (insmod is
# killed) and the BUG/Oops is shown; a panic ends the VM with 125 too.
. "$(dirname "$0")/../lib.sh"

build_test_kmod warn
build_test_kmod oops

# WARN_ON in init: the command succeeds, the kernel does not
"$LPATCH" vm --target "$TARGET" --copy "$WORK/warn/lpatch_warn.ko" \
	-- sh -c 'insmod lpatch_warn.ko && grep -c "^lpatch_warn " /proc/modules' >"$WORK/out" 2>"$WORK/err"
st=$?
cat "$WORK/err"
[ "$st" -eq 125 ] || fail "a WARN made lpatch vm exit $st, not 125"
[ "$(cat "$WORK/out")" = 1 ] || fail "the module did not stay loaded: '$(cat "$WORK/out")'"
expect_contains "$WORK/err" "the kernel reported a problem: WARNING: CPU:"
expect_contains "$WORK/err" "lpatch_warn_init"
expect_contains "$WORK/err" "Call Trace:"

# NULL dereference in init: an oops; insmod dies, its status comes back
"$LPATCH" vm --target "$TARGET" --copy "$WORK/oops/lpatch_oops.ko" \
	-- insmod lpatch_oops.ko >"$WORK/out" 2>"$WORK/err"
st=$?
cat "$WORK/err"
[ "$st" -ne 0 ] || fail "an oops left lpatch vm exiting 0"
[ "$st" -ne 125 ] && [ "$st" -ne 124 ] || fail "insmod's own status was lost (exit $st)"
expect_contains "$WORK/err" "BUG: kernel NULL pointer dereference"
expect_contains "$WORK/err" "Oops:"
expect_contains "$WORK/err" "lpatch_oops_init"
expect_contains "$WORK/err" "the kernel reported a problem"

# a panic: the command never finishes, the VM stops at once
"$LPATCH" vm --target "$TARGET" -- sh -c 'echo c >/proc/sysrq-trigger; sleep 60' >"$WORK/out" 2>"$WORK/err"
st=$?
cat "$WORK/err"
[ "$st" -eq 125 ] || fail "a panic made lpatch vm exit $st, not 125"
expect_contains "$WORK/err" "Kernel panic - not syncing"
expect_contains "$WORK/err" "the kernel panicked before the command finished"
exit 0
