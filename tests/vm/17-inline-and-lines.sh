# Inlining and line shifts on the real kernel (issue 3, cases 3 and 4).
# - get_task_state() is a static inline of fs/proc/array.c that GCC folds into
#   its callers: changing it patches proc_pid_status and do_task_stat, and
#   /proc/self/status shows the new text while /proc/self/stat keeps working.
# - A comment added above proc_pid_cmdline_read moves its BUG_ON down: the
#   two builds' __bug_table differ (line numbers) but nothing else does, so
#   the build says "no functional change" (exit 3).
# - The same shift plus a real change further down in fs/proc/base.c patches
#   only proc_pid_personality.
. "$(dirname "$0")/../lib.sh"

build_patch "$WORK/inline.ko" inline-task-state.patch --name livepatch-inline
cp "$WORK/build.log" "$WORK/inline.log"
expect_changes "$WORK/inline.log" "fs/proc/array.o: changed do_task_stat" \
	"fs/proc/array.o: changed proc_pid_status"
expect_contains "$WORK/inline.log" "fs/proc/array.o: 49 references bound at load time (18 through livepatch relocations)"
# the inlined helper itself is nowhere: neither a symbol nor a livepatch target
readelf -sW "$WORK/inline.ko" | has get_task_state && fail "get_task_state appears in the module"

"$LPATCH" build --target "$TARGET" --keep-work -o "$WORK/lines.ko" \
	"$TOP/tests/vm/patches/lines-only.patch" >"$WORK/lines.log" 2>&1
st=$?
kept=$(sed -n 's/.*work directory kept: //p' "$WORK/lines.log")
[ -n "$kept" ] && trap 'rm -rf "$WORK" "$kept"' EXIT
[ $st -eq 3 ] || { cat "$WORK/lines.log"; fail "lines-only patch: exit $st, expected 3"; }
expect_contains "$WORK/lines.log" "no functional change"
[ ! -e "$WORK/lines.ko" ] || fail "lines-only patch wrote a module"
# the test is not vacuous: the BUG_ON's recorded line did move
for side in orig patched; do
	objcopy -O binary -j __bug_table "$kept/$side/fs/proc/base.o" "$WORK/bug.$side" ||
		fail "no __bug_table in the $side fs/proc/base.o"
done
cmp -s "$WORK/bug.orig" "$WORK/bug.patched" && fail "__bug_table did not change: the line shift is not tested"
[ "$(stat -c %s "$WORK/bug.orig")" = "$(stat -c %s "$WORK/bug.patched")" ] || fail "__bug_table changed size"

build_patch "$WORK/pers.ko" lines-and-personality.patch --name livepatch-pers --no-replace
cp "$WORK/build.log" "$WORK/pers.log"
expect_changes "$WORK/pers.log" "fs/proc/base.o: changed proc_pid_personality"
expect_contains "$WORK/pers.log" "fs/proc/base.o: 6 references bound at load time (1 through livepatch relocations)"

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
grep -q lpatch /proc/self/status /proc/self/personality && die "patched before insmod"
[ "$(cut -d' ' -f3 /proc/self/stat)" = R ] || die "stat state is not R before insmod"
insmod inline.ko || die "insmod inline.ko failed"
lp_wait_transition livepatch_inline
insmod pers.ko || die "insmod pers.ko failed"
lp_wait_transition livepatch_pers
echo "status: $(grep '^State:' /proc/self/status)"
grep -q '^State:.R (running, lpatch)$' /proc/self/status || die "status not patched"
echo "stat state: $(cut -d' ' -f3 /proc/self/stat)"
[ "$(cut -d' ' -f3 /proc/self/stat)" = R ] || die "patched do_task_stat reports a wrong state"
grep -q '^State:.S (sleeping)$' /proc/1/status || die "a sleeping task no longer reads S (sleeping)"
echo "personality: $(cat /proc/self/personality)"
[ "$(cat /proc/self/personality)" = "00000000 lpatch" ] || die "personality not patched"
lp_disable livepatch_pers
lp_disable livepatch_inline
grep -q lpatch /proc/self/status /proc/self/personality && die "still patched after disable"
[ "$(cat /proc/self/personality)" = 00000000 ] || die "personality not restored"
rmmod livepatch_pers livepatch_inline || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/inline.ko" "$WORK/pers.ko"
expect_contains "$WORK/out" "status: State:	R (running, lpatch)"
expect_contains "$WORK/out" "stat state: R"
expect_contains "$WORK/out" "personality: 00000000 lpatch"
expect_contains "$WORK/out" GUEST-OK
