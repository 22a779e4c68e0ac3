# Verification compares decoded instructions, not bytes (issue 12): kpatch's
# integration patches for kernel/reboot.c, net/core/dev.c and kernel/audit.c (rhel-8.10's
# gcc-static-local-var-3 and data-read-mostly, rebased on Debian's 6.1) touch
# objects whose tail calls the assembler made 2-byte jumps in vmlinux's single
# .text (devm_unregister_sys_off_handler, deferred_cad, __netif_schedule) and
# 5-byte ones with a relocation under -ffunction-sections. Both build with
# verification on, and the modules load (each replacing the one before),
# transition and unload in the VM. audit.c's static locals (last_check, messages)
# bind by the functions that use them, not by the number GCC gave them.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/reboot.ko" kpatch-reboot.patch --name livepatch-kp-reboot
expect_contains "$WORK/build.log" "kernel/reboot.o: verified against vmlinux:"
expect_not_contains "$WORK/build.log" "does not match"
expect_changes "$WORK/build.log" "kernel/reboot.o: changed deferred_cad" \
	"kernel/reboot.o: new function kpatch_bar"
build_patch "$WORK/dev.ko" kpatch-dev.patch --name livepatch-kp-dev
expect_contains "$WORK/build.log" "net/core/dev.o: verified against vmlinux:"
expect_not_contains "$WORK/build.log" "does not match"
build_patch "$WORK/audit.ko" kpatch-audit.patch --name livepatch-kp-audit
expect_contains "$WORK/build.log" "kernel/audit.o: verified against vmlinux:"
# audit_rate_check() is inline: the call to kpatch_audit_foo() lands in each caller
expect_changes "$WORK/build.log" "kernel/audit.o: changed audit_log" \
	"kernel/audit.o: changed audit_log_config_change" "kernel/audit.o: changed audit_log_end" \
	"kernel/audit.o: changed audit_log_feature_change.part.0" \
	"kernel/audit.o: changed audit_log_multicast" "kernel/audit.o: changed audit_log_path_denied" \
	"kernel/audit.o: changed audit_log_start" "kernel/audit.o: changed audit_receive_msg" \
	"kernel/audit.o: changed audit_set_loginuid" "kernel/audit.o: new function audit_log_end.part.0" \
	"kernel/audit.o: new function kpatch_audit_check" "kernel/audit.o: new function kpatch_audit_foo"
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
insmod audit.ko || die "insmod audit.ko failed"
lp_wait_transition livepatch_kp_audit
lp_wait_gone livepatch_kp_dev
echo "then: $(ls /sys/kernel/livepatch)"
lp_disable livepatch_kp_audit
rmmod livepatch_kp_audit livepatch_kp_dev livepatch_kp_reboot || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/reboot.ko" "$WORK/dev.ko" "$WORK/audit.ko"
expect_contains "$WORK/out" "transition livepatch_kp_reboot: 0"
expect_contains "$WORK/out" "replaced: livepatch_kp_dev"
expect_contains "$WORK/out" "2 packets transmitted, 2 packets received"
expect_contains "$WORK/out" "transition livepatch_kp_audit: 0"
expect_contains "$WORK/out" "then: livepatch_kp_audit"
expect_contains "$WORK/out" GUEST-OK
echo "PASS: reboot.c, dev.c and audit.c verify against vmlinux and their modules load"
