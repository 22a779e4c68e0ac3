# kpatch's warn-detect patch (test/integration/linux-6.2.0/warn-detect-FAIL.patch)
# only adds a blank line at the top of arch/x86/kvm/x86.c (module kvm): every
# WARN, BUG, printk_once and lockdep site below moves down a line. Issue 12,
# point 10: lpatch build answers exit 3, "no functional change", and writes
# no module, on both flavours.
# lpatch-test: long: compiles arch/x86/kvm/x86.o twice on each flavour (38 s warm); the class (a FILE:LINE string that moved with its statement) runs in CI as unit/test_diff_cases' line_in_string_moves
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/flavours.sh"
ran=0
for TARGET in "${FLAVOURS[@]}"; do
	flavour_start "$TARGET" || continue
	"$LPATCH" build --target "$TARGET" -o "$WORK/wd.ko" \
		"$TOP/tests/vm/patches/kpatch-warn-detect.patch" >"$WORK/build.log" 2>&1
	st=$?
	[ $st = 3 ] || { cat "$WORK/build.log"; fail "$TARGET: exit $st, expected 3 (no functional change)"; }
	expect_contains "$WORK/build.log" "no functional change"
	expect_not_contains "$WORK/build.log" "changed "
	[ -e "$WORK/wd.ko" ] && fail "$TARGET: a module was written"
	ran=$((ran + 1))
done
flavours_ran $ran
echo "PASS: kvm/x86.c with a blank line on top is no functional change on $ran flavour(s)"
