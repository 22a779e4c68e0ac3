#!/usr/bin/env bash
# A --src tree that was built before, the way redis builds its deps/: a
# sub-build behind a stamp file, its object linked by path with no rule for it.
# The scratch copy keeps the earlier build's outputs, aged so that the build
# remakes what it has rules for; the object it does not remake is named, and a
# change to its source is reported as unseen rather than silently dropped.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project stamped
[ -f "$SRC/.make-prerequisites" ] && [ -f "$SRC/deps/count.o" ] || fail "the fixture left no stamp"
before=$(find "$SRC" -type f -newer "$SRC/Makefile" -printf '%P %T@\n' | sort)

user_build "$WORK/reply.lpatch" "$SRC/server" "$FIX/stamped/reply.patch" --name reply
expect_contains "$WORK/reply.lpatch.log" "was built before: 3 build outputs"
expect_contains "$WORK/reply.lpatch.log" "did not remake 1 object left in $SRC by an earlier build (deps/count.o)"
expect_contains "$WORK/reply.lpatch.log" "changed reply"
[ "$(find "$SRC" -type f -newer "$SRC/Makefile" -printf '%P %T@\n' | sort)" = "$before" ] ||
	fail "--src was modified"

start server "$SRC/server"
wait_line "$WORK/server.out" "^reply v1 "
lp_ok "$WORK/apply.log" "apply" apply --pid "$PID" "$WORK/reply.lpatch"
wait_line "$WORK/server.out" "^reply v2 "
lp_ok "$WORK/revert.log" "revert" revert --pid "$PID"
wait_line "$WORK/server.out" "^reply v1 "
alive "$PID"

# the object the build does not remake: its change is not seen, and that is said
"$LPATCH" build --user --src "$SRC" --binary "$SRC/server" -o "$WORK/count.lpatch" \
	"$FIX/stamped/count.patch" >"$WORK/count.log" 2>&1; st=$?
[ "$st" -eq 3 ] || { cat "$WORK/count.log"; fail "count.patch on the built tree: exit $st, expected 3"; }
expect_contains "$WORK/count.log" "1 object left from an earlier build of $SRC was not remade"
# the way out the hint names: a build command that runs the sub-build
user_build "$WORK/count2.lpatch" "$SRC/server" "$FIX/stamped/count.patch" \
	--make "make -C deps CFLAGS='-O2 -g' && make"
expect_contains "$WORK/count2.lpatch.log" "changed count_step"
expect_not_contains "$WORK/count2.lpatch.log" "did not remake"
echo "PASS: a tree built before builds in the copy; what it does not remake is named"
