# lpatch diff X.o X.o --parent vmlinux exits 3 ("no functional change"),
# with nothing on stderr, for every object of fs/proc/ built in the
# target's prepared tree as lpatch build builds them.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/kobjs.sh"
cd "$TOP"
build_tree_objects "$TARGET" fs/proc "$WORK/objs" || fail "could not build fs/proc/ of $TARGET"
n=0
for o in "$WORK"/objs/fs/proc/*.o; do
	"$LPATCH" diff "$o" "$o" --parent "$KOBJS_VMLINUX" >"$WORK/out" 2>"$WORK/err"
	st=$?
	[ $st -eq 3 ] || { cat "$WORK/out" "$WORK/err"; fail "$(basename "$o"): exit $st, expected 3"; }
	[ ! -s "$WORK/err" ] || { cat "$WORK/err"; fail "$(basename "$o"): messages on stderr"; }
	expect_contains "$WORK/out" "no functional change"
	n=$((n + 1))
done
[ $n -ge 20 ] || fail "only $n objects in fs/proc/"
echo "$n objects of fs/proc/: no functional change"
