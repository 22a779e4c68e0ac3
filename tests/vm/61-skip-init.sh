# A fix that changes a runtime function and an __init function of the same
# file (issue 12, point 7): refused as a whole by default (the message points
# at --skip-init); with --skip-init the runtime part is carried, the init
# function is named as left out, and the module works in the VM.
. "$(dirname "$0")/../lib.sh"
"$LPATCH" build --target "$TARGET" -o "$WORK/refused.ko" \
	"$TOP/tests/vm/patches/cmdline-init.patch" >"$WORK/refused.log" 2>&1
st=$?
[ $st = 2 ] || { cat "$WORK/refused.log"; fail "without --skip-init: exit $st, expected 2 (refused)"; }
expect_contains "$WORK/refused.log" "fs/proc/cmdline.o: refused: 'proc_cmdline_init' is init code or data (.init.text)"
expect_contains "$WORK/refused.log" "--skip-init carries the rest"
[ -e "$WORK/refused.ko" ] && fail "a refused build wrote a module"
build_patch "$WORK/lp.ko" cmdline-init.patch --name livepatch-skip-init --skip-init
expect_changes "$WORK/build.log" "fs/proc/cmdline.o: changed cmdline_proc_show"
expect_contains "$WORK/build.log" "fs/proc/cmdline.o: note: --skip-init: left out the init function 'proc_cmdline_init' (.init.text), which changes"
expect_not_contains "$WORK/build.log" "refused"
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_skip_init
echo "patched: $(cat /proc/cmdline)"
dmesg | grep -q "lpatch: creating /proc/cmdline" && die "the left-out init code ran"
lp_disable livepatch_skip_init
rmmod livepatch_skip_init || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "patched: lpatch-skip-init "
expect_contains "$WORK/out" GUEST-OK
echo "PASS: --skip-init carries the runtime change and names the init function left out"
