#!/usr/bin/env bash
# Bad input: wrong build-id, a PID that does not exist, no permission, a process
# that exits midway, a file that is not a patch. Each gives a clear error and
# leaves the target untouched.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

mkdir -p "$WORK/a" "$WORK/b"
$CC -O2 -g -o "$WORK/a/loop" "$FIX/loop.c" || fail "cannot build loop"
$CC -O2 -g -DVARIANT=2 -o "$WORK/b/loop" "$FIX/loop.c" -Wl,--build-id=sha1 -fno-inline-small-functions ||
	fail "cannot build the other loop"
cmp -s "$WORK/a/loop" "$WORK/b/loop" && fail "the two builds are identical"
patch_obj "$WORK/new.o" "$FIX/loop.c" -DPATCH_MESSAGE
"$MKPATCH" -o "$WORK/msg.lpatch" --name msg --target "$WORK/a/loop" "$WORK/new.o" message ||
	fail "mkpatch failed"
bid_a=$(readelf -n "$WORK/a/loop" | awk '/Build ID/ {print $3}')
bid_b=$(readelf -n "$WORK/b/loop" | awk '/Build ID/ {print $3}')
[ "$bid_a" != "$bid_b" ] || fail "the two builds have the same build-id"

untouched() { # PID OUT: still the original code, no patch recorded
	: >"$2"
	wait_line "$2" "report v1"
	expect_not_contains "$2" "patched message"
	"$LPATCH" ps --pid "$1" >"$WORK/ps.txt" || fail "ps failed"
	expect_contains "$WORK/ps.txt" "no process has a patch applied"
}

# 1. wrong build-id: refused (exit 2), naming both
start other "$WORK/b/loop"
wait_line "$WORK/other.out" "report v1"
"$LPATCH" apply --pid "$PID" "$WORK/msg.lpatch" >"$WORK/1.log" 2>&1
st=$?
cat "$WORK/1.log"
[ "$st" -eq 2 ] || fail "wrong build-id: exit $st, expected 2"
expect_contains "$WORK/1.log" "$bid_a"
expect_contains "$WORK/1.log" "$bid_b"
untouched "$PID" "$WORK/other.out"

# 2. a PID that does not exist
true & gone=$!; wait "$gone"
"$LPATCH" apply --pid "$gone" "$WORK/msg.lpatch" >"$WORK/2.log" 2>&1 && fail "apply to a dead pid succeeded"
cat "$WORK/2.log"
expect_contains "$WORK/2.log" "no process $gone"
"$LPATCH" revert --pid "$gone" >"$WORK/2r.log" 2>&1 && fail "revert of a dead pid succeeded"
expect_contains "$WORK/2r.log" "no process $gone"

# 3. no permission: an unprivileged user against root's process
start target "$WORK/a/loop"
wait_line "$WORK/target.out" "report v1"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$WORK"; chmod 644 "$WORK/msg.lpatch"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$LPATCH" apply --pid "$PID" \
		"$WORK/msg.lpatch" >"$WORK/3.log" 2>&1 && fail "apply as nobody succeeded"
	cat "$WORK/3.log"
	expect_contains "$WORK/3.log" "not permitted"
	untouched "$PID" "$WORK/target.out"
else
	echo "note: not root, permission case not checked"
fi

# 4. not a patch
echo "hello" >"$WORK/junk.lpatch"
"$LPATCH" apply --pid "$PID" "$WORK/junk.lpatch" >"$WORK/4.log" 2>&1
st=$?
cat "$WORK/4.log"
[ "$st" -eq 2 ] || fail "junk file: exit $st, expected 2"
expect_contains "$WORK/4.log" "junk.lpatch"
"$LPATCH" apply --pid "$PID" "$WORK/new.o" >"$WORK/4b.log" 2>&1 && fail "a plain object was applied"
expect_contains "$WORK/4b.log" "no .lpatch.meta"
untouched "$PID" "$WORK/target.out"

# 5. the process exits while apply waits for a busy function
$CC -O2 -g -pthread -o "$WORK/blocker" "$FIX/blocker.c" || fail "cannot build blocker"
patch_obj "$WORK/bnew.o" "$FIX/blocker.c" -DPATCHED
"$MKPATCH" -o "$WORK/spin.lpatch" --name spin --target "$WORK/blocker" "$WORK/bnew.o" spin_forever ||
	fail "mkpatch failed"
start blocker "$WORK/blocker"
wait_line "$WORK/blocker.out" "brief=1"
t0=$(date +%s%N)
"$LPATCH" apply --pid "$PID" --timeout 5000 "$WORK/spin.lpatch" >"$WORK/5.log" 2>&1 &
ap=$!
sleep 0.3
kill -9 "$PID"
wait "$ap"; st=$?
ms=$((($(date +%s%N) - t0) / 1000000))
cat "$WORK/5.log"
[ "$st" -ne 0 ] || fail "apply succeeded on a process that was killed"
[ "$ms" -lt 3000 ] || fail "apply took $ms ms to notice the process exited"
expect_contains "$WORK/5.log" "exited"
echo "PASS: every bad input refused with a clear error"
