# `lpatch unload` when unpatching cannot finish: the patch replaces
# msleep_interruptible and is loaded first; then a test module's kthread
# (tests/fixtures/kmod/stall) goes to sleep inside the patched
# msleep_interruptible, so the unpatching transition cannot switch it.
# `lpatch unload --timeout 3` lists the stalled task (pid, comm lpatch_stall,
# its kernel stack in the patch module's msleep_interruptible), says the patch stays
# loaded and exits 4; the patch is still there, disabled and in transition
# (`lpatch status --json`: "unpatching"). Once the sleeper is gone (its
# module removed), `lpatch unload` again finishes and removes the module.
. "$(dirname "$0")/../lib.sh"
build_test_kmod stall
build_patch "$WORK/msleep.ko" msleep-stall.patch --name livepatch-msleep

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
P=/sys/kernel/livepatch/livepatch_msleep
lpatch load --timeout 10 msleep.ko || die "lpatch load failed: $?"
insmod lpatch_stall.ko || die "insmod lpatch_stall failed"
i=0
# the patch's msleep_interruptible: kallsyms may name it by lpatch's alias
# for it (__lpatch_new_0_0), but it is in the patch module
until grep -q 'lpatch_stall_thread' /proc/$(pidof lpatch_stall)/stack 2>/dev/null &&
	head -1 /proc/$(pidof lpatch_stall)/stack | grep -q '\[livepatch_msleep\]'; do
	i=$((i + 1)); [ $i -gt 50 ] && die "the kthread never slept in the patched msleep_interruptible: $(cat /proc/$(pidof lpatch_stall)/stack)"
	sleep 0.1
done
echo "sleeper pid $(pidof lpatch_stall)"
lpatch unload --timeout 3 livepatch-msleep; echo "stalled unload exit $?"
[ -d /sys/module/livepatch_msleep ] || die "module removed although unpatching stalled"
echo "after the stall: enabled=$(cat $P/enabled) transition=$(cat $P/transition)"
echo "STATUS $(lpatch status --json)"
rmmod lpatch_stall || die "rmmod lpatch_stall failed"
lpatch unload --timeout 10 livepatch-msleep; echo "second unload exit $?"
[ -d $P ] && die "patch still registered"
[ -d /sys/module/livepatch_msleep ] && die "module still loaded"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/stall/lpatch_stall.ko" "$WORK/msleep.ko"
cat "$WORK/out"
expect_contains "$WORK/out" GUEST-OK
pid=$(sed -n 's/^sleeper pid //p' "$WORK/out")
[ -n "$pid" ] || fail "no sleeper pid"
expect_contains "$WORK/out" "livepatch_msleep: transition to unpatched started"
expect_contains "$WORK/out" "livepatch_msleep: 1 task is still running the patched code:"
expect_contains "$WORK/out" "pid $pid tid $pid (lpatch_stall): patch_state 1, needs 0; kernel stack:"
# the patch's function shows under its own name in the stack, not an alias
grep -q 'msleep_interruptible+0x[0-9a-f]*/0x[0-9a-f]* \[livepatch_msleep\]' "$WORK/out" ||
	fail "the stalled task's stack does not name msleep_interruptible in livepatch_msleep"
grep -A2 "(lpatch_stall): patch_state" "$WORK/out" | has "\[livepatch_msleep\]" ||
	fail "the stalled task's stack does not show the patch's msleep_interruptible"
expect_contains "$WORK/out" "livepatch_msleep: unpatching did not finish in 3 s; the patch stays loaded and the kernel keeps trying"
expect_contains "$WORK/out" "run \`lpatch unload livepatch_msleep\` again later"
expect_contains "$WORK/out" "stalled unload exit 4"
expect_contains "$WORK/out" "after the stall: enabled=0 transition=1"
vm_json "$WORK/out" STATUS "$WORK/status.json"
json_is "$WORK/status.json" \
	'[.patches[] | select(.name == "livepatch_msleep") | [.state, .loaded, .enabled, .transition, .installed]]' \
	'[["unpatching",true,false,true,false]]'
expect_contains "$WORK/out" "unloaded livepatch_msleep"
expect_contains "$WORK/out" "second unload exit 0"
exit 0
