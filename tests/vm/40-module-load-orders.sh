# A patch of a loadable module (binfmt_misc, with a reference to its static
# `enabled`) together with a vmlinux function, in the three load orders:
# the module not loaded when the patch loads (the patch waits for it), loaded
# after the patch (patched as it loads), loaded before the patch; and the
# module removed and loaded again while the patch stays enabled (6.1's
# livepatch core does not clear the module's relocations when it goes:
# lpatch's module does, see docs/kernel-builds.md).
. "$(dirname "$0")/../lib.sh"
lp_ok "$WORK/build.log" "lpatch build" \
	build --target "$TARGET" -o "$WORK/lp.ko" --name livepatch-mod \
	"$TOP/tests/vm/patches/binfmt-misc-status.patch" "$TOP/tests/vm/patches/cmdline.patch"
expect_contains "$WORK/build.log" "fs/binfmt_misc.o: verified against binfmt_misc"
expect_contains "$WORK/build.log" "fs/binfmt_misc.o: changed bm_status_read"
readelf -SW "$WORK/lp.ko" | grep '\.klp\.rela\.binfmt_misc\.' >/dev/null ||
	fail "no .klp.rela.binfmt_misc.* section in the module"
readelf -sW "$WORK/lp.ko" | grep '\.klp\.sym\.binfmt_misc\.enabled,0' >/dev/null ||
	fail "the static 'enabled' of binfmt_misc is not bound through a klp symbol"
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
P=/sys/kernel/livepatch/livepatch_mod

# 1. not loaded: the patch loads, its binfmt_misc object waits
grep -q binfmt_misc /proc/modules && die "binfmt_misc loaded before the test"
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_mod
[ "$(cat $P/binfmt_misc/patched)" = 0 ] || die "binfmt_misc object patched while not loaded"
[ "$(cat $P/vmlinux/patched)" = 1 ] || die "vmlinux object not patched"
grep -q '^lpatch-cmdline ' /proc/cmdline || die "vmlinux part not live"
echo "order 1: module absent, patch loaded"
# 2. loaded after the patch: patched as it comes
bm_load
[ "$(bm_status)" = "enabled (lpatch)" ] || die "module loaded after the patch: status is '$(bm_status)'"
[ "$(cat $P/binfmt_misc/patched)" = 1 ] || die "binfmt_misc object not marked patched"
echo "order 2: $(bm_status)"
# removed and loaded again while the patch stays
bm_reload_patched livepatch_mod
# 3. loaded before the patch
lp_disable livepatch_mod
rmmod livepatch_mod || die "rmmod failed"
[ "$(bm_status)" = enabled ] || die "after disable: status is '$(bm_status)'"
bm_unload
bm_load
[ "$(bm_status)" = enabled ] || die "fresh module: status is '$(bm_status)'"
insmod lp.ko || die "second insmod failed"
lp_wait_transition livepatch_mod
[ "$(bm_status)" = "enabled (lpatch)" ] || die "module loaded before the patch: status is '$(bm_status)'"
echo "order 3: $(bm_status)"
lp_disable livepatch_mod
[ "$(bm_status)" = enabled ] || die "after the last disable: status is '$(bm_status)'"
rmmod livepatch_mod || die "last rmmod failed"
bm_unload
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "order 1: module absent, patch loaded"
expect_contains "$WORK/out" "order 2: enabled (lpatch)"
expect_contains "$WORK/out" "reloaded: enabled (lpatch)"
expect_contains "$WORK/out" "order 3: enabled (lpatch)"
expect_contains "$WORK/out" GUEST-OK
