# A comment-only patch: refused with "no functional change", exit 3, no .ko.
. "$(dirname "$0")/../lib.sh"
"$LPATCH" build --target "$TARGET" -o "$WORK/lp.ko" "$TOP/tests/vm/patches/comment-only.patch" >"$WORK/log" 2>&1
st=$?
[ $st -eq 3 ] || { cat "$WORK/log"; fail "exit $st, expected 3"; }
expect_contains "$WORK/log" "no functional change"
[ ! -e "$WORK/lp.ko" ] || fail "a module was written"
ls -A "$WORK" | has '\.lp\.ko\.tmp' && fail "a temporary file was left behind"
exit 0
