# kpatch's module integration patch (test/integration/linux-6.2.0/module.patch,
# applies to Debian's 6.1 as it is): fs/xfs/xfs_stats.c (module xfs) calls
# kpatch_string(), a new function the same patch adds to vmlinux's
# net/netlink/af_netlink.c, and uses alternatives, paravirt, pr_debug and
# static branches (vmlinux's memcg_kmem_enabled_key, its own new key). Issue
# 12: xfs_stats.c's static local (xstats.0 in the target, another number in
# the patched build) binds by use. Built and loaded on both flavours, xfs
# loaded after the patch and before it; /sys/fs/xfs/stats/stats shows the
# patched format, and the patch's pr_debug fires once enabled.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/flavours.sh"
ran=0
for TARGET in "${FLAVOURS[@]}"; do
	flavour_start "$TARGET" || continue
	build_patch "$WORK/lp.ko" kpatch-module-xfs-netlink.patch --name livepatch-kp-module
	expect_contains "$WORK/build.log" "fs/xfs/xfs_stats.o: verified against xfs"
	expect_contains "$WORK/build.log" "net/netlink/af_netlink.o: verified against vmlinux"
	expect_changes "$WORK/build.log" "fs/xfs/xfs_stats.o: changed xfs_stats_format" \
		"fs/xfs/xfs_stats.o: new data kpatch_key.1" "net/netlink/af_netlink.o: new function kpatch_string"
	cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
P=/sys/kernel/livepatch/livepatch_kp_module
mount -t debugfs nodev /sys/kernel/debug 2>/dev/null
grep -q '^xfs ' /proc/modules && die "xfs loaded before the test"
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_kp_module
[ "$(cat $P/xfs/patched)" = 0 ] || die "xfs object patched while not loaded"
modprobe xfs || die "modprobe xfs failed"
[ "$(cat $P/xfs/patched)" = 1 ] || die "xfs object not patched when it loaded"
tail -1 /sys/fs/xfs/stats/stats | sed 's/^/after: /'
echo "file fs/xfs/xfs_stats.c +p" > /sys/kernel/debug/dynamic_debug/control || die "dyndbg control"
cat /sys/fs/xfs/stats/stats >/dev/null
dmesg | grep -q "kpatch: pr_debug() test" && echo "pr_debug fired"
lp_disable livepatch_kp_module
rmmod livepatch_kp_module || die "rmmod failed"
grep -q kpatch /sys/fs/xfs/stats/stats && die "still patched after disable"
insmod lp.ko || die "second insmod failed"
lp_wait_transition livepatch_kp_module
tail -1 /sys/fs/xfs/stats/stats | sed 's/^/before: /'
lp_disable livepatch_kp_module
rmmod livepatch_kp_module || die "last rmmod failed"
rmmod xfs || die "rmmod xfs failed"
echo GUEST-OK
G
	in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
	expect_contains "$WORK/out" "after: kpatch"
	expect_contains "$WORK/out" "pr_debug fired"
	expect_contains "$WORK/out" "before: kpatch"
	expect_contains "$WORK/out" GUEST-OK
	ran=$((ran + 1))
done
flavours_ran $ran
echo "PASS: kpatch's module patch (xfs_stats.c with af_netlink.c) on $ran flavour(s)"
