# Markers change what the patch carries: KPATCH_IGNORE_FUNCTION and
# LPATCH_IGNORE_SECTION leave changed functions out, LPATCH_FORCE_FUNCTION
# puts an unchanged one in. Checked in the build output and, once loaded,
# in the patch's functions in sysfs and in /proc.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" author-markers.patch --name livepatch-markers
log="$WORK/build.log"
expect_contains "$log" "changed proc_pid_status"
expect_contains "$log" "changed proc_tid_stat"
expect_contains "$log" "proc_tid_stat is patched whether or not it changed"
expect_contains "$log" "ignoring any change to proc_pid_statm"
expect_contains "$log" "ignoring any change in section .text.proc_tgid_stat"
expect_not_contains "$log" "changed proc_pid_statm"
expect_not_contains "$log" "changed proc_tgid_stat"
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_markers
echo "functions: $(ls /sys/kernel/livepatch/livepatch_markers/vmlinux | grep , | tr '\n' ' ')"
grep -q '^Lpatch:	markers' /proc/self/status || die "proc_pid_status not patched"
grep -q ignored /proc/self/statm /proc/self/stat && die "an ignored function was patched"
echo "statm: $(cat /proc/self/statm)"
lp_disable livepatch_markers
rmmod livepatch_markers || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "functions: proc_pid_status,1 proc_tid_stat,1 "
expect_contains "$WORK/out" GUEST-OK
