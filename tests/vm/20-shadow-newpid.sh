# Shadow variables (the kernel's klp_shadow_* API, used from a patch): a
# "newpid:" line in /proc/PID/status for tasks forked after the patch is
# loaded, none for older tasks; a post-unpatch callback frees them all.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" shadow-newpid.patch --name livepatch-newpid
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
newpid_case lp.ko
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
grep -E '^new task ([0-9]+): newpid: \1$' "$WORK/out" || { cat "$WORK/out"; fail "no newpid line matching its task"; }
expect_contains "$WORK/out" "shadow variables freed"
expect_contains "$WORK/out" GUEST-OK
