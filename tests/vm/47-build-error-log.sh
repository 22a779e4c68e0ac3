# A diff that does not compile: the error names a log that still exists
# after lpatch exits (a copy under $LPATCH_CACHE/logs, not the removed work
# directory), shows the compiler's own error line, and the prepared tree is
# put back.
. "$(dirname "$0")/../lib.sh"
sed 's/^+\tseq_puts(m, "lpatch-cmdline ");$/+\tseq_puts(m, "lpatch-cmdline ") lpatch_no_semicolon/' \
	"$TOP/tests/vm/patches/cmdline.patch" >"$WORK/broken.patch"
grep -q lpatch_no_semicolon "$WORK/broken.patch" || fail "could not make the broken patch"
"$LPATCH" build --target "$TARGET" -o "$WORK/lp.ko" "$WORK/broken.patch" >"$WORK/log" 2>&1
st=$?
[ $st -eq 1 ] || { cat "$WORK/log"; fail "exit $st, expected 1"; }
[ ! -e "$WORK/lp.ko" ] || fail "a module was written"
expect_contains "$WORK/log" "kbuild failed to compile fs/proc/cmdline.o"
# the compiler's error line itself, shown before the message (not just the log's tail)
expect_kept_log "$WORK/log" "kbuild failed to compile fs/proc/cmdline.o" fs/proc/cmdline.c
rm -f "$KEPT"
# the prepared tree is pristine again
src=$("$LPATCH" target --json "$TARGET" | jq -r .src)
[ -f "$src/fs/proc/cmdline.c" ] || fail "no fs/proc/cmdline.c in the tree $src"
! grep -q lpatch "$src/fs/proc/cmdline.c" || fail "the broken diff was left in $src"
exit 0
