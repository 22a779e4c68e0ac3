# A build killed while the diff is applied to the shared tree (kill -9 of
# its whole process group, as a lost ssh session or the OOM killer would)
# leaves the tree edited; the next build puts the pristine sources back
# from the journal before it reads them, and succeeds.
. "$(dirname "$0")/../lib.sh"
src=$(target_field src) || exit 1
journal="$(target_field dir)/journal" || exit 1
file="$src/fs/proc/cmdline.c"
[ -f "$file" ] || fail "no $file in the prepared tree"
before=$(sha256sum <"$file")

setsid "$LPATCH" build --target "$TARGET" -o "$WORK/first.ko" \
	"$TOP/tests/vm/patches/cmdline.patch" >"$WORK/first.log" 2>&1 &
pid=$!
# wait until the diff is in the tree (up to 2 min: the build may first wait
# for the tree, held by another build), then kill the build outright
for _ in $(seq 2400); do
	[ -e "$journal/manifest" ] && [ "$(sha256sum <"$file")" != "$before" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$WORK/first.log" >&2; fail "the build ended before it was killed"; }
	sleep 0.05
done
kill -9 -- "-$pid"
wait "$pid" 2>/dev/null
[ "$(sha256sum <"$file")" != "$before" ] || fail "the test did not catch the build with the diff applied"
[ -e "$journal/manifest" ] || fail "no journal left by the killed build"
[ ! -e "$WORK/first.ko" ] || fail "the killed build wrote a module"

build_patch "$WORK/lp.ko" cmdline.patch --name livepatch-cmdline
expect_contains "$WORK/build.log" "an earlier build was interrupted with the diff applied"
expect_contains "$WORK/build.log" "fs/proc/cmdline.o: verified against vmlinux"
[ "$(sha256sum <"$file")" = "$before" ] || fail "$file was not put back"
[ ! -e "$journal" ] || fail "the journal $journal outlived the build"
exit 0
