# A transition that cannot finish: a test module's kthread sleeps inside
# msleep_interruptible() and the patch replaces msleep_interruptible (a
# vmlinux function; patches to an out-of-tree module's own functions would
# need module targets built from the module's source). `lpatch load --timeout
# 3` reports the stalled task (pid, comm lpatch_stall, its kernel stack with
# msleep_interruptible), reverses the transition, removes the module, says
# why, and exits 4; the kernel is left unpatched and clean. Then
# `--force --yes-i-know` forces the same transition through.
. "$(dirname "$0")/../lib.sh"
build_test_kmod stall
build_patch "$WORK/msleep.ko" msleep-stall.patch --name livepatch-msleep

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
insmod lpatch_stall.ko || die "insmod lpatch_stall failed"
i=0
until grep -q msleep_interruptible /proc/$(pidof lpatch_stall)/stack 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 50 ] && die "the kthread never slept in msleep_interruptible"
	sleep 0.1
done
echo "sleeper pid $(pidof lpatch_stall)"
lpatch load --timeout 3 msleep.ko; echo "stalled load exit $?"
[ -d /sys/kernel/livepatch/livepatch_msleep ] && die "patch still registered after backing out"
[ -d /sys/module/livepatch_msleep ] && die "module still loaded after backing out"
for f in /proc/[0-9]*/task/*/patch_state; do
	[ "$(cat $f 2>/dev/null)" = -1 ] || [ ! -e $f ] || die "$f is $(cat $f) after backing out"
done
echo "backed out clean"
lpatch load --timeout 2 --force msleep.ko; echo "force without confirmation exit $?"
lpatch load --timeout 2 --force --yes-i-know msleep.ko; echo "forced load exit $?"
echo "forced: enabled=$(cat /sys/kernel/livepatch/livepatch_msleep/enabled) transition=$(cat /sys/kernel/livepatch/livepatch_msleep/transition)"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/stall/lpatch_stall.ko" "$WORK/msleep.ko"
cat "$WORK/out"
expect_contains "$WORK/out" GUEST-OK
pid=$(sed -n 's/^sleeper pid //p' "$WORK/out")
[ -n "$pid" ] || fail "no sleeper pid"
expect_contains "$WORK/out" "livepatch_msleep: 1 task is still running the old code:"
expect_contains "$WORK/out" "pid $pid tid $pid (lpatch_stall): patch_state 0, needs 1; kernel stack:"
grep -A6 "(lpatch_stall): patch_state" "$WORK/out" | has "msleep_interruptible" ||
	fail "the stalled task's stack does not show msleep_interruptible"
expect_contains "$WORK/out" "giving up; reversing the transition"
expect_contains "$WORK/out" "livepatch_msleep was not applied: 1 task stayed in the functions it replaces for 3 s"
expect_contains "$WORK/out" "the patch was disabled and its module removed (nothing changed)"
expect_contains "$WORK/out" "stalled load exit 4"
expect_contains "$WORK/out" "backed out clean"
expect_contains "$WORK/out" "add --yes-i-know to confirm"
expect_contains "$WORK/out" "force without confirmation exit 2"
expect_contains "$WORK/out" "forcing the transition (--force)"
expect_contains "$WORK/out" "forced load exit 0"
expect_contains "$WORK/out" "forced: enabled=1 transition=0"
exit 0
