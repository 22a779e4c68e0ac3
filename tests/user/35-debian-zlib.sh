#!/usr/bin/env bash
# Debian's installed, stripped zlib: a one-function patch (zlibVersion returns a marker)
# built from Debian's source of the installed version (lpatch build --user --deb zlib1g:
# apt-get source, build-dep, dpkg-buildpackage, symbols from a rebuild whose code must be
# the installed file's), applied with apply --all to every process that maps libz.so.1
# (two python3 loops, one with threads, and a C program linked with -lz), observed in
# each, and reverted. Runs in a PID namespace, so that apply --all sees only the
# processes this test started (other processes of the machine map zlib too).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root: installs zlib's build dependencies and uses a PID namespace"
for t in dpkg-query dpkg-buildpackage apt-get unshare /usr/bin/python3; do
	command -v "$t" >/dev/null || skip "$t is not installed"
done
LIB=$(dpkg-query -L zlib1g 2>/dev/null | grep -E '/libz\.so\.1\.[0-9.]+$' | head -1)
[ -n "$LIB" ] && [ -f "$LIB" ] || skip "zlib1g is not installed"
FIXD="$FIX/deb-zlib"
# the premise: Debian ships it stripped, so its symbols must come from a rebuild
! readelf -SW "$LIB" | has -F ' .symtab ' || fail "$LIB has a symbol table: not stripped"

# build; the source and the reference build are cached in $LPATCH_CACHE/deb-src
start_s=$(date +%s)
"$LPATCH" build --user --deb zlib1g -o "$WORK/z.lpatch" --json "$FIXD/zlib-version.patch" \
	>"$WORK/build.json" 2>"$WORK/build.log" || { cat "$WORK/build.log"; fail "build --deb zlib1g failed"; }
echo "build --user --deb zlib1g: $(($(date +%s) - start_s)) s"
grep -E "source|reference build|same code|linked from|wrote" "$WORK/build.log"
expect_contains "$WORK/build.log" "the same code as the rebuild"
json_is "$WORK/build.json" '[.functions[].name]' '["zlibVersion"]'
json_is "$WORK/build.json" '.object' "$(basename "$(readlink -f "$LIB")")"
want_bid=$(readelf -n "$(readlink -f "$LIB")" | sed -n 's/.*Build ID: //p')
json_is "$WORK/build.json" '.build_id' "$want_bid"
# the installed file is stripped: the address is the one of zlibVersion in its .dynsym
addr=$(json_get "$WORK/build.json" '.functions[0].address') || exit 1
dyn=$(readelf -W --dyn-syms "$LIB" | awk '$8 ~ /^zlibVersion(@|$)/ { print $2; exit }')
[ "$((addr))" = "$((16#$dyn))" ] || fail "zlibVersion at $addr in the patch, at 0x$dyn in $LIB"

cc -O2 -o "$WORK/zver" "$FIXD/zver.c" -lz || fail "cannot build the C program"
ver=$(/usr/bin/python3 -c 'import ctypes; z = ctypes.CDLL("libz.so.1"); z.zlibVersion.restype = ctypes.c_char_p; print(z.zlibVersion().decode())')

# in a PID namespace of its own: the processes, apply --all, the checks, revert
cat >"$WORK/inner.sh" <<INNER || fail "cannot write the inner script"
source "$TOP/tests/lib.sh"
source "$TOP/tests/user/user-lib.sh"
OW="$WORK"
ver="$ver"
so="$(basename "$(readlink -f "$LIB")")"
start py1 /usr/bin/python3 "$FIXD/zver.py" py1; py1=\$PID
start py2 /usr/bin/python3 "$FIXD/zver.py" py2 threads; py2=\$PID
start c "\$OW/zver" c; c=\$PID
for n in py1 py2 c; do wait_line "\$WORK/\$n.out" "^\$n \$ver [0-9]+\\$" 20; done
for p in \$py1 \$py2 \$c; do grep -q libz.so.1 /proc/\$p/maps || fail "process \$p does not map libz.so.1"; done

"\$LPATCH" apply --all --json "\$OW/z.lpatch" >"\$WORK/apply.json" 2>"\$WORK/apply.err" ||
	{ cat "\$WORK/apply.json" "\$WORK/apply.err"; fail "apply --all failed"; }
cat "\$WORK/apply.json"
json_is "\$WORK/apply.json" "[.[] | select(.applied | not)] | length" 0
json_is "\$WORK/apply.json" "[.[] | select(.applied) | .pid] | sort" "\$(printf '%s\n' \$py1 \$py2 \$c | sort -n | jq -s -c .)"
for n in py1 py2 c; do wait_line "\$WORK/\$n.out" "^\$n \$ver-lpatched [0-9]+\\$" 5; done
"\$LPATCH" ps --json >"\$WORK/ps.json"
json_is "\$WORK/ps.json" "[.[] | .patches[] | select(.name == \"zlib-version\") | .object | endswith(\"/\$so\")]" '[true,true,true]'

for p in \$py1 \$py2 \$c; do lp_ok "\$WORK/revert.log" "revert in \$p" revert --pid "\$p" zlib-version; done
for n in py1 py2 c; do wait_line "\$WORK/\$n.out" "^\$n \$ver [0-9]+\\$" 5; done
for p in \$py1 \$py2 \$c; do alive "\$p"; expect_unpatched "\$p"; done
# the compressed output never changed: only zlibVersion was replaced
for n in py1 py2 c; do
	[ "\$(awk '{ print \$3 }' "\$WORK/\$n.out" | sort -u | wc -l)" = 1 ] || fail "\$n: compress output changed"
done
: >"\$OW/inner.done"
INNER
unshare --pid --fork --mount-proc bash "$WORK/inner.sh" || fail "the patched processes did not behave"
[ -e "$WORK/inner.done" ] || fail "the steps in the PID namespace did not all run"
echo "PASS: Debian's installed zlib patched in 3 processes (python3, python3 with threads, C -lz) with apply --all, and reverted"
