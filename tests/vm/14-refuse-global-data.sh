# Changing an existing global variable's initializer: refused, naming it.
. "$(dirname "$0")/../lib.sh"
"$LPATCH" build --target "$TARGET" -o "$WORK/lp.ko" "$TOP/tests/vm/patches/global-data.patch" >"$WORK/log" 2>&1
st=$?
[ $st -eq 2 ] || { cat "$WORK/log"; fail "exit $st, expected 2"; }
expect_contains "$WORK/log" "global variable 'overflowuid' changes"
[ ! -e "$WORK/lp.ko" ] || fail "a module was written"
exit 0
