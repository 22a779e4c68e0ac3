#!/usr/bin/env bash
# The runtime side of patches for stripped files (what build --deb makes): a process
# running a stripped copy of the program (same build-id, no .symtab) is patched from the
# patch's own lines: func= checked against the file's code sections, the static `counter`
# of a.c bound through its ref= line, the other `counter` of b.c left alone. Before,
# apply refused ("has no function at"), since it looked each function up in .symtab.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project twin
sed '/^--- a\/b.c/,$d' "$FIX/twin/both.patch" >"$WORK/a.patch"
user_build "$WORK/a.lpatch" "$SRC/twin" "$WORK/a.patch" --name a
readelf -p .lpatch.meta "$WORK/a.lpatch" | has 'ref=counter ' || fail "the patch binds no counter"

mkdir -p "$WORK/bin"; objcopy --strip-all "$SRC/twin" "$WORK/bin/twin" || fail "cannot strip twin"
! readelf -SW "$WORK/bin/twin" | has -F ' .symtab ' || fail "the copy still has a symbol table"
[ "$(readelf -n "$WORK/bin/twin" | grep 'Build ID')" = "$(readelf -n "$SRC/twin" | grep 'Build ID')" ] ||
	fail "strip changed the build-id"

start twin "$WORK/bin/twin"; pid=$PID
wait_line "$WORK/twin.out" "^a=[0-9]+ b=[0-9]+$"
# steps DA DB WHAT: after fresh output, each line's a grows by DA and b by DB
steps() { local da=$1 db=$2
	: >"$WORK/twin.out"
	wait_line "$WORK/twin.out" "^a=[0-9]+ b=[0-9]+$"
	sleep 0.3
	tail -n 3 "$WORK/twin.out" | awk -v da="$da" -v db="$db" '
		NR > 1 { split(p, x, /[=b ]+/); split($0, y, /[=b ]+/)
			 if (y[2] - x[2] != da || y[3] - x[3] != db) bad = 1 }
		{ p = $0 } END { exit bad }' || { cat "$WORK/twin.out"; fail "$3"; }
}
lp_ok "$WORK/apply.log" "apply to the stripped program" apply --pid "$pid" "$WORK/a.lpatch"
# a grows by 3 (its own counter), b still by 2 (the other counter, untouched)
steps 3 2 "the patched fa() does not add 3 to a.c's counter"
lp_ok "$WORK/revert.log" "revert" revert --pid "$pid" a
steps 1 2 "fa() does not add 1 after revert"
alive "$pid"
echo "PASS: a patch applied to and reverted from a stripped program, a static bound by its ref= line"
