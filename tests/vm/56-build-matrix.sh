# One fix for several releases in one command (issue 11, item 4): a real fix
# of Debian's 6.1.187-1 -> 6.1.190-1 update (kernel/sys.c, prctl_set_auxv
# copies only the auxv it was given) built for 6.1.0-53 (6.1.187-1, which
# lacks it), 6.1.0-54 (6.1.190-1) and 6.1.0-57 (both already have it: the
# diff does not apply, its reverse does). The matrix is read with jq; the
# module built goes live in the VM on 6.1.0-53. Needs those three releases
# (about 460 MB of downloads and 2.3 GB of cache each when not cached).
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip "no jq"
old=6.1.0-53-cloud-amd64 fixed=6.1.0-54-cloud-amd64 newest=6.1.0-57-cloud-amd64
patch=$TOP/tests/vm/patches/real-sys-auxv.patch
for r in $old $fixed $newest; do
	"$LPATCH" target --need boot "debian:$r" >"$WORK/t.log" 2>&1 ||
		{ grep -q "Debian has no kernel" "$WORK/t.log" && skip "LOUDLY: apt has no $r (apt-get update?)"; cat "$WORK/t.log"; fail "cannot fetch $r"; }
done

# 1. the matrix as JSON: built / already fixed / already fixed, exit 0
start=$(date +%s)
"$LPATCH" build --json -j 2 --target "debian:$old" --target "debian:$fixed" --target "debian:$newest" \
	-o "$WORK/out" "$patch" >"$WORK/m.json" 2>"$WORK/m.log"
st=$?
echo "matrix of 3 releases: $(( $(date +%s) - start )) s"
[ $st -eq 0 ] || { cat "$WORK/m.log" "$WORK/m.json"; fail "matrix: exit $st, expected 0"; }
jq . "$WORK/m.json" >/dev/null || fail "--json printed no JSON"
res() { jq -r --arg r "$1" ".releases[] | select(.release == \$r) | .$2" "$WORK/m.json"; }
[ "$(jq '.releases | length' "$WORK/m.json")" = 3 ] || fail "not 3 releases in the matrix"
[ "$(jq -r '[.releases[].release] | join(" ")' "$WORK/m.json")" = "$old $fixed $newest" ] ||
	fail "the matrix is not in the order of the targets"
[ "$(res $old result)" = built ] || { cat "$(res $old log)"; fail "$old: $(res $old result): $(res $old reason)"; }
[ "$(res $old version)" = 6.1.187-1 ] || fail "$old's version is $(res $old version)"
for r in $fixed $newest; do
	[ "$(res $r result)" = "already fixed" ] || { cat "$(res $r log)"; fail "$r: $(res $r result), not already fixed: $(res $r reason)"; }
	[ "$(res $r module)" = null ] || fail "$r: a module for an already fixed release"
	res $r reason | has "its reverse applies cleanly" || fail "$r: reason '$(res $r reason)'"
	ls "$WORK/out/$r"/*.ko 2>/dev/null && fail "$r: a module was written"
done
[ "$(jq -c .counts "$WORK/m.json")" = '{"built":1,"already fixed":2,"no change":0,"refused":0,"failed":0}' ] ||
	fail "counts: $(jq -c .counts "$WORK/m.json")"
ko=$(res $old module)
[ "$ko" = "$WORK/out/$old/livepatch-real-sys-auxv.ko" ] || fail "module at '$ko'"
[ -s "$ko" ] || fail "no module at $ko"
[ "$(ko_vermagic "$ko")" = $old ] || fail "vermagic of $ko is $(ko_vermagic "$ko")"
expect_contains "$(res $old log)" "changed prctl_set_auxv"
expect_contains "$WORK/m.log" "$old: built"

# 2. the table: both already fixed, nothing built: exit 3
"$LPATCH" build --target "debian:$fixed" --target "debian:$newest" -o "$WORK/out2" "$patch" \
	>"$WORK/t.out" 2>"$WORK/t.err"
st=$?
cat "$WORK/t.out"
[ $st -eq 3 ] || { cat "$WORK/t.err"; fail "all already fixed: exit $st, expected 3"; }
grep -Eq "^$fixed +6\.1\.190-1 +already fixed " "$WORK/t.out" || fail "no 'already fixed' row for $fixed"
expect_contains "$WORK/t.out" "2 releases, 2 already fixed"

# 3. an unknown release is refused in its row (exit 2), the others still built
"$LPATCH" build --json --target debian:6.1.0-9999-cloud-amd64 --target "debian:$fixed" \
	-o "$WORK/out3" "$patch" >"$WORK/r.json" 2>"$WORK/r.log"
st=$?
[ $st -eq 2 ] || { cat "$WORK/r.log" "$WORK/r.json"; fail "unknown release: exit $st, expected 2"; }
[ "$(jq -r '.releases[0].result' "$WORK/r.json")" = refused ] || fail "unknown release not refused"
jq -r '.releases[0].reason' "$WORK/r.json" | has "Debian has no kernel 6.1.0-9999-cloud-amd64" ||
	fail "reason: $(jq -r '.releases[0].reason' "$WORK/r.json")"
[ "$(jq -r '.releases[1].result' "$WORK/r.json")" = "already fixed" ] || fail "second row not tried"

# 4. sets: @all of a release, or an unknown set, are refused before anything is built
"$LPATCH" build --target "debian:$old@all" -o "$WORK/out4" "$patch" >"$WORK/s.log" 2>&1
[ $? -eq 2 ] || { cat "$WORK/s.log"; fail "RELEASE@all: not refused"; }
expect_contains "$WORK/s.log" "@all follows a flavour"
"$LPATCH" build --target "debian:cloud@newest" -o "$WORK/out4" "$patch" >"$WORK/s.log" 2>&1
[ $? -eq 2 ] || { cat "$WORK/s.log"; fail "unknown set: not refused"; }
expect_contains "$WORK/s.log" "unknown release set '@newest'"
[ ! -e "$WORK/out4" ] || fail "an output directory for a refused set"

# 5. the module built for 6.1.0-53 goes live there
TARGET=debian:$old
in_vm "$WORK/vm" "$TOP/tests/vm/load-each-guest.sh" "$ko"
expect_contains "$WORK/vm" "booting $old "
expect_contains "$WORK/vm" "LIVE livepatch-real-sys-auxv.ko vmlinux: prctl_set_auxv,1"
expect_contains "$WORK/vm" "GUEST-OK 1"
exit 0
