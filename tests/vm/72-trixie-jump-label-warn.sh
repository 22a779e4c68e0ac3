# 6.12's special sections in a patched function, on Debian 13: __set_oom_adj
# has a tracepoint (a jump label: __jump_table), cmdline_proc_show gets a
# WARN_ON (__bug_table). The module keeps both tables' entries for its
# functions, loads, works, and no WARN, oops or Call Trace follows
# (in_vm fails on any), disabled and removed again.
# Runs in CI (about 40 s warm). Built with the verifier on: the object has
# a jmp at each static branch, vmlinux objtool's NOP (docs/kernel-builds.md).
. "$(dirname "$0")/../lib.sh"
TARGET=${LPATCH_TEST_TRIXIE:-debian13:cloud}

# on 6.12 (IBT: objtool runs only at link) a jump-label site is still a
# `jmp` in the object and a nop in vmlinux: the verifier takes either
build_patch "$WORK/lp.ko" oom-adj-jump-label-6.12.patch --name livepatch-jl \
	"$TOP/tests/vm/patches/cmdline-warn-on-6.12.patch"
cat "$WORK/build.log"
expect_contains "$WORK/build.log" "fs/proc/base.o: verified against vmlinux"
expect_contains "$WORK/build.log" "fs/proc/cmdline.o: verified against vmlinux"
expect_contains "$WORK/build.log" "changed __set_oom_adj"
expect_contains "$WORK/build.log" "changed cmdline_proc_show"
readelf -SW "$WORK/lp.ko" >"$WORK/sections"
expect_contains "$WORK/sections" "__jump_table"
expect_contains "$WORK/sections" "__bug_table"
cat >"$WORK/guest.sh" <<'G'
. ./guest-lib.sh
echo 123 > /proc/self/oom_score_adj
[ "$(cat /proc/self/oom_score_adj)" = 123 ] || die "oom_score_adj not 123 before the patch"
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_jl
grep -q '^lpatch-warn ' /proc/cmdline || die "cmdline_proc_show not patched: $(cat /proc/cmdline)"
echo "cmdline: patched"
echo 123 > /proc/self/oom_score_adj
v=$(cat /proc/self/oom_score_adj)
[ "$v" = 124 ] || die "__set_oom_adj not patched: 123 reads back as $v"
echo "oom_score_adj: 123 -> $v"
# the tracepoint in the patched function still works when enabled
if [ -d /sys/kernel/tracing/events/oom/oom_score_adj_update ] ||
   mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null; then
	if [ -w /sys/kernel/tracing/events/oom/oom_score_adj_update/enable ]; then
		echo 1 > /sys/kernel/tracing/events/oom/oom_score_adj_update/enable
		echo 10 > /proc/self/oom_score_adj
		grep -q oom_score_adj_update /sys/kernel/tracing/trace && echo "tracepoint: fired"
		echo 0 > /sys/kernel/tracing/events/oom/oom_score_adj_update/enable
	fi
fi
lp_disable livepatch_jl
rmmod livepatch_jl || die "rmmod failed"
grep -q '^lpatch-warn ' /proc/cmdline && die "still patched"
echo 123 > /proc/self/oom_score_adj
[ "$(cat /proc/self/oom_score_adj)" = 123 ] || die "oom_score_adj not restored"
dmesg | grep -E 'WARNING|Call Trace|BUG' && die "kernel warnings"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "cmdline: patched"
expect_contains "$WORK/out" "oom_score_adj: 123 -> 124"
expect_contains "$WORK/out" GUEST-OK
