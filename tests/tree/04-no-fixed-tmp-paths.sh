# No fixed path under /tmp in the C sources: a debugging leftover such as
# fopen("/tmp/NAME/timing") works on the machine it was written on, where the
# directory exists, and fails everywhere else (lpatch-hook crashed at every
# patched start on a clean machine so). Temporary files go through
# $TMPDIR (src/util/fs.c), caches through $LPATCH_CACHE.
. "$(dirname "$0")/../lib.sh"

scan() { # FILE...: FILE:LINE: TEXT for a string literal naming something under /tmp
	grep -HnE '"/tmp/[^"]' "$@" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|//)' || true
}

mapfile -t files < <(cd "$TOP" && git ls-files 'src/*.c' 'src/*.h' 'fuzz/*.c' | sed "s|^|$TOP/|")
[ ${#files[@]} -gt 50 ] || fail "found only ${#files[@]} C files in the tree"
scan "${files[@]}" >"$WORK/found"
[ -s "$WORK/found" ] && { cat "$WORK/found"; fail "a C source names a fixed path under /tmp"; }

# planted: a debugging write is found; the /tmp fallback for an unset TMPDIR and a comment are not
cat >"$WORK/planted.c" <<'P'
	FILE *f = fopen("/tmp/h14s/timing", "a");
	const char *t = tmp && *tmp ? tmp : "/tmp";
 * e.g. "/tmp/lpatch-build.XXXXXX"
P
scan "$WORK/planted.c" >"$WORK/p"
[ "$(wc -l <"$WORK/p")" = 1 ] && grep -qF "planted.c:1:" "$WORK/p" ||
	{ cat "$WORK/p"; fail "the scan did not find exactly the planted line"; }
echo "PASS: no C source names a fixed path under /tmp"
