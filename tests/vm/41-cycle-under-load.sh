# 50 patch/unpatch cycles while busy processes keep calling the patched
# function (and one keeps a CPU busy): every transition finishes, every
# cycle shows the patched and then the original behaviour, and the console
# has no WARN, oops or Call Trace (lpatch vm fails the run if it does).
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" cmdline.patch --name livepatch-cycle
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
for i in 1 2 3; do (while :; do cat /proc/cmdline >/dev/null; done) & done
(while :; do :; done) &
n=0 seen=0
while [ $n -lt 50 ]; do
	n=$((n + 1))
	insmod lp.ko || die "cycle $n: insmod failed"
	lp_wait_transition livepatch_cycle >/dev/null
	grep -q '^lpatch-cmdline ' /proc/cmdline && seen=$((seen + 1))
	lp_disable livepatch_cycle >/dev/null
	grep -q lpatch-cmdline /proc/cmdline && die "cycle $n: still patched after disable"
	rmmod livepatch_cycle || die "cycle $n: rmmod failed"
done
kill $(jobs -p) 2>/dev/null
[ $seen = 50 ] || die "patched behaviour seen in $seen of 50 cycles"
echo "cycles: $n, patched in $seen"
dmesg | grep -c 'livepatch: .livepatch_cycle.: patching complete' | sed 's/^/completed transitions: /'
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "cycles: 50, patched in 50"
expect_contains "$WORK/out" "completed transitions: 50"
expect_contains "$WORK/out" GUEST-OK
