#!/usr/bin/env bash
# A real server built with autotools: Debian 12's memcached 1.6.18, built
# `./configure && make` as production would. A one-function fix (the version
# that `stats` reports, in server_stats) is built with lpatch from the pristine
# source by the project's own build (configure runs through the wrapper, one-step
# links included), verified against the production binary, and carries only that
# function; it is applied and reverted 20 times while a client keeps 4
# connections busy with checked set/get requests: no request fails, nothing crashes.
# lpatch-test: long: memcached's autotools build and 20 cycles under its benchmark (98 s warm); CI keeps the other real projects: redis (make), serd (Meson), zlib (Debian's build), the CMake C++ program
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
source "$(dirname "$0")/real-lib.sh"

pkg-config --exists libevent || skip "libevent-dev is not installed (scripts/deps.sh --test)"
real_source memcached 1.6.18-1
real_build memcached "./configure && make -j2"
BIN=$BUILT/memcached
PATCH=$FIX/real/memcached-stats-version.patch

real_patch "$WORK/mc.lpatch" "$BIN" "./configure && make -j2" "$PATCH" '["server_stats"]'

PORT=$(free_port)
start memcached "$BIN" -p "$PORT" -U 0 -l 127.0.0.1 -t 4 -u root
wait_port "$PORT"
probe="python3 $TOP/tests/user/kvload.py memcached $PORT probe"
[ "$(eval "$probe")" = "1.6.18" ] || fail "memcached does not report version 1.6.18"

python3 "$TOP/tests/user/kvload.py" memcached "$PORT" 4 "$WORK/stop" >"$WORK/load.out" 2>&1 &
LOAD=$!
for ((i = 0; i < 600; i++)); do [ -e "$WORK/stop.ready" ] && break; sleep 0.1; done
[ -e "$WORK/stop.ready" ] || fail "the client did not start"
cycles 20 "$PID" "$WORK/mc.lpatch" memcached-stats-version "$probe" 1.6.18-lpatch 1.6.18
touch "$WORK/stop"
wait "$LOAD"; st=$?
cat "$WORK/load.out"
[ "$st" -eq 0 ] || fail "the client saw failed requests"
grep -qE "^requests [1-9][0-9]* failed 0$" "$WORK/load.out" || fail "no request was made"
alive "$PID"
echo "PASS: memcached (autotools) patched and reverted 20 times under load, no failed request"
