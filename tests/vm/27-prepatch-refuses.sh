# A pre-patch callback that returns an error blocks the patch.
# vmlinux object: the kernel runs the callback while enabling the patch, so
# insmod fails with the callback's error (-ENODEV) and nothing stays: no
# /sys/kernel/livepatch entry, no module, /proc/cmdline unchanged; `lpatch
# load` says so with the kernel's reason and exits 1.
# Module object (binfmt_misc): the patch loads while binfmt_misc is absent
# (callbacks run only for loaded objects); loading binfmt_misc then is
# refused by 6.1's livepatch core ("refusing to load module") while the patch
# stays enabled, and refused again by the callback on every later try (6.1
# leaves the relocations it wrote before the callback; lpatch's pre-patch
# wrapper clears them, otherwise the next try fails with "existing value is
# nonzero" without asking the callback); once the patch is gone binfmt_misc
# loads unpatched; with binfmt_misc loaded first, insmod of the patch fails.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/vm.ko" cmdline-prepatch-fail.patch --name livepatch-refuse-vm
build_patch "$WORK/bm.ko" binfmt-misc-prepatch-fail.patch --name livepatch-refuse-bm
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
no_trace() {
	[ -d /sys/kernel/livepatch/$1 ] && die "$1 is registered"
	grep -q "^$1 " /proc/modules && die "module $1 stayed loaded"
	return 0
}

# vmlinux
before=$(cat /proc/cmdline)
insmod vm.ko 2>&1; echo "vmlinux insmod exit $?"
no_trace livepatch_refuse_vm
[ "$(cat /proc/cmdline)" = "$before" ] || die "cmdline changed: $(cat /proc/cmdline)"
lpatch load vm.ko; echo "vmlinux lpatch load exit $?"
no_trace livepatch_refuse_vm
[ "$(cat /proc/cmdline)" = "$before" ] || die "cmdline changed: $(cat /proc/cmdline)"
echo "vmlinux: nothing patched"

# module object, patch first
grep -q binfmt_misc /proc/modules && die "binfmt_misc loaded before the test"
insmod bm.ko || die "insmod bm.ko (binfmt_misc absent) failed"
lp_wait_transition livepatch_refuse_bm
for try in 1 2; do
	modprobe binfmt_misc 2>&1; echo "modprobe $try under the patch exit $?"
	grep -q '^binfmt_misc ' /proc/modules && die "binfmt_misc loaded under the patch"
done
echo "under the patch: enabled=$(cat /sys/kernel/livepatch/livepatch_refuse_bm/enabled) patched=$(cat /sys/kernel/livepatch/livepatch_refuse_bm/binfmt_misc/patched)"
lp_disable livepatch_refuse_bm
rmmod livepatch_refuse_bm || die "rmmod livepatch_refuse_bm failed"
bm_load
echo "without the patch: $(bm_status)"
# module object, module first
insmod bm.ko 2>&1; echo "insmod with binfmt_misc loaded exit $?"
no_trace livepatch_refuse_bm
echo "module first: $(bm_status)"
bm_unload
dmesg | grep -E 'lpatch-refuse: |livepatch: ' | sed 's/^\[[^]]*\] //; s/^[a-z_]*: lpatch-refuse/lpatch-refuse/' | sed 's/^/DMESG /'
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/vm.ko" "$WORK/bm.ko"
cat "$WORK/out"
expect_contains "$WORK/out" GUEST-OK
# vmlinux
expect_contains "$WORK/out" "insmod: can't insert 'vm.ko': No such device"
expect_contains "$WORK/out" "vmlinux insmod exit 19"
expect_contains "$WORK/out" "DMESG livepatch: pre-patch callback failed for object 'vmlinux'"
expect_contains "$WORK/out" "DMESG livepatch: failed to enable patch 'livepatch_refuse_vm'"
expect_contains "$WORK/out" "vmlinux lpatch load exit 1"
expect_contains "$WORK/out" "vmlinux: nothing patched"
# module object, patch first: the module is refused, each time by the callback
expect_contains "$WORK/out" "modprobe 1 under the patch exit 1"
expect_contains "$WORK/out" "modprobe 2 under the patch exit 1"
expect_contains "$WORK/out" "under the patch: enabled=1 patched=0"
tries=$(grep -c "^DMESG livepatch: patch 'livepatch_refuse_bm' failed for module 'binfmt_misc', refusing to load module 'binfmt_misc'" "$WORK/out")
asked=$(awk '/^DMESG livepatch: applying patch .livepatch_refuse_bm. to loading module/ { a = 1; next }
	a && /^DMESG lpatch-refuse: pre-patch binfmt_misc refuses/ { n++ } { a = 0 } END { print n + 0 }' "$WORK/out")
[ "$tries" -ge 2 ] || fail "binfmt_misc was refused $tries times, expected at least 2"
# each refused load asked the callback (busybox tries finit_module, then init_module)
[ "$asked" -eq "$tries" ] || fail "the callback ran for $asked of $tries refused loads of binfmt_misc"
expect_not_contains "$WORK/out" "failed to initialize patch 'livepatch_refuse_bm'"
expect_contains "$WORK/out" "without the patch: enabled"
# module object, module first
expect_contains "$WORK/out" "insmod: can't insert 'bm.ko': No such device"
expect_contains "$WORK/out" "DMESG livepatch: pre-patch callback failed for object 'binfmt_misc'"
expect_contains "$WORK/out" "DMESG livepatch: failed to enable patch 'livepatch_refuse_bm'"
expect_contains "$WORK/out" "module first: enabled"
exit 0
