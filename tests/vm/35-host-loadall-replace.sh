# `lpatch load --all` and atomic replace: patches installed before the newest
# replacing one are skipped (it would take them over anyway); that one and
# everything installed after it load, in install order. Installed here, in
# this order: livepatch_old (stacks, "lpatch-A"), livepatch_new (replaces,
# "lpatch-B"), livepatch_top (stacks, "lpatch-cmdline"). load --all skips
# old, loads new then top: /proc/cmdline shows top's line (the newest wins),
# and after top is unloaded, new's. old is never loaded.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/old.ko" cmdline-A.patch --name livepatch-old --no-replace
build_patch "$WORK/new.ko" cmdline-B.patch --name livepatch-new
build_patch "$WORK/top.ko" cmdline.patch --name livepatch-top --no-replace
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
rel=$(uname -r)
for p in old new top; do lpatch install $p.ko || die "install $p.ko failed"; done
lpatch load --all; echo "load --all exit $?"
for p in old new top; do
	echo "$p: module $([ -d /sys/module/livepatch_$p ] && echo loaded || echo absent), enabled $(cat /sys/kernel/livepatch/livepatch_$p/enabled 2>/dev/null || echo -)"
done
echo "cmdline: $(cut -d' ' -f1 /proc/cmdline)"
lpatch unload livepatch_top || die "unload top failed"
echo "after top: $(cut -d' ' -f1 /proc/cmdline)"
lpatch load --all; echo "second load --all exit $?"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/old.ko" "$WORK/new.ko" "$WORK/top.ko"
cat "$WORK/out"
rel=$(ko_vermagic "$WORK/new.ko") || exit 1
store=/var/lib/lpatch/$rel
expect_contains "$WORK/out" GUEST-OK
expect_contains "$WORK/out" "skipping $store/livepatch_old.ko: replaced by $store/livepatch_new.ko, installed later"
expect_contains "$WORK/out" "loaded livepatch_new: 1 function patched"
expect_contains "$WORK/out" "loaded livepatch_top: 1 function patched"
expect_not_contains "$WORK/out" "loaded livepatch_old"
expect_contains "$WORK/out" "2 of 2 installed patches loaded for $rel (0 failed)"
expect_contains "$WORK/out" "load --all exit 0"
expect_contains "$WORK/out" "old: module absent, enabled -"
expect_contains "$WORK/out" "new: module loaded, enabled 1"
expect_contains "$WORK/out" "top: module loaded, enabled 1"
expect_contains "$WORK/out" "cmdline: lpatch-cmdline"
expect_contains "$WORK/out" "after top: lpatch-B"
# load --all again: old still skipped, new already loaded, top loaded again
expect_contains "$WORK/out" "livepatch_new: already loaded"
[ "$(grep -c "skipping $store/livepatch_old.ko" "$WORK/out")" = 2 ] || fail "old was not skipped the second time"
[ "$(grep -c "loaded livepatch_top: 1 function patched" "$WORK/out")" = 2 ] || fail "top was not loaded again"
expect_contains "$WORK/out" "second load --all exit 0"
exit 0
