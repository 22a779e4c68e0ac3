# Shadow variables (the kernel's klp_shadow_* API, used from a patch): a
# "newpid:" line in /proc/PID/status for tasks forked after the patch is
# loaded, none for older tasks; a post-unpatch callback frees them all.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" shadow-newpid.patch --name livepatch-newpid
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
grep -q '^newpid:' /proc/self/status && die "newpid line before insmod"
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_newpid
grep -q '^newpid:' /proc/1/status && die "PID 1 (forked before load) has a newpid line"
set -- $(sh -c 'echo $$; grep "^newpid:" /proc/$$/status')
[ "$#" = 3 ] || die "no newpid line for a new task: '$*'"
[ "$1" = "$3" ] || die "newpid $3 of task $1"
echo "new task $1: $2 $3"
lp_disable livepatch_newpid
dmesg | grep 'lpatch-newpid: shadow variables freed' || die "post-unpatch callback did not run"
grep -q '^newpid:' /proc/self/status && die "newpid line after disable"
rmmod livepatch_newpid || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
grep -E '^new task ([0-9]+): newpid: \1$' "$WORK/out" || { cat "$WORK/out"; fail "no newpid line matching its task"; }
expect_contains "$WORK/out" "shadow variables freed"
expect_contains "$WORK/out" GUEST-OK
