# A patched function of a module that has a tracepoint of that module
# (issue 12, point 4): sunrpc's cache_entry_update() calls
# trace_cache_entry_update(), whose static key is sunrpc's. 6.1's livepatch
# cannot bind a module's key before the kernel sets up the patch's jump
# labels, so the patch carries the function with that jump site left at its
# default (the tracepoint is off in the patched copy) and the build says so.
# In the VM: sunrpc loaded after the patch, then before it; the patched
# function runs (its message), the event fires from the original and not
# from the patched copy, and fires again once the patch is disabled.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" sunrpc-tracepoint.patch --name livepatch-sunrpc
expect_contains "$WORK/build.log" "net/sunrpc/cache.o: verified against sunrpc"
expect_changes "$WORK/build.log" "net/sunrpc/cache.o: changed cache_entry_update"
expect_contains "$WORK/build.log" "net/sunrpc/cache.o: note: the tracepoint 'cache_entry_update' stays off in the patched cache_entry_update()"
expect_not_contains "$WORK/build.log" "refused"
readelf -SW "$WORK/lp.ko" | has '\.klp\.rela\.sunrpc\.' ||
	fail "no .klp.rela.sunrpc.* section in the module"
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
P=/sys/kernel/livepatch/livepatch_sunrpc
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
# update: add an auth.unix.ip cache entry for 127.0.0.N (cache_entry_update runs)
update() { echo "nfsd 127.0.0.$1 2147483647 lpatch" > /proc/net/rpc/auth.unix.ip/channel || die "channel write $1 failed"; }
traced() { grep -c "cache_entry_update" $T/trace; }
msgs() { dmesg | grep -c "lpatch: auth.unix.ip cache entry updated"; }
grep -q '^sunrpc ' /proc/modules && die "sunrpc loaded before the test"
# 1. the patch first, sunrpc after: patched as it loads
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_sunrpc
[ "$(cat $P/sunrpc/patched)" = 0 ] || die "sunrpc object patched while not loaded"
modprobe sunrpc || die "modprobe sunrpc failed"
[ "$(cat $P/sunrpc/patched)" = 1 ] || die "sunrpc object not patched after modprobe"
echo 1 > $T/events/sunrpc/cache_entry_update/enable || die "cannot enable the event"
update 1
echo "order 1: messages $(msgs), events $(traced)"
# the original function traces, and prints nothing
lp_disable livepatch_sunrpc
rmmod livepatch_sunrpc || die "rmmod failed"
update 2
echo "unpatched: messages $(msgs), events $(traced)"
# 2. sunrpc first, the patch after
insmod lp.ko || die "second insmod failed"
lp_wait_transition livepatch_sunrpc
update 3
echo "order 2: messages $(msgs), events $(traced)"
lp_disable livepatch_sunrpc
rmmod livepatch_sunrpc || die "last rmmod failed"
update 4
echo "disabled: messages $(msgs), events $(traced)"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "order 1: messages 1, events 0"
expect_contains "$WORK/out" "unpatched: messages 1, events 1"
expect_contains "$WORK/out" "order 2: messages 2, events 1"
expect_contains "$WORK/out" "disabled: messages 2, events 2"
expect_contains "$WORK/out" GUEST-OK
echo "PASS: a sunrpc function with a sunrpc tracepoint is patched (tracepoint off in the copy), loaded before and after"
