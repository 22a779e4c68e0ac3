# Issue 12, "done when": the kernel cases from kpatch's integration patches
# that apply to Debian's 6.1 build and load in `lpatch vm` on both flavours.
# Already covered elsewhere: reboot.c, dev.c and audit.c on cloud (tests/vm/48),
# xfs_stats.c with af_netlink.c on both (62), kvm/x86.c on both (63: no
# functional change, nothing to load). Here the rest, per flavour, in one VM
# boot each (load-each-guest.sh: each module goes live, is used, and unloads):
# - both: meminfo.c with cmdline.c (kpatch's new-globals.patch): meminfo.c
#   calls kpatch_print_message(), a new global the patch's cmdline.o defines:
#   it binds inside the patch module, vmlinux to vmlinux (point 3);
# - generic: reboot.c, dev.c and audit.c, verified against its vmlinux (tail
#   calls the assembler made 2-byte jumps there, 5-byte ones here).
# lpatch-test: long: builds on both flavours and boots each (56 s warm); cloud's reboot.c, dev.c and audit.c run in CI as vm/48, the new-globals class as a unit case
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/flavours.sh"
ran=0
for TARGET in "${FLAVOURS[@]}"; do
	flavour_start "$TARGET" || continue
	rm -rf "$WORK/ko" && mkdir -p "$WORK/ko" || fail "cannot make $WORK/ko"
	build_patch "$WORK/ko/livepatch-kp-globals.ko" kpatch-new-globals.patch \
		--name livepatch-kp-globals
	expect_contains "$WORK/build.log" "fs/proc/meminfo.o: verified against vmlinux"
	expect_contains "$WORK/build.log" "fs/proc/cmdline.o: verified against vmlinux"
	expect_changes "$WORK/build.log" "fs/proc/meminfo.o: changed meminfo_proc_show" \
		"fs/proc/cmdline.o: new function kpatch_print_message"
	n=1
	case $REL in
	*-cloud-*) ;;
	*)
		build_patch "$WORK/ko/livepatch-kp-reboot.ko" kpatch-reboot.patch \
			--name livepatch-kp-reboot
		expect_contains "$WORK/build.log" "kernel/reboot.o: verified against vmlinux:"
		expect_changes "$WORK/build.log" "kernel/reboot.o: changed deferred_cad" \
			"kernel/reboot.o: new function kpatch_bar"
		build_patch "$WORK/ko/livepatch-kp-dev.ko" kpatch-dev.patch --name livepatch-kp-dev
		expect_contains "$WORK/build.log" "net/core/dev.o: verified against vmlinux:"
		build_patch "$WORK/ko/livepatch-kp-audit.ko" kpatch-audit.patch \
			--name livepatch-kp-audit
		expect_contains "$WORK/build.log" "kernel/audit.o: verified against vmlinux:"
		expect_contains "$WORK/build.log" "kernel/audit.o: new function kpatch_audit_foo"
		n=4
		;;
	esac
	# under each patch: /proc/meminfo (the patched meminfo_proc_show calls
	# into the patch's own kpatch_print_message) and packets through lo
	cat > "$WORK/exercise.sh" <<'G'
grep -q '^MemTotal:' /proc/meminfo || die "no MemTotal in /proc/meminfo"
ip link set lo up && ping -c 1 127.0.0.1 >/dev/null || die "no packets through lo"
echo "USED $ko"
G
	in_vm "$WORK/out" "$TOP/tests/vm/load-each-guest.sh" "$WORK/exercise.sh" "$WORK"/ko/*.ko
	expect_contains "$WORK/out" "LIVE livepatch-kp-globals.ko vmlinux: "
	expect_contains "$WORK/out" "USED livepatch-kp-globals.ko"
	expect_contains "$WORK/out" "GUEST-OK $n"
	ran=$((ran + 1))
done
flavours_ran $ran
echo "PASS: kpatch's kernel cases build and load on $ran flavour(s)"
