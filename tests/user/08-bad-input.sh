#!/usr/bin/env bash
# Bad input: wrong build-id, a PID that does not exist, no permission, a process
# that exits midway, a file that is not a patch. Each gives a clear error and
# leaves the target untouched.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

# a/loop: the build the patch is for; b/loop: the same program built differently
project loop
mv "$SRC" "$WORK/a"; SRC="$WORK/a"
user_build "$WORK/msg.lpatch" "$WORK/a/loop" "$FIX/loop/message.patch" --name msg
project loop CFLAGS="-O2 -g -fno-inline-small-functions" LDFLAGS=-Wl,--build-id=sha1
mv "$SRC" "$WORK/b"
cmp -s "$WORK/a/loop" "$WORK/b/loop" && fail "the two builds are identical"
bid_a=$(readelf -n "$WORK/a/loop" | awk '/Build ID/ {print $3}')
bid_b=$(readelf -n "$WORK/b/loop" | awk '/Build ID/ {print $3}')
[ "$bid_a" != "$bid_b" ] || fail "the two builds have the same build-id"

untouched() { # PID OUT: still the original code, no patch recorded
	: >"$2"
	wait_line "$2" "report v1"
	expect_not_contains "$2" "patched message"
	expect_unpatched "$1"
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
	# --all cannot see into root's process: it says so, not that nothing maps the object
	setpriv --reuid=65534 --regid=65534 --clear-groups "$LPATCH" apply --all \
		"$WORK/msg.lpatch" >"$WORK/3b.log" 2>&1 && fail "apply --all as nobody succeeded"
	cat "$WORK/3b.log"
	expect_contains "$WORK/3b.log" "cannot be read: Permission denied"
	expect_contains "$WORK/3b.log" "run as root"
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
"$LPATCH" apply --pid "$PID" "$WORK/a/loop.o" >"$WORK/4b.log" 2>&1 && fail "a plain object was applied"
expect_contains "$WORK/4b.log" "no .lpatch.meta"
untouched "$PID" "$WORK/target.out"

# 5. the process exits while apply waits for a busy function
project blocker
user_build "$WORK/spin.lpatch" "$SRC/blocker" "$FIX/blocker/spin.patch" --name spin
start blocker "$SRC/blocker"
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
