# Sourced by VM tests that run on both Debian flavours (after ../lib.sh).
# FLAVOURS: the targets to try, the cloud flavour and the generic one
# ($LPATCH_TEST_GENERIC, default debian:amd64).
FLAVOURS=("${LPATCH_TEST_TARGET:-debian:cloud}" "${LPATCH_TEST_GENERIC:-debian:amd64}")
# flavour_ready SPEC: 0 when SPEC's -dbg package (vmlinux and modules with
# symbols, which a build needs) is already in lpatch's cache; else prints
# why and returns 1, so the caller skips that flavour loudly instead of
# downloading ~1 GB in a test. Sets REL to SPEC's release.
flavour_ready() {
	REL=$("$LPATCH" target --json --need boot "$1" 2>"$WORK/target.err" | jq -r '.release // empty')
	[ -n "$REL" ] || { cat "$WORK/target.err" >&2; fail "lpatch target --need boot $1 failed"; }
	if [ -s "$LPATCH_CACHE/targets/$REL/symbols/vmlinux-$REL" ] ||
	   ls "$LPATCH_CACHE"/debs/linux-image-"$REL"-dbg_*.deb >/dev/null 2>&1; then
		return 0
	fi
	echo "SKIP (LOUDLY) for $1: linux-image-$REL-dbg is not in $LPATCH_CACHE; run" \
		"'lpatch target --need symbols $1' once to fetch it" >&2
	return 1
}
# flavour_start SPEC: flavour_ready SPEC, and the "== SPEC (RELEASE)" header
# of its part of the output.
flavour_start() {
	flavour_ready "$1" || return 1
	echo "== $1 ($REL)"
}
# flavours_ran N: skip the test, loudly, when no flavour (N = 0) was ready.
flavours_ran() {
	[ "$1" -gt 0 ] || skip "LOUDLY: no flavour has its -dbg package in $LPATCH_CACHE"
}
