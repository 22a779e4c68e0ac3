#!/usr/bin/env bash
# lpatch build --user checks that the original source, compiled here, is what the
# binary runs: a binary built with other flags is refused, naming a function that
# differs; --no-verify overrides; a diff that changes nothing writes no patch (exit 3).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

# production was built with -O1; lpatch's build (plain `make`) compiles with -O2
project loop CFLAGS="-O1 -g"
"$LPATCH" build --user --src "$SRC" --binary "$SRC/loop" -o "$WORK/bad.lpatch" \
	"$FIX/loop/message.patch" >"$WORK/bad.log" 2>&1
st=$?
cat "$WORK/bad.log"
[ "$st" -eq 2 ] || fail "build against a binary built with other flags exited $st, expected 2"
[ ! -e "$WORK/bad.lpatch" ] || fail "a patch was written anyway"
grep -qE "function (main|report|message|bump) .*does not match" "$WORK/bad.log" ||
	fail "the error does not name the function that differs"
expect_contains "$WORK/bad.log" "--no-verify"

lp_ok "$WORK/forced.log" "the --no-verify build" build --user --no-verify --src "$SRC" \
	--binary "$SRC/loop" -o "$WORK/forced.lpatch" "$FIX/loop/message.patch"
[ -s "$WORK/forced.lpatch" ] || fail "--no-verify wrote no patch"

# the same flags as production: verified
user_build "$WORK/good.lpatch" "$SRC/loop" "$FIX/loop/message.patch" --make "make CFLAGS='-O1 -g'"
expect_not_contains "$WORK/good.lpatch.log" "does not match"

# a comment-only diff: no functional change
cat >"$WORK/comment.patch" <<'DIFF'
--- a/loop.c
+++ b/loop.c
@@ -1,4 +1,4 @@
-/* A loop printing every 50 ms: the target of the basic tests. */
+/* A loop printing every 50 ms: the target of the basic tests (comment only). */
 #include <stdio.h>
 #include <unistd.h>
 
DIFF
"$LPATCH" build --user --src "$SRC" --binary "$SRC/loop" -o "$WORK/none.lpatch" \
	--make "make CFLAGS='-O1 -g'" "$WORK/comment.patch" >"$WORK/none.log" 2>&1
st=$?
[ "$st" -eq 3 ] || { cat "$WORK/none.log"; fail "a comment-only diff exited $st, expected 3"; }
echo "PASS: other flags refused naming the function; --no-verify builds; matching flags verify; no change exits 3"
