# lpatch list and status with --root: a store directory that is missing or is a
# file is bad usage (exit 2, naming it), not an empty store (exit 0, silent).
# An existing, empty store is still fine. Needs no VM.
. "$(dirname "$0")/../lib.sh"

refused() { # expected-text args...
	local want=$1; shift
	"$LPATCH" "$@" >"$WORK/out" 2>"$WORK/err"; st=$?
	[ $st -eq 2 ] || { cat "$WORK/out" "$WORK/err"; fail "exit $st, not 2, for: lpatch $*"; }
	expect_contains "$WORK/err" "$want"
}

refused "--root $WORK/nowhere: No such file or directory" list --root "$WORK/nowhere"
refused "--root $WORK/nowhere: No such file or directory" status --root "$WORK/nowhere"
refused "--root /dev/null: not a directory" status --json --root=/dev/null
mkdir "$WORK/store"
"$LPATCH" list --root "$WORK/store" >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "list of an empty store failed"; }
echo "PASS: a missing --root is refused by list and status"
