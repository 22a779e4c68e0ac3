# Compiler clones and once-flags on the real kernel (issue 3, cases 1, 2, 5).
# - __set_oom_adj (fs/proc/base.c) exists only as the clone
#   __set_oom_adj.isra.0 with a .cold part, and warns with pr_warn_once. The
#   patch changes the warning's text: the clone is patched under its own
#   name, carries its .cold part and a fresh once-flag, and still takes the
#   target's own oom_adj_mutex through a livepatch relocation.
# - do_sysinfo (kernel/sys.c) exists only as do_sysinfo.isra.0; the patch
#   makes sysinfo() report 1000 more days of uptime (busybox uptime).
# - filldir64 (fs/readdir.c) opens user access with stac/clac alternatives:
#   the patch carries the replacement pieces of its own .altinstructions
#   entries only, and under SMAP (-cpu max) getdents64 still works: a
#   wrong piece would fault on the first user write.
. "$(dirname "$0")/../lib.sh"

build_patch "$WORK/lp.ko" clones-oom-adj-sysinfo.patch --name livepatch-clones
expect_changes "$WORK/build.log" "fs/proc/base.o: changed __set_oom_adj.isra.0" \
	"kernel/sys.o: changed do_sysinfo.isra.0"
expect_contains "$WORK/build.log" "fs/proc/base.o: 28 references bound at load time (7 through livepatch relocations)"
expect_contains "$WORK/build.log" "kernel/sys.o: 11 references bound at load time (3 through livepatch relocations)"
readelf -sW "$WORK/lp.ko" >"$WORK/syms"
# the .cold part travels with its function
grep -qE ' FUNC +LOCAL .* __set_oom_adj\.isra\.0\.cold$' "$WORK/syms" || fail "no __set_oom_adj.isra.0.cold in the module"
# the once-flag is the patch's own; the mutex and nr_threads are the target's
grep -qE ' OBJECT +LOCAL +DEFAULT +[0-9]+ __already_done' "$WORK/syms" || fail "no once-flag of the patch's own"
grep -q '__already_done.*klp\|klp.*__already_done' "$WORK/syms" && fail "the once-flag binds to the target"
grep -qF '.klp.sym.vmlinux.oom_adj_mutex,0' "$WORK/syms" || fail "oom_adj_mutex is not bound to the target's"
grep -qF '.klp.sym.vmlinux.nr_threads,0' "$WORK/syms" || fail "nr_threads is not bound to the target's"

# -v -v: the differ's debug lines say how much of each table it kept
"$LPATCH" -v -v build --target "$TARGET" -o "$WORK/readdir.ko" --name livepatch-readdir --no-replace \
	"$TOP/tests/vm/patches/readdir-alternatives.patch" >"$WORK/readdir.log" 2>&1 ||
	{ cat "$WORK/readdir.log"; fail "lpatch build of readdir-alternatives.patch failed"; }
expect_changes "$WORK/readdir.log" "fs/readdir.o: changed filldir64"
expect_contains "$WORK/readdir.log" "fs/readdir.o: 4 references bound at load time (1 through livepatch relocations)"
expect_contains "$WORK/readdir.log" ".altinstructions: 25 entries of 12 bytes, 5 kept"
expect_contains "$WORK/readdir.log" ".altinstr_replacement: 22 of 110 bytes kept"
[ "$(readelf -SW "$WORK/readdir.ko" | awk '$2 == ".altinstr_replacement" { print $6 }')" = 000016 ] ||
	fail "the module's .altinstr_replacement is not the 22 bytes of the kept pieces"

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
old='oom_adj is deprecated, please'
new='oom_adj is deprecated (lpatch), please'
count() { dmesg | grep -c "$1"; }
uptime | grep -q 'up 1000 days' && die "uptime patched before insmod"
echo 0 > /proc/self/oom_adj || die "cannot write oom_adj"
echo 0 > /proc/self/oom_adj
[ "$(count "$old")" = 1 ] || die "the original warning did not print once"
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_clones
echo "uptime: $(uptime)"
uptime | grep -q 'up 1000 days' || die "sysinfo not patched"
echo 0 > /proc/self/oom_adj || die "cannot write oom_adj (patched)"
echo 0 > /proc/self/oom_adj
echo "patched warnings: $(count "$new")"
[ "$(count "$new")" = 1 ] || die "the patched warning did not print exactly once"
[ "$(cat /proc/self/oom_adj)" = 0 ] || die "oom_adj reads $(cat /proc/self/oom_adj)"
lp_disable livepatch_clones
uptime | grep -q 'up 1000 days' && die "sysinfo still patched"
echo 0 > /proc/self/oom_adj
echo "original warnings: $(count "$old")"
[ "$(count "$old")" = 1 ] || die "the original once-flag was disturbed"
rmmod livepatch_clones || die "rmmod failed"
mkdir d && touch d/lpatch-hidden d/visible || die "cannot create files"
[ "$(ls d | tr '\n' ' ')" = "lpatch-hidden visible " ] || die "ls before insmod: $(ls d)"
insmod readdir.ko || die "insmod readdir.ko failed"
lp_wait_transition livepatch_readdir
echo "ls: $(ls d | tr '\n' ' ')"
[ "$(ls d | tr '\n' ' ')" = "visible " ] || die "getdents64 not patched"
[ -e d/lpatch-hidden ] || die "the hidden file is gone"
lp_disable livepatch_readdir
[ "$(ls d | tr '\n' ' ')" = "lpatch-hidden visible " ] || die "ls after disable: $(ls d)"
rmmod livepatch_readdir || die "rmmod readdir failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko" "$WORK/readdir.ko"
expect_contains "$WORK/out" "up 1000 days"
expect_contains "$WORK/out" "patched warnings: 1"
expect_contains "$WORK/out" "original warnings: 1"
expect_contains "$WORK/out" "ls: visible "
expect_contains "$WORK/out" GUEST-OK
