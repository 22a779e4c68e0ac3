# debian13:cloud@all's newest two releases (as `lpatch target
# debian13:cloud@all` lists them, tests/vm/74) built by the matrix (--json,
# -j 1): the seed patch for each, verified against its own -dbg vmlinux.
# lpatch-test: long: fetches and prepares a second 6.12 release (about 1.5 GB of packages and a tree; 400 s at load 20)
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip "no jq"
SET=debian13:cloud@all

"$LPATCH" target --json "$SET" >"$WORK/set.json" 2>"$WORK/set.err" ||
	{ cat "$WORK/set.err"; fail "lpatch target $SET failed"; }
# the matrix of the newest two, as JSON
first=$(json_get "$WORK/set.json" '.targets[0]') || exit 1
second=$(json_get "$WORK/set.json" '.targets[1]') || exit 1
start=$(date +%s)
"$LPATCH" build --json -j 1 --target "$first" --target "$second" --name livepatch-meminfo \
	-o "$WORK/out" "$TOP/tests/vm/patches/meminfo-vmallocchunk-6.12.patch" >"$WORK/m.json" 2>"$WORK/m.log"
st=$?
echo "matrix of 2 releases: $(( $(date +%s) - start )) s"
[ $st -eq 0 ] || { cat "$WORK/m.log" "$WORK/m.json"; fail "matrix: exit $st, expected 0"; }
json_is "$WORK/m.json" '.releases | length' 2
json_is "$WORK/m.json" '.counts.built' 2
for spec in "$first" "$second"; do
	rel=${spec#debian13:}
	res() { jq -r --arg r "$rel" ".releases[] | select(.release == \$r) | .$1" "$WORK/m.json"; }
	[ "$(res result)" = built ] || { cat "$(res log)"; fail "$rel: $(res result): $(res reason)"; }
	ko=$(res module)
	[ -s "$ko" ] || fail "$rel: no module at '$ko'"
	[ "$(ko_vermagic "$ko")" = "$rel" ] || fail "vermagic of $ko is $(ko_vermagic "$ko"), not $rel"
	expect_contains "$(res log)" "fs/proc/meminfo.o: verified against vmlinux"
	expect_contains "$(res log)" "changed meminfo_proc_show"
	echo "$rel: built, verified"
done
