# `lpatch load` loads the modules whose exports a livepatch uses (its
# .modinfo depends=, as modprobe does; finit_module and insmod load none):
# a patch of hid-alps's alps_sp_open, which calls hid_hw_open (exported by
# hid.ko), so the patch module has depends=hid. In the VM on the real kernel,
# hid not loaded: `lpatch load` modprobes hid, the patch goes live, and
# hid_alps's object is patched once hid-alps loads; `lpatch install` plus
# `load --all` (what boot runs) does the same. A copy whose depends= names a
# module the kernel lacks is refused by load (exit 1, the dependency named)
# and by install (exit 2). On both flavours (hid and hid-alps are modules in
# both). Without the fix: "Unknown symbol hid_hw_open", insmod fails.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/flavours.sh"
name=livepatch_hid_alps_sp_open
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
lp=livepatch_hid_alps_sp_open
rel=$(uname -r)
[ -d /sys/module/hid ] && die "hid is loaded before lpatch load: the test shows nothing"
lpatch load nodep.ko; echo "missing-dependency load exit $?"
[ -d /sys/module/$lp ] && die "loaded although its dependency did not load"
lpatch install nodep.ko; echo "missing-dependency install exit $?"
[ -e /var/lib/lpatch/$rel/$lp.ko ] && die "installed although its dependency is missing"
lpatch load lp.ko || die "lpatch load failed: $?"
[ -d /sys/module/hid ] || die "lpatch load did not load hid"
[ "$(cat /sys/kernel/livepatch/$lp/enabled)" = 1 ] || die "$lp is not enabled"
[ -d /sys/module/hid_alps ] && die "hid_alps loaded, though only hid was needed"
[ "$(cat /sys/kernel/livepatch/$lp/hid_alps/patched)" = 0 ] || die "hid_alps patched before it loaded"
modprobe hid-alps || die "modprobe hid-alps failed"
[ "$(cat /sys/kernel/livepatch/$lp/hid_alps/patched)" = 1 ] || die "hid_alps not patched after it loaded"
echo "LIVE $(ls /sys/kernel/livepatch/$lp/hid_alps | grep ,)"
lpatch unload $lp || die "lpatch unload failed"
rmmod hid_alps && rmmod hid || die "cannot remove hid_alps and hid"
echo "hid unloaded"
# the boot path: installed, then load --all
lpatch install lp.ko || die "lpatch install failed"
lpatch load --all || die "lpatch load --all failed: $?"
[ -d /sys/module/hid ] || die "lpatch load --all did not load hid"
[ "$(cat /sys/kernel/livepatch/$lp/enabled)" = 1 ] || die "$lp is not enabled after load --all"
echo "load --all: enabled"
lpatch unload $lp || die "lpatch unload after load --all failed"
echo GUEST-OK
G
ran=0
for TARGET in "${FLAVOURS[@]}"; do
	flavour_start "$TARGET" || continue
	build_patch "$WORK/lp.ko" hid-alps-sp-open.patch
	expect_changes "$WORK/build.log" "drivers/hid/hid-alps.o: changed alps_sp_open"
	[ "$(modinfo -F depends "$WORK/lp.ko")" = hid ] ||
		fail "the patch module's depends= is '$(modinfo -F depends "$WORK/lp.ko")', not hid"
	# the same module, its depends= naming a module no kernel has (same length)
	perl -0777 -pe 's/depends=hid\0/depends=hix\0/' "$WORK/lp.ko" >"$WORK/nodep.ko"
	[ "$(modinfo -F depends "$WORK/nodep.ko")" = hix ] || fail "could not make the copy with depends=hix"
	in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko" "$WORK/nodep.ko"
	cat "$WORK/out"
	expect_contains "$WORK/out" GUEST-OK
	expect_contains "$WORK/out" "livepatch $name needs module hix (it uses its exports): modprobe hix failed: "
	expect_contains "$WORK/out" "missing-dependency load exit 1"
	expect_contains "$WORK/out" "livepatch $name needs module hix (it uses its exports), which $REL does not have (/lib/modules/$REL/modules.dep does not list it)"
	expect_contains "$WORK/out" "missing-dependency install exit 2"
	expect_contains "$WORK/out" "LIVE alps_sp_open,1"
	expect_contains "$WORK/out" "load --all: enabled"
	expect_contains "$WORK/out" "1 of 1 installed patch loaded for $REL (0 failed)"
	ran=$((ran + 1))
done
flavours_ran $ran
echo "PASS: lpatch load brings in hid for a hid-alps patch on $ran flavour(s)"
