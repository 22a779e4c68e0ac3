# The seed example on Debian 13 (6.12.x+deb13-cloud-amd64, gcc-14): built in
# the trixie build root, verified against the -dbg vmlinux, live in the VM
# and back. First run: build root (mmdebstrap, ~7 min), -dbg and source
# (~500 MB), modules_prepare; later runs find them in the cache.
. "$(dirname "$0")/../lib.sh"
TARGET=${LPATCH_TEST_TRIXIE:-debian13:cloud}

"$LPATCH" target --json --need headers,symbols,source "$TARGET" >"$WORK/target.json" 2>"$WORK/target.err" ||
	{ cat "$WORK/target.err"; fail "lpatch target $TARGET failed"; }
root=$(target_field root) || exit 1
cc=$(target_field cc) || exit 1
[ -x "$root/usr/bin/$cc" ] || fail "the build root $root has no $cc"
case $cc in *gcc-14) ;; *) fail "$TARGET is built with $cc, not gcc-14" ;; esac

build_patch "$WORK/lp.ko" meminfo-vmallocchunk-6.12.patch --name livepatch-meminfo
cat "$WORK/build.log"
expect_contains "$WORK/build.log" "verified against vmlinux"
expect_contains "$WORK/build.log" "changed meminfo_proc_show"
# built with the target's compiler: the module's .comment names gcc 14
readelf -p .comment "$WORK/lp.ko" | has 'GCC: (Debian 14' || fail "lp.ko was not compiled by gcc-14"
readelf -SW "$WORK/lp.ko" | has '\.klp\.rela\.vmlinux\.\.text\.meminfo_proc_show' ||
	fail "no .klp.rela.vmlinux section for meminfo_proc_show"
readelf -sW "$WORK/lp.ko" | has '\.klp\.sym\.vmlinux\.vmalloc_nr_pages,0' ||
	fail "no livepatch symbol for the non-exported vmalloc_nr_pages"
# the build above recorded kbuild's command (or found it recorded): the next
# build replays it without kbuild, 6.12's "savedcmd_" records as 6.1's "cmd_"
# (they went through kbuild: 13 s instead of 6 s warm)
LPATCH_DEBUG=1 "$LPATCH" -v build --target "$TARGET" -o "$WORK/again.ko" \
	"$TOP/tests/vm/patches/meminfo-vmallocchunk-6.12.patch" >"$WORK/again.log" 2>&1 ||
	{ cat "$WORK/again.log"; fail "the second build failed"; }
expect_contains "$WORK/again.log" "replaying kbuild's recorded commands for 1 object"
expect_not_contains "$WORK/again.log" "no recorded kbuild command"
in_vm "$WORK/out" "$TOP/tests/vm/meminfo-guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "VMALLOCCHUNK:"
expect_contains "$WORK/out" GUEST-OK
