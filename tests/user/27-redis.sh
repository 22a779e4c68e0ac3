#!/usr/bin/env bash
# A real server built with a plain Makefile: Debian 12's redis 7.0.15, built
# `make MALLOC=libc` as its README says (deps/ built behind stamp files). A
# one-function fix (PING's reply, in pingCommand) is built with lpatch from the
# pristine source by redis's own build, verified against the production
# redis-server, and carries only that function; it is applied and reverted 20
# times while redis-benchmark loads the server and a client keeps 4 connections
# busy with checked SET/GET requests: no request fails, nothing crashes.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
source "$(dirname "$0")/real-lib.sh"

real_source redis 5:7.0.15-1~deb12u10
real_build redis "make -j2 MALLOC=libc"
BIN=$BUILT/src/redis-server
PATCH=$FIX/real/redis-ping.patch

real_patch "$WORK/redis.lpatch" "$BIN" "make -j2 MALLOC=libc" "$PATCH" '["pingCommand"]'

PORT=$(free_port)
start redis "$BIN" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no
wait_port "$PORT"
probe="python3 $TOP/tests/user/kvload.py redis $PORT probe"
[ "$(eval "$probe")" = "PONG" ] || fail "redis does not answer PING with PONG"

"$BUILT/src/redis-benchmark" -p "$PORT" -c 8 -n 100000000 -t ping,set,get -q -l \
	>"$WORK/bench.out" 2>&1 &
BENCH=$!; PIDS+=("$BENCH")
python3 "$TOP/tests/user/kvload.py" redis "$PORT" 4 "$WORK/stop" >"$WORK/load.out" 2>&1 &
LOAD=$!
for ((i = 0; i < 600; i++)); do [ -e "$WORK/stop.ready" ] && break; sleep 0.1; done
[ -e "$WORK/stop.ready" ] || fail "the client did not start"
cycles 20 "$PID" "$WORK/redis.lpatch" redis-ping "$probe" "PONG lpatch" PONG
touch "$WORK/stop"
wait "$LOAD"; st=$?
kill "$BENCH" 2>/dev/null; wait "$BENCH" 2>/dev/null
cat "$WORK/load.out"
[ "$st" -eq 0 ] || fail "the client saw failed requests"
grep -qE "^requests [1-9][0-9]* failed 0$" "$WORK/load.out" || fail "no request was made"
tr '\r' '\n' <"$WORK/bench.out" | grep -iE "error|refused|reset" && fail "redis-benchmark saw errors"
grep -q "requests per second" "$WORK/bench.out" || tr '\r' '\n' <"$WORK/bench.out" | has "rps=" ||
	fail "redis-benchmark made no requests"
alive "$PID"
echo "PASS: redis (plain Makefile) patched and reverted 20 times under load, no failed request"
