# `lpatch load --all` with unreadable files in the store (on the host, no VM:
# nothing gets as far as the kernel). Each file's error is printed once: the
# store is read once, not once to find the replacing patch, once to see what
# is loaded and once more to load. The count and exit code say they failed.
. "$(dirname "$0")/../lib.sh"
[ -x "$LPATCH" ] || skip "lpatch is not built (run make)"
rel=$(uname -r)
store="$WORK/store/$rel"
mkdir -p "$store"
echo "not a module" >"$store/garbage.ko"
cp "$LPATCH" "$store/program.ko"	# an ELF file, but an executable
"$LPATCH" load --all --root "$WORK/store" >"$WORK/out" 2>&1
st=$?
cat "$WORK/out"
[ "$st" -eq 2 ] || fail "load --all of unreadable files exited $st, not 2"
[ "$(grep -c "garbage.ko" "$WORK/out")" = 1 ] || fail "garbage.ko's error is not printed exactly once"
[ "$(grep -c "program.ko" "$WORK/out")" = 1 ] || fail "program.ko's error is not printed exactly once"
expect_contains "$WORK/out" "$store/garbage.ko: not an ELF file"
expect_contains "$WORK/out" "$store/program.ko: not a kernel module (an ELF file, but not relocatable"
expect_contains "$WORK/out" "0 of 2 installed patches loaded for $rel (2 failed)"
exit 0
