# Issue 13's Done-when on Debian 13 (6.12, gcc-14 in the trixie build root),
# in one VM boot and four builds: a patch of a loadable module (binfmt_misc,
# with a static of the module bound through a klp symbol) and a vmlinux
# function declaring the four callbacks, with the module loaded before the
# patch, removed and loaded again under it, and loaded after it, the
# callbacks in order each time; shadow variables with a post-unpatch
# callback (the newpid line of /proc/PID/status); an atomic replace pair (B
# takes over from A, A's directory goes). 6.12's call padding puts a static
# callback 16 bytes into its section (the marker's relocation says +16),
# and the -dbg package names modules .ko where modules.dep has .ko.xz.
# Runs in CI.
. "$(dirname "$0")/../lib.sh"
TARGET=${LPATCH_TEST_TRIXIE:-debian13:cloud}

lp_ok "$WORK/build.log" "lpatch build of the module patch" \
	build --target "$TARGET" -o "$WORK/mod.ko" --name livepatch-mod \
	"$TOP/tests/vm/patches/binfmt-misc-status-6.12.patch" \
	"$TOP/tests/vm/patches/callbacks-lpatch-6.12.patch"
cat "$WORK/build.log"
expect_contains "$WORK/build.log" "fs/binfmt_misc.o: verified against binfmt_misc"
expect_contains "$WORK/build.log" "fs/binfmt_misc.o: changed bm_status_read"
readelf -SW "$WORK/mod.ko" | has '\.klp\.rela\.binfmt_misc\.' ||
	fail "no .klp.rela.binfmt_misc.* section in the module"
readelf -sW "$WORK/mod.ko" | has '\.klp\.sym\.binfmt_misc\.bm_fs_type,0' ||
	fail "the static bm_fs_type of binfmt_misc is not bound through a klp symbol"
build_patch "$WORK/newpid.ko" shadow-newpid.patch --name livepatch-newpid
expect_contains "$WORK/build.log" "kernel/fork.o: verified against vmlinux"
expect_contains "$WORK/build.log" "kernel/fork.o: new data __lpatch_callback_post_unpatch"
build_patch "$WORK/a.ko" cmdline-A.patch --name livepatch-a
build_patch "$WORK/b.ko" cmdline-B.patch --name livepatch-b

cat >"$WORK/guest.sh" <<'G'
. ./guest-lib.sh
P=/sys/kernel/livepatch/livepatch_mod
# 1. the module patch: binfmt_misc loaded before the patch
bm_load
[ "$(bm_status)" = enabled ] || die "before the patch: status is '$(bm_status)'"
insmod mod.ko || die "insmod mod.ko failed"
lp_wait_transition livepatch_mod
[ "$(bm_status)" = "enabled (lpatch)" ] || die "module loaded before the patch: status is '$(bm_status)'"
grep -q '^lpatch-cb ' /proc/cmdline || die "vmlinux part not live"
echo "module before: $(bm_status)"
bm_reload_patched livepatch_mod
lp_disable livepatch_mod
[ "$(bm_status)" = enabled ] || die "after disable: status is '$(bm_status)'"
rmmod livepatch_mod || die "rmmod livepatch_mod failed"
bm_unload
# binfmt_misc loaded after the patch: the patch waits, then patches it as it comes
insmod mod.ko || die "second insmod mod.ko failed"
lp_wait_transition livepatch_mod
[ "$(cat $P/binfmt_misc/patched)" = 0 ] || die "binfmt_misc object patched while not loaded"
bm_load
[ "$(cat $P/binfmt_misc/patched)" = 1 ] || die "binfmt_misc object not patched as it came"
[ "$(bm_status)" = "enabled (lpatch)" ] || die "module loaded after the patch: status is '$(bm_status)'"
echo "module after: $(bm_status)"
lp_disable livepatch_mod
rmmod livepatch_mod || die "last rmmod livepatch_mod failed"
bm_unload
dmesg | grep 'lpatch-cb: ' | sed 's/^\[[^]]*\] //; s/^/DMESG /'

# 2. shadow variables and a post-unpatch callback
newpid_case newpid.ko

# 3. atomic replace: B takes over from A
insmod a.ko || die "insmod a.ko failed"
lp_wait_transition livepatch_a
grep -q '^lpatch-A ' /proc/cmdline || die "A not live: $(cat /proc/cmdline)"
insmod b.ko || die "insmod b.ko failed"
lp_wait_transition livepatch_b
grep -q '^lpatch-B ' /proc/cmdline || die "B did not replace A: $(cat /proc/cmdline)"
lp_wait_gone livepatch_a 100
rmmod livepatch_a || die "rmmod of the replaced A failed"
echo "replaced: A gone, B live"
lp_disable livepatch_b
rmmod livepatch_b || die "rmmod livepatch_b failed"
grep -q '^lpatch-' /proc/cmdline && die "still patched"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/mod.ko" "$WORK/newpid.ko" "$WORK/a.ko" "$WORK/b.ko"
cat "$WORK/out"
expect_contains "$WORK/out" "module before: enabled (lpatch)"
expect_contains "$WORK/out" "reloaded: enabled (lpatch)"
expect_contains "$WORK/out" "module after: enabled (lpatch)"
expect_not_contains "$WORK/out" "invalid relocation target"
grep -E '^new task ([0-9]+): newpid: \1$' "$WORK/out" >/dev/null || fail "no newpid line matching its task"
expect_contains "$WORK/out" "shadow variables freed"
got=$(sed -n 's/^DMESG lpatch-cb: //p' "$WORK/out" | tr '\n' ' ')
# the vmlinux object's, once per enable and disable (the module's coming
# and going are the binfmt_misc object's business)
want="pre-patch vmlinux post-patch vmlinux pre-unpatch vmlinux post-unpatch vmlinux "
want="$want$want"
[ "$got" = "$want" ] || fail "callbacks ran as '$got', expected '$want'"
expect_contains "$WORK/out" "replaced: A gone, B live"
expect_contains "$WORK/out" GUEST-OK
