#!/usr/bin/env bash
# A diff whose changed functions use two different statics of the same name (one
# `counter` in a.c, another in b.c): a patch binds statics by name, so the build
# refuses, naming the symbol. Each file's change alone builds.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project twin
st=0
"$LPATCH" build --user --src "$SRC" --binary "$SRC/twin" -o "$WORK/both.lpatch" --name both \
	"$FIX/twin/both.patch" >"$WORK/build.log" 2>&1 || st=$?
[ "$st" -ne 0 ] || { cat "$WORK/build.log"; fail "a patch binding two different 'counter' was built"; }
expect_contains "$WORK/build.log" "refer to two different 'counter'"
[ ! -e "$WORK/both.lpatch" ] || fail "a patch file was left behind"
# the a.c half alone
sed '/^--- a\/b.c/,$d' "$FIX/twin/both.patch" >"$WORK/a.patch"
user_build "$WORK/a.lpatch" "$SRC/twin" "$WORK/a.patch" --name a
readelf -p .lpatch.meta "$WORK/a.lpatch" | grep -c 'ref=counter ' | has -x 1 ||
	fail "the a.c patch does not bind counter exactly once"
echo "PASS: two different statics of one name refused (exit $st); one file's change builds"
