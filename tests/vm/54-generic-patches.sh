# CI runs a vmlinux patch and a module patch on the generic flavour too, not
# only on cloud: the seed VmallocChunk patch (tests/vm/11) and the binfmt_misc
# + cmdline patch with the module loaded before, after and again under the
# patch (tests/vm/40), both run as they are with LPATCH_TEST_TARGET set to
# the generic release (LPATCH_TEST_GENERIC, default debian:amd64). binfmt_misc
# is a module in both flavours, so the one test fits both. The generic -dbg is
# 859 MB: it is downloaded once into lpatch's cache.
. "$(dirname "$0")/../lib.sh"
GENERIC=${LPATCH_TEST_GENERIC:-debian:amd64}

"$LPATCH" target --json --need boot "$GENERIC" >"$WORK/t.json" 2>"$WORK/t.err" ||
	{ cat "$WORK/t.err"; fail "lpatch target $GENERIC failed"; }
rel=$(json_get "$WORK/t.json" .release) || exit 1
config=$(json_get "$WORK/t.json" .config) || exit 1
case $rel in
*-cloud-*) fail "$GENERIC is the cloud flavour ($rel): this test is for the generic one" ;;
esac
grep -q '^CONFIG_BINFMT_MISC=m$' "$config" ||
	skip "LOUDLY: $rel builds binfmt_misc in: tests/vm/40 needs it as a module"
for t in 11-build-meminfo 40-module-load-orders; do
	LPATCH_TEST_TARGET=$GENERIC bash "$TOP/tests/vm/$t.sh" >"$WORK/$t.log" 2>&1; st=$?
	[ $st -eq 0 ] || { tail -40 "$WORK/$t.log"; fail "tests/vm/$t.sh on $rel: exit $st"; }
	echo "$t on $rel: passed"
done
