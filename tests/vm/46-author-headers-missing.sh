# Without the patch-author headers (LPATCH_INCLUDE names a directory
# without lpatch.h, and the binary has no include/ beside it) a patch that
# does not need them still builds, and lpatch says so once, not once per
# compile pass.
. "$(dirname "$0")/../lib.sh"
cp "$LPATCH" "$WORK/lpatch"
LPATCH_INCLUDE=/nonexistent "$WORK/lpatch" build --target "$TARGET" -o "$WORK/lp.ko" \
	"$TOP/tests/vm/patches/cmdline.patch" >"$WORK/log" 2>&1 ||
	{ cat "$WORK/log"; fail "the build failed"; }
[ -s "$WORK/lp.ko" ] || fail "no module written"
count() { grep -cF -- "$1" "$WORK/log"; }
[ "$(count "LPATCH_INCLUDE=/nonexistent has no lpatch.h")" = 1 ] ||
	{ cat "$WORK/log"; fail "the LPATCH_INCLUDE warning is not there exactly once"; }
[ "$(count "patch-author headers (lpatch.h, kpatch-macros.h) were not found")" = 1 ] ||
	{ cat "$WORK/log"; fail "the missing-headers warning is not there exactly once"; }
[ "$(count "set LPATCH_INCLUDE to the directory holding lpatch.h")" = 1 ] ||
	{ cat "$WORK/log"; fail "the hint is not there exactly once"; }
exit 0
