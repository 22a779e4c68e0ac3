# A fix inside a static function other functions call (override_release,
# called by the uname syscalls), and one patch touching two .c files.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/uname.ko" uname-static.patch --name livepatch-uname
build_patch "$WORK/two.ko" two-files.patch --name livepatch-two --no-replace
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
[ "$(uname -r)" = lpatch ] && die "uname patched before insmod"
insmod uname.ko || die "insmod uname.ko failed"
lp_wait_transition livepatch_uname
[ "$(uname -r)" = lpatch ] || die "uname -r is $(uname -r), not lpatch"
echo "uname -r: $(uname -r)"
insmod two.ko || die "insmod two.ko failed"
lp_wait_transition livepatch_two
grep -q '^lpatch-cmdline ' /proc/cmdline || die "cmdline not patched"
grep -q '^lpatch-version ' /proc/version || die "version not patched"
echo "both files patched"
lp_disable livepatch_two
lp_disable livepatch_uname
[ "$(uname -r)" = lpatch ] && die "uname still patched"
grep -q lpatch /proc/version /proc/cmdline && die "still patched after disable"
rmmod livepatch_two livepatch_uname || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/uname.ko" "$WORK/two.ko"
expect_contains "$WORK/out" "uname -r: lpatch"
expect_contains "$WORK/out" "both files patched"
expect_contains "$WORK/out" GUEST-OK
