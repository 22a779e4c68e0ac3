# --timeout stops a command that does not finish: lpatch vm kills qemu, says
# so, exits 124 (the VM failed), and leaves no temporary files behind; the
# output the command printed before that still comes through. The timeout
# leaves room for a slow boot (TCG on a busy CI machine reached /init at 4.3 s
# of guest time and 8 s of wall time ran out before the command's first line).
. "$(dirname "$0")/../lib.sh"

mkdir "$WORK/tmp"
start=$(date +%s)
TMPDIR="$WORK/tmp" "$LPATCH" vm --target "$TARGET" --timeout 20 --log "$WORK/console.log" \
	-- sh -c 'echo started; sleep 600' >"$WORK/out" 2>"$WORK/err"
st=$?
took=$(( $(date +%s) - start ))
cat "$WORK/err"
echo "took ${took}s"
[ "$st" -eq 124 ] || fail "a timed-out command made lpatch vm exit $st, not 124"
expect_contains "$WORK/out" started
expect_contains "$WORK/err" "did not finish within 20 s"
[ "$took" -lt 45 ] || fail "--timeout 20 took ${took}s"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "temporary files left behind: $(ls -A "$WORK/tmp")"
expect_contains "$WORK/console.log" "Run /init as init process"
exit 0
