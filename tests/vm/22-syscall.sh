# Patching a syscall body: with SYSCALL_DEFINE1 the body (__do_sys_newuname,
# inline hence notrace) cannot be redirected itself, so the patch carries it
# and redirects its callers, the entry stubs, and says so (issue 12, point
# 8); LPATCH_SYSCALL_DEFINE1 (lpatch.h) and KPATCH_SYSCALL_DEFINE1
# (kpatch-syscall.h, unchanged kpatch source) patch the entry stubs
# explicitly. uname -n shows each new body's answer.
. "$(dirname "$0")/../lib.sh"
"$LPATCH" build --target "$TARGET" -o "$WORK/plain.ko" "$TOP/tests/vm/patches/syscall-plain.patch" >"$WORK/plain.log" 2>&1
st=$?
[ $st -eq 0 ] || { cat "$WORK/plain.log"; fail "SYSCALL_DEFINE1 body change: exit $st, expected 0"; }
expect_contains "$WORK/plain.log" "__do_sys_newuname() changes but has no __fentry__ call"
expect_contains "$WORK/plain.log" "the patch carries it and redirects its callers __ia32_sys_newuname(), __x64_sys_newuname()"
expect_contains "$WORK/plain.log" "changed __x64_sys_newuname"
build_patch "$WORK/lp.ko" syscall-lpatch.patch --name livepatch-sys-lpatch
expect_contains "$WORK/build.log" "new function __lpatch_do_sys_newuname"
expect_contains "$WORK/build.log" "changed __x64_sys_newuname"
build_patch "$WORK/kp.ko" syscall-kpatch.patch --name livepatch-sys-kpatch
expect_contains "$WORK/build.log" "changed __x64_sys_newuname"
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
before=$(uname -n)
case "$before" in *-syscall) die "uname -n is $before before insmod";; esac
insmod plain.ko || die "insmod plain.ko failed"
lp_wait_transition livepatch_syscall_plain
echo "SYSCALL_DEFINE1: uname -n = $(uname -n)"
lp_disable livepatch_syscall_plain
rmmod livepatch_syscall_plain || die "rmmod livepatch_syscall_plain failed"
[ "$(uname -n)" = "$before" ] || die "uname -n is $(uname -n) after the plain patch went"
insmod lp.ko || die "insmod lp.ko failed"
lp_wait_transition livepatch_sys_lpatch
echo "lpatch.h: uname -n = $(uname -n)"
insmod kp.ko || die "insmod kp.ko failed"
lp_wait_transition livepatch_sys_kpatch
echo "kpatch-syscall.h: uname -n = $(uname -n)"
lp_disable livepatch_sys_kpatch
[ "$(uname -n)" = "$before" ] || die "uname -n is $(uname -n) after disable, not $before"
rmmod livepatch_sys_kpatch livepatch_sys_lpatch || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/plain.ko" "$WORK/lp.ko" "$WORK/kp.ko"
expect_contains "$WORK/out" "SYSCALL_DEFINE1: uname -n = plain-syscall"
expect_contains "$WORK/out" "lpatch.h: uname -n = lpatch-syscall"
expect_contains "$WORK/out" "kpatch-syscall.h: uname -n = kpatch-syscall"
expect_contains "$WORK/out" GUEST-OK
