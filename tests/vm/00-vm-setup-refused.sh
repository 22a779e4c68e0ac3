# lpatch vm when nothing can boot: a kernel cache the user cannot write is an
# error of its own (exit 1, naming the cache), not "the VM failed" (124); a --copy
# file the user cannot read is bad usage (exit 2). Needs no VM: run as nobody.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv to run as nobody"

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent \
	LPATCH_CACHE= XDG_CACHE_HOME= "$@"; }

chmod 755 "$WORK"
as_nobody "$LPATCH" vm --target debian:cloud -- true >"$WORK/out" 2>&1; st=$?
cat "$WORK/out"
[ $st -eq 1 ] || fail "an unwritable cache made lpatch vm exit $st, not 1"
expect_contains "$WORK/out" "the kernel cache /nonexistent/.cache/lpatch cannot be created"
expect_contains "$WORK/out" "set LPATCH_CACHE"

echo secret >"$WORK/private"; chmod 600 "$WORK/private"
as_nobody "$LPATCH" vm --target debian:cloud --copy "$WORK/private" -- true >"$WORK/out" 2>&1; st=$?
cat "$WORK/out"
[ $st -eq 2 ] || fail "an unreadable --copy made lpatch vm exit $st, not 2"
expect_contains "$WORK/out" "--copy $WORK/private: Permission denied"
echo "PASS: lpatch vm says what failed before anything boots"
