# No "| grep -q" in the host side of a shell script under pipefail: grep -q
# stops at the first match, the writer then dies of SIGPIPE, and pipefail
# turns the match into a failure now and then (vm/19 failed in CI so). Tests
# use has (tests/lib.sh); scripts write grep ... >/dev/null. Lines inside a
# heredoc (guest scripts run by busybox sh, no pipefail) are not checked.
. "$(dirname "$0")/../lib.sh"

scan() { # FILE...: print FILE:LINE: TEXT for each offending line
	awk '
	FNR == 1 { hd = "" }
	hd != "" { t = $0; sub(/^\t*/, "", t); if (t == hd) hd = ""; next }
	{
		if (match($0, /<<-?[ ]*["\x27]?[A-Za-z_]+/)) {
			hd = substr($0, RSTART, RLENGTH); gsub(/[<\-"\x27 ]/, "", hd)
		}
		if ($0 ~ /^[ \t]*#/) next
		if ($0 ~ /\|[ \t]*grep -[A-Za-z]*q[A-Za-z]*([ \t]|$)/)
			printf "%s:%d: %s\n", FILENAME, FNR, $0
	}' "$@"
}

mapfile -t files < <(cd "$TOP" && git ls-files '*.sh' 'tests/run' | sed "s|^|$TOP/|")
[ ${#files[@]} -gt 10 ] || fail "found only ${#files[@]} shell scripts in the tree"
scan "${files[@]}" >"$WORK/found"
[ -s "$WORK/found" ] && { cat "$WORK/found"; fail "a pipeline ends in grep -q (use has, or grep >/dev/null)"; }

# planted: one offending line is found, one inside a guest heredoc is not
cat >"$WORK/planted.sh" <<'P'
cat >"$WORK/guest.sh" <<'G'
uptime | grep -q days || die "in the guest: fine"
G
readelf -sW x.ko | grep -qE ' sym$' || fail "on the host: not fine"
P
scan "$WORK/planted.sh" >"$WORK/p"
[ "$(wc -l <"$WORK/p")" = 1 ] && grep -qF "planted.sh:4: readelf" "$WORK/p" ||
	{ cat "$WORK/p"; fail "the scan did not find exactly the planted host line"; }

# has itself: a writer killed by SIGPIPE is not a failure
{ seq 1 200000; } | has -x 5 || fail "has failed on a long pipe with an early match"
echo "PASS: no pipeline under pipefail ends in grep -q"
