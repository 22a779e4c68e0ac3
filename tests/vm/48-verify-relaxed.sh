# Verification compares decoded instructions, not bytes (issue 12): kpatch's
# integration patches for kernel/reboot.c and net/core/dev.c (rhel-8.10's
# gcc-static-local-var-3 and data-read-mostly, rebased on Debian's 6.1) touch
# objects whose tail calls the assembler made 2-byte jumps in vmlinux's single
# .text (devm_unregister_sys_off_handler, deferred_cad, __netif_schedule) and
# 5-byte ones with a relocation under -ffunction-sections. Both build with
# verification on, and the modules load (the second replacing the first),
# transition and unload in the VM.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/reboot.ko" kpatch-reboot.patch --name livepatch-kp-reboot
expect_contains "$WORK/build.log" "kernel/reboot.o: verified against vmlinux:"
expect_not_contains "$WORK/build.log" "does not match"
expect_changes "$WORK/build.log" "kernel/reboot.o: changed deferred_cad" \
	"kernel/reboot.o: new function kpatch_bar"
build_patch "$WORK/dev.ko" kpatch-dev.patch --name livepatch-kp-dev
expect_contains "$WORK/build.log" "net/core/dev.o: verified against vmlinux:"
expect_not_contains "$WORK/build.log" "does not match"
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
insmod reboot.ko || die "insmod reboot.ko failed"
lp_wait_transition livepatch_kp_reboot
insmod dev.ko || die "insmod dev.ko failed"
lp_wait_transition livepatch_kp_dev
lp_wait_gone livepatch_kp_reboot
# packets through the patched __netif_receive_skb_core
ip link set lo up
ping -c 2 127.0.0.1 | grep "packets transmitted"
echo "replaced: $(ls /sys/kernel/livepatch)"
lp_disable livepatch_kp_dev
rmmod livepatch_kp_dev livepatch_kp_reboot || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/reboot.ko" "$WORK/dev.ko"
expect_contains "$WORK/out" "transition livepatch_kp_reboot: 0"
expect_contains "$WORK/out" "replaced: livepatch_kp_dev"
expect_contains "$WORK/out" "2 packets transmitted, 2 packets received"
expect_contains "$WORK/out" GUEST-OK
echo "PASS: reboot.c and dev.c verify against vmlinux and their modules load"
