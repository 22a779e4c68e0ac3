# A fix to a file whose directory has its own Makefile that the target's
# config does not enter (fs/ocfs2/: CONFIG_OCFS2_FS is off in the cloud
# flavour) is refused as not built (exit 2), before anything is compiled:
# a module built in a directory above (fs/binfmt_misc.ko in fs/) is not made
# of it. Before, such a file counted as maybe in a module, and the compile
# failed (exit 1) on headers the unbuilt directory's Makefile would add.
# Found by the real-fix corpus (tests/corpus/).
. "$(dirname "$0")/../lib.sh"
start=$(date +%s)
"$LPATCH" build --target "$TARGET" -o "$WORK/lp.ko" "$TOP/tests/vm/patches/unbuilt-dir-ocfs2.patch" \
	>"$WORK/log" 2>&1
st=$?
echo "refused in $(( $(date +%s) - start )) s"
[ $st -eq 2 ] || { cat "$WORK/log"; fail "exit $st, expected 2"; }
expect_contains "$WORK/log" "fs/ocfs2/acl.c is not built into"
expect_not_contains "$WORK/log" "compiling"
[ ! -e "$WORK/lp.ko" ] || fail "a module was written"
exit 0
