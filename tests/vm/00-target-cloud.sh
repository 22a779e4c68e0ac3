# lpatch target fetches and prepares every part of the target kernel (boot,
# headers, symbols, source), the parts are really there and usable (an
# external module builds against the headers), and a second run is fast.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip "jq is not installed"

start=$(date +%s%N)
"$LPATCH" target --json --need all "$TARGET" >"$WORK/t.json" 2>"$WORK/err" ||
	{ cat "$WORK/err"; fail "lpatch target $TARGET failed"; }
echo "first run: $(( ($(date +%s%N) - start) / 1000000 )) ms"
field() { jq -er ".$1" "$WORK/t.json" || fail "no $1 in the output: $(cat "$WORK/t.json")"; }

rel=$(field release)
case $rel in *-*-*) ;; *) fail "release '$rel' does not look like a Debian release" ;; esac
for key in vmlinuz config vmlinux system_map symvers headers modules src; do
	p=$(field $key)
	[ -e "$p" ] || fail "$key: $p does not exist"
done
[ "$(field cc)" = gcc-12 ] || fail "cc is $(field cc), not gcc-12"
[ -s "$(field modules)/modules.dep" ] || fail "no modules.dep in $(field modules)"
[ -f "$(field modules)/kernel/fs/xfs/xfs.ko" ] || fail "the cloud kernel's xfs module is missing"
grep -q "UTS_RELEASE \"$rel\"" "$(field src)/include/generated/utsrelease.h" ||
	fail "the prepared source is not for $rel"
[ -x "$(field src)/scripts/mod/modpost" ] || fail "the source tree is not prepared (no modpost)"
grep -aq "Linux version $rel " "$(field vmlinux)" || fail "the vmlinux is not $rel"
grep -q ' [tT] cmdline_proc_show$' "$(field system_map)" || fail "System.map is the placeholder"

# the headers tree builds an external module for this exact kernel
mkdir "$WORK/mod"
printf '#include <linux/module.h>\nstatic int __init t_init(void) { return 0; }\nmodule_init(t_init);\nMODULE_LICENSE("GPL");\n' >"$WORK/mod/t.c"
echo 'obj-m := t.o' >"$WORK/mod/Kbuild"
make -C "$(field headers)" M="$WORK/mod" modules >"$WORK/make.log" 2>&1 ||
	{ tail -20 "$WORK/make.log"; fail "building a module against $(field headers) failed"; }
readelf -p .modinfo "$WORK/mod/t.ko" >"$WORK/modinfo"
expect_contains "$WORK/modinfo" "vermagic=$rel SMP"

# everything is cached now: no apt, no make, well under 2 s
start=$(date +%s%N)
"$LPATCH" target --json --need all "$TARGET" >"$WORK/t2.json" 2>"$WORK/err2" ||
	{ cat "$WORK/err2"; fail "second lpatch target failed"; }
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "second run: $ms ms"
[ "$ms" -lt 2000 ] || fail "the second run took $ms ms (>= 2 s)"
cmp -s "$WORK/t.json" "$WORK/t2.json" || fail "the second run printed other paths"
expect_not_contains "$WORK/err2" "extracting"
expect_not_contains "$WORK/err2" "downloading"
exit 0
