# Callbacks on a module object: a patch of binfmt_misc declaring all four
# (lpatch.h) for that object. With binfmt_misc loaded, insmod runs pre-patch
# and post-patch; removing binfmt_misc under the enabled patch runs
# pre-unpatch and post-unpatch (the module going); loading it again runs
# pre-patch and post-patch (the module coming) and binfmt_misc is patched
# again, which on 6.1 needs lpatch's own clearing of the object's
# relocations (lpatch_clear_relocs, chained after the author's post-unpatch
# callback, see docs/kernel-builds.md); disabling the patch runs pre-unpatch
# and post-unpatch once more. Each callback logs its object and that module's
# state; the order is checked against the kernel's own messages in dmesg.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" binfmt-misc-callbacks.patch --name livepatch-bm-cb
expect_contains "$WORK/build.log" "fs/binfmt_misc.o: changed bm_status_read"
for k in pre_patch post_patch pre_unpatch post_unpatch; do
	expect_contains "$WORK/build.log" "fs/binfmt_misc.o: new function lpatch_cb_$k"
done
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
P=/sys/kernel/livepatch/livepatch_bm_cb
mark() { echo "lpatch-cb: -- $*" > /dev/kmsg; }

bm_load
[ "$(bm_status)" = enabled ] || die "before the patch: status is '$(bm_status)'"
mark insmod
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_bm_cb
[ "$(bm_status)" = "enabled (lpatch-cb)" ] || die "after insmod: status is '$(bm_status)'"
echo "patched: $(bm_status)"
mark rmmod binfmt_misc
bm_unload
[ "$(cat $P/binfmt_misc/patched)" = 0 ] || die "binfmt_misc object still patched after rmmod"
mark modprobe binfmt_misc
bm_load
[ "$(cat $P/binfmt_misc/patched)" = 1 ] || die "reloaded binfmt_misc not patched"
[ "$(bm_status)" = "enabled (lpatch-cb)" ] || die "reloaded under the patch: status is '$(bm_status)'"
echo "reloaded: $(bm_status)"
mark disable
lp_disable livepatch_bm_cb
[ "$(bm_status)" = enabled ] || die "after disable: status is '$(bm_status)'"
rmmod livepatch_bm_cb || die "rmmod livepatch_bm_cb failed"
bm_unload
dmesg | grep -E 'lpatch-cb: |livepatch: .*(applying patch|reverting patch|enabling patch|unpatching)|relocation' |
	sed 's/^\[[^]]*\] //; s/^[a-z_]*: lpatch-cb/lpatch-cb/' | sed 's/^/DMESG /'
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" GUEST-OK
expect_contains "$WORK/out" "patched: enabled (lpatch-cb)"
expect_contains "$WORK/out" "reloaded: enabled (lpatch-cb)"
expect_not_contains "$WORK/out" "invalid relocation target"
grep '^DMESG ' "$WORK/out"
got=$(sed -n 's/^DMESG lpatch-cb: //p' "$WORK/out")
want="-- insmod
pre-patch binfmt_misc (live)
post-patch binfmt_misc (live)
-- rmmod binfmt_misc
pre-unpatch binfmt_misc (going)
post-unpatch binfmt_misc (going)
-- modprobe binfmt_misc
pre-patch binfmt_misc (coming)
post-patch binfmt_misc (coming)
-- disable
pre-unpatch binfmt_misc (live)
post-unpatch binfmt_misc (live)"
[ "$got" = "$want" ] || { printf -- '--- got:\n%s\n--- expected:\n%s\n' "$got" "$want" >&2; fail "callbacks ran out of order"; }
# the kernel's messages fall between the callbacks: it applies the patch to
# the coming module before pre-patch, reverts it on the going module between
# pre-unpatch and post-unpatch
grep '^DMESG ' "$WORK/out" | awk '
	/-- rmmod/ { rm = NR } /-- modprobe/ { mp = NR }
	/pre-unpatch binfmt_misc \(going\)/ { preun = NR } /reverting patch .livepatch_bm_cb. on unloading module .binfmt_misc./ { rev = NR }
	/post-unpatch binfmt_misc \(going\)/ { postun = NR }
	/applying patch .livepatch_bm_cb. to loading module .binfmt_misc./ { app = NR } /pre-patch binfmt_misc \(coming\)/ { pre = NR }
	END { exit !(rm < preun && preun < rev && rev < postun && postun < mp && mp < app && app < pre) }' ||
	fail "callbacks out of order with the kernel messages"
echo "module object callbacks in order"
exit 0
