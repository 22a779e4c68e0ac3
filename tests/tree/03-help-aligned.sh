# `lpatch --help` lists the commands with their summaries in one column, one
# space after the longest name (quarantine, the longest, once pushed its
# summary a column right of the others'). The list is the one main.c prints,
# read from the built binary.
. "$(dirname "$0")/../lib.sh"
[ -x "$LPATCH" ] || skip "LOUDLY: $LPATCH is not built (make lpatch)"
"$LPATCH" --help >"$WORK/help" || fail "lpatch --help failed"
# NAME COLUMN for each command line: the column where its summary starts
awk '/^commands:$/ { on = 1; next }
     on && /^$/ { exit }
     on { if (!match($0, /^  [a-z-]+ +/)) { print "BAD " $0; next }
          n = $0; sub(/^  /, "", n); sub(/ .*/, "", n); print n, RLENGTH + 1 }' \
	"$WORK/help" >"$WORK/cols"
[ "$(wc -l <"$WORK/cols")" -ge 10 ] || { cat "$WORK/help"; fail "found fewer than 10 commands in lpatch --help"; }
has -x 'BAD .*' "$WORK/cols" && { cat "$WORK/cols"; fail "a line of the command list is not '  NAME  SUMMARY'"; }
longest=$(awk '{ if (length($1) > m) m = length($1) } END { print m }' "$WORK/cols")
want=$((2 + longest + 2))
awk -v w="$want" '$2 != w { print; bad = 1 } END { exit bad }' "$WORK/cols" >"$WORK/off" ||
	{ cat "$WORK/help"; echo "commands whose summary does not start at column $want:"; cat "$WORK/off"; fail "lpatch --help's command list is not aligned"; }
has -x 'quarantine .*' "$WORK/cols" || fail "lpatch --help does not list quarantine"
echo "PASS: $(wc -l <"$WORK/cols") commands, summaries at column $want"
