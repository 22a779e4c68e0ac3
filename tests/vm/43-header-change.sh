# A change in a header only (fs/proc/internal.h: PROC_NUMBUF, the size of
# the buffers /proc uses for numbers, shrunk to 3): lpatch finds the source
# files that include it, compiles those the target builds, and patches
# exactly the functions whose code changed, in files the diff never names.
# With 3 bytes, /proc/PID/oom_score_adj takes only 2 characters a write:
# `echo 100` writes "10", then the rest, "0\n", so it ends at 0.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" header-procnumbuf.patch --name livepatch-numbuf
expect_contains "$WORK/build.log" "fs/proc/internal.h reaches 26 source files"
expect_changes "$WORK/build.log" "fs/proc/base.o: changed oom_score_adj_read" \
	"fs/proc/base.o: changed oom_adj_read" "fs/proc/base.o: changed proc_coredump_filter_read" \
	"fs/proc/base.o: changed sched_autogroup_write" "fs/proc/base.o: changed oom_adj_write" \
	"fs/proc/base.o: changed oom_score_adj_write" "fs/proc/task_mmu.o: changed clear_refs_write"
expect_contains "$WORK/build.log" "fs/proc/base.o: verified against vmlinux"
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
adj() { echo 100 > /proc/self/oom_score_adj; tr -d '\0\n' < /proc/self/oom_score_adj; }
[ "$(adj)" = 100 ] || die "before: oom_score_adj reads '$(adj)'"
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_numbuf
[ -d /sys/kernel/livepatch/livepatch_numbuf/vmlinux/clear_refs_write,1 ] ||
	die "clear_refs_write is not among the patched functions"
echo "patched: $(adj)"
lp_disable livepatch_numbuf
[ "$(adj)" = 100 ] || die "after disable: oom_score_adj reads '$(adj)'"
rmmod livepatch_numbuf || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "patched: 0"
expect_contains "$WORK/out" GUEST-OK
