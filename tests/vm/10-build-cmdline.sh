# Replacing cmdline_proc_show: /proc/cmdline changes after insmod, the
# transition reaches 0, it is restored after disable, and rmmod succeeds.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" cmdline.patch --name livepatch-cmdline
# the original object was checked against the target's own code
expect_contains "$WORK/build.log" "fs/proc/cmdline.o: verified against vmlinux: 2 functions identical"
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
grep -q lpatch-cmdline /proc/cmdline && die "patched before insmod"
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_cmdline
grep -q '^lpatch-cmdline ' /proc/cmdline || die "cmdline not patched: $(cat /proc/cmdline)"
echo "patched: $(cat /proc/cmdline)"
lp_disable livepatch_cmdline
grep -q lpatch-cmdline /proc/cmdline && die "still patched after disable"
rmmod livepatch_cmdline || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "patched: lpatch-cmdline"
expect_contains "$WORK/out" "transition livepatch_cmdline: 0"
expect_contains "$WORK/out" GUEST-OK
