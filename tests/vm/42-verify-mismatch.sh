# Verification against the target: objects compiled with other code
# generation than the target's (here -fno-peephole2 slipped in through kbuild's
# KCPPFLAGS, as a stray environment or another compiler would) are refused
# before anything is written, naming each function and how it differs;
# --no-verify builds anyway. No VM needed: it checks the build only.
. "$(dirname "$0")/../lib.sh"
st=0
KCPPFLAGS=-fno-peephole2 "$LPATCH" build --target "$TARGET" -o "$WORK/skewed.ko" \
	"$TOP/tests/vm/patches/meminfo-vmallocchunk.patch" >"$WORK/skewed.log" 2>&1 || st=$?
[ $st -eq 2 ] || { cat "$WORK/skewed.log" >&2; fail "mismatching build exited $st, not 2"; }
[ ! -e "$WORK/skewed.ko" ] || fail "a module was written although verification failed"
expect_contains "$WORK/skewed.log" "fs/proc/meminfo.o: meminfo_proc_show() does not match the target's vmlinux"
grep -qE "bytes long as compiled|bytes differ at \+0x|instructions differ at \+0x" "$WORK/skewed.log" ||
	fail "the mismatch does not say how the code differs"
# decoded: the first instruction that differs, on both sides
grep -qE "meminfo_proc_show\(\) does not match .*: compiled \`[^\`]+\`, .* has \`[^\`]+\` at \+0x" "$WORK/skewed.log" ||
	fail "the mismatch does not name the first differing instruction, decoded"
expect_contains "$WORK/skewed.log" "did not match the target"
expect_not_contains "$WORK/skewed.log" "changed meminfo_proc_show"
KCPPFLAGS=-fno-peephole2 lp_ok "$WORK/forced.log" "--no-verify build" build --target "$TARGET" \
	--no-verify -o "$WORK/forced.ko" "$TOP/tests/vm/patches/meminfo-vmallocchunk.patch"
[ -s "$WORK/forced.ko" ] || fail "--no-verify wrote no module"
expect_not_contains "$WORK/forced.log" "verified against"
# the same build without the skew verifies
build_patch "$WORK/good.ko" meminfo-vmallocchunk.patch
expect_contains "$WORK/build.log" "fs/proc/meminfo.o: verified against vmlinux: 2 functions identical"
