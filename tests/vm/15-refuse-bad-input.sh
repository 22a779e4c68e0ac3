# Clear refusals: a patch that does not apply (file and hunk named), an
# unknown target release, a file that is no diff, a diff naming a file
# outside the tree.
. "$(dirname "$0")/../lib.sh"
"$LPATCH" build --target "$TARGET" -o "$WORK/lp.ko" "$TOP/tests/vm/patches/not-applying.patch" >"$WORK/log" 2>&1
st=$?
[ $st -eq 2 ] || { cat "$WORK/log"; fail "not-applying: exit $st, expected 2"; }
expect_contains "$WORK/log" "does not apply: file fs/proc/meminfo.c"
expect_contains "$WORK/log" "Hunk #1 FAILED"
[ ! -e "$WORK/lp.ko" ] || fail "a module was written"
# the prepared tree is left pristine: the good patch still builds
build_patch "$WORK/ok.ko" meminfo-vmallocchunk.patch

"$LPATCH" build --target debian:6.1.0-9999-cloud-amd64 -o "$WORK/x.ko" "$TOP/tests/vm/patches/cmdline.patch" >"$WORK/log2" 2>&1
st=$?
[ $st -ne 0 ] || fail "unknown release accepted"
expect_contains "$WORK/log2" "6.1.0-9999-cloud-amd64"

echo "not a diff" > "$WORK/x.patch"
"$LPATCH" build --target "$TARGET" -o "$WORK/x.ko" "$WORK/x.patch" >"$WORK/log3" 2>&1
st=$?
[ $st -eq 2 ] || { cat "$WORK/log3"; fail "non-diff: exit $st, expected 2"; }
expect_contains "$WORK/log3" "holds no unified diff"

for name in /etc/lpatch-test.h ../lpatch-test.h fs/../../lpatch-test.h; do
	printf -- '--- a/%s\n+++ b/%s\n@@ -1 +1 @@\n-a\n+b\n' "$name" "$name" >"$WORK/out.patch"
	"$LPATCH" build --target "$TARGET" -o "$WORK/x.ko" "$WORK/out.patch" >"$WORK/log4" 2>&1
	st=$?
	[ $st -eq 2 ] || { cat "$WORK/log4"; fail "$name: exit $st, expected 2"; }
	expect_contains "$WORK/log4" "names $name, a file outside the source tree"
done
exit 0
