# Callbacks (lpatch.h names, and kpatch-macros.h names unchanged): the four
# run in order: pre-patch and post-patch on load, pre-unpatch and
# post-unpatch on disable, each for the vmlinux object.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" callbacks-lpatch.patch --name livepatch-cb-lpatch
build_patch "$WORK/kp.ko" callbacks-kpatch.patch --name livepatch-cb-kpatch
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
for p in lpatch kpatch; do
	m=$(echo $p | cut -c1)p.ko
	insmod $m || die "insmod $m failed"
	lp_wait_transition livepatch_cb_$p
	grep -q "^$p-cb " /proc/cmdline || die "$m: cmdline not patched"
	echo "$p: cmdline patched"
	lp_disable livepatch_cb_$p
	rmmod livepatch_cb_$p || die "rmmod $m failed"
done
dmesg | grep -E '(lpatch|kpatch)-cb: |livepatch: .*(enabling|completed|unpatching)' | sed 's/^\[[^]]*\] //' | sed 's/^/DMESG /'
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko" "$WORK/kp.ko"
expect_contains "$WORK/out" GUEST-OK
for p in lpatch kpatch; do
	expect_contains "$WORK/out" "$p: cmdline patched"
	got=$(sed -n "s/^DMESG $p-cb: //p" "$WORK/out" | tr '\n' ' ')
	want="pre-patch vmlinux post-patch vmlinux pre-unpatch vmlinux post-unpatch vmlinux "
	[ "$got" = "$want" ] || { grep DMESG "$WORK/out"; fail "$p callbacks ran as '$got', expected '$want'"; }
	echo "$p callbacks in order: $got"
done
# pre-patch runs once the patch is being enabled; the unpatching transition
# runs between pre-unpatch and post-unpatch
grep DMESG "$WORK/out" | awk '
	/enabling patch .livepatch_cb_lpatch/ { en = NR } /lpatch-cb: pre-patch/ { pre = NR }
	/lpatch-cb: pre-unpatch/ { preun = NR } /livepatch_cb_lpatch.: starting unpatching/ { tr = NR }
	/lpatch-cb: post-unpatch/ { postun = NR }
	END { exit !(en && en < pre && preun && preun < tr && tr < postun) }' ||
	{ grep DMESG "$WORK/out"; fail "callbacks out of order with the kernel messages"; }
exit 0
