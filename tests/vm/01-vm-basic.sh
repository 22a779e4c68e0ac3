# lpatch vm runs a command on the target kernel: its stdout, stderr and exit
# status come back apart, --copy files are in its directory, modprobe loads
# the target's own modules, debugfs is mounted, and lpatch is on PATH.
. "$(dirname "$0")/../lib.sh"

rel=$(target_field release) || exit 1

# the output is exactly the command's
start=$(date +%s%N)
"$LPATCH" vm --target "$TARGET" -- uname -r >"$WORK/out" 2>"$WORK/err" ||
	{ cat "$WORK/err"; fail "lpatch vm -- uname -r failed"; }
echo "boot + uname -r + power off: $(( ($(date +%s%N) - start) / 1000000 )) ms"
[ "$(cat "$WORK/out")" = "$rel" ] || fail "uname -r printed '$(cat "$WORK/out")', not $rel"
grep -Eq "booting $rel \((tcg|kvm)\)" "$WORK/err" || fail "no progress line naming the accelerator: $(cat "$WORK/err")"

# the command's exit status is lpatch vm's
"$LPATCH" -q vm --target "$TARGET" -- sh -c 'exit 3' >"$WORK/out" 2>"$WORK/err"
st=$?
[ "$st" -eq 3 ] || { cat "$WORK/err"; fail "a command exiting 3 made lpatch vm exit $st"; }

# one boot for the rest: a script and a note copied in, checked from inside
note="lpatch-note-$$-$RANDOM"
echo "$note" >"$WORK/note.txt"
cat >"$WORK/inside.sh" <<'G'
echo "cwd=$(pwd)"
echo "note=$(cat note.txt)"
grep -q '^loop ' /proc/modules && echo "loop loaded too early"
modprobe loop || echo "modprobe loop failed"
grep '^loop ' /proc/modules | cut -d' ' -f1 | sed 's/^/module=/'
grep ' /sys/kernel/debug debugfs ' /proc/mounts | cut -d' ' -f2 | sed 's/^/debugfs=/'
[ -d /sys/kernel/debug/tracing ] && echo "tracing=yes"
echo "lpatch=$(lpatch --version)"
echo "to stderr" >&2
G
"$LPATCH" vm --target "$TARGET" --copy "$WORK/note.txt" --copy "$WORK/inside.sh" \
	-- sh inside.sh >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/out" "$WORK/err"; fail "the checks failed"; }
cat "$WORK/out"
expect_contains "$WORK/out" "cwd=/work"
expect_contains "$WORK/out" "note=$note"
expect_not_contains "$WORK/out" "loaded too early"
expect_not_contains "$WORK/out" "modprobe loop failed"
expect_contains "$WORK/out" "module=loop"
expect_contains "$WORK/out" "debugfs=/sys/kernel/debug"
expect_contains "$WORK/out" "tracing=yes"
expect_contains "$WORK/out" "lpatch=lpatch "
expect_not_contains "$WORK/out" "to stderr"
expect_contains "$WORK/err" "to stderr"

# usage errors are refused before anything boots
"$LPATCH" vm --target "$TARGET" --copy "$WORK/missing" -- true 2>"$WORK/err"
[ $? -eq 2 ] || fail "a missing --copy file was not refused with exit 2"
"$LPATCH" vm --help >"$WORK/help" || fail "lpatch vm --help failed"
expect_contains "$WORK/help" "exit status"
exit 0
