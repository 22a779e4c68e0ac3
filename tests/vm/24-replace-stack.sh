# Atomic replace (the default) and stacking (--no-replace), on one function.
# Replace: B takes over from A, A's sysfs directory goes, A can be removed.
# Stack: A and B both active, the newest (B) wins; disabling B gives A's
# behaviour back; disabling A under B leaves B's.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/a.ko" cmdline-A.patch --name livepatch-a
build_patch "$WORK/b.ko" cmdline-B.patch --name livepatch-b
build_patch "$WORK/bs.ko" cmdline-B.patch --name livepatch-bs --no-replace
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
shows() { grep -q "^lpatch-$1 " /proc/cmdline || die "$2: /proc/cmdline is '$(cat /proc/cmdline)', not patch $1's"; echo "$2: $1"; }
# replace
insmod a.ko || die "insmod a.ko failed"
lp_wait_transition livepatch_a
shows A "A loaded"
insmod b.ko || die "insmod b.ko failed"
lp_wait_transition livepatch_b
shows B "B replaced A"
lp_wait_gone livepatch_a 100
echo "A's sysfs directory is gone"
rmmod livepatch_a || die "rmmod of the replaced A failed"
echo "A removed"
lp_disable livepatch_b
rmmod livepatch_b || die "rmmod livepatch_b failed"
grep -q '^lpatch-' /proc/cmdline && die "still patched"
# stack
insmod a.ko || die "insmod a.ko (again) failed"
lp_wait_transition livepatch_a
insmod bs.ko || die "insmod bs.ko failed"
lp_wait_transition livepatch_bs
[ "$(cat /sys/kernel/livepatch/livepatch_a/enabled)" = 1 ] || die "A not enabled under B"
[ "$(cat /sys/kernel/livepatch/livepatch_bs/enabled)" = 1 ] || die "B not enabled"
shows B "stacked, both enabled"
lp_disable livepatch_bs
shows A "B disabled"
rmmod livepatch_bs || die "rmmod livepatch_bs failed"
insmod bs.ko || die "insmod bs.ko (again) failed"
lp_wait_transition livepatch_bs
shows B "B on A again"
lp_disable livepatch_a
shows B "A disabled under B"
lp_disable livepatch_bs
grep -q '^lpatch-' /proc/cmdline && die "still patched after both are disabled"
rmmod livepatch_a livepatch_bs || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/a.ko" "$WORK/b.ko" "$WORK/bs.ko"
for line in "B replaced A: B" "A's sysfs directory is gone" "A removed" "stacked, both enabled: B" \
	"B disabled: A" "A disabled under B: B" GUEST-OK; do
	expect_contains "$WORK/out" "$line"
done
