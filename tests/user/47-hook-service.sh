#!/usr/bin/env bash
# lpatch-hook serve, the resident service of installed process patches: with it
# listening, the start-up hook asks it instead of starting lpatch-hook, and a
# process that starts later runs the patched code from its first call; what it
# refuses (names outside the store, unknown requests); a worker killed
# mid-apply leaves the process whole and unpatched, with the reason in ps; with
# the service stopped, or killed and its socket left, the hook starts
# lpatch-hook as before; systemd's socket activation (LISTEN_FDS).
# In a private mount namespace (install-lib.sh).
source "$(dirname "$0")/install-lib.sh"
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
private_etc
HOOKD="$TOP/build/lpatch-hook"
[ -x "$HOOKD" ] || fail "$HOOKD is not built (make lpatch builds it)"
SOCK="$LPATCH_ROOT/user/hook.sock"

# serve LOG [ENV...]: start the service on the test's store; sets SVC
serve() { local log=$1; shift
	env "$@" "$HOOKD" serve --root "$LPATCH_ROOT" >"$log" 2>&1 &
	SVC=$!
	PIDS+=("$SVC")
	for ((i = 0; i < 100; i++)); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
	cat "$log"; fail "the service did not listen on $SOCK"
}
stop() { kill "$SVC"; wait "$SVC"; }

# usage
"$HOOKD" serve --help >"$WORK/help.out" || fail "serve --help failed"
expect_contains "$WORK/help.out" "usage: lpatch-hook serve"
"$HOOKD" serve --spares 0 >"$WORK/bad.out" 2>&1; st=$?
[ "$st" = 2 ] || fail "serve --spares 0 exited $st, not 2"

project later
user_build "$WORK/v2.lpatch" "$SRC/later" "$SRC/version2.patch"
lp_ok "$WORK/install.log" "install --user" install --user "$WORK/v2.lpatch"
# Only the service can patch now: the program the hook would start is missing.
cp "$LPATCH_ROOT/user/index" "$WORK/index.good"
sed "s|^lpatch .*|lpatch $WORK/no-such-lpatch|" "$WORK/index.good" >"$LPATCH_ROOT/user/index.new"
mv "$LPATCH_ROOT/user/index.new" "$LPATCH_ROOT/user/index"

serve "$WORK/service.log"
for i in 1 2 3; do
	"$SRC/later" >"$WORK/after.out" || fail "later failed with the service"
	expect_contains "$WORK/after.out" "first call: version 2"
done
# several at once: the spares serve them, each start is patched
for i in 1 2 3 4 5 6; do "$SRC/later" >"$WORK/par.$i.out" & done
wait_ok=0
for job in $(jobs -p); do [ "$job" = "$SVC" ] || wait "$job" || wait_ok=1; done
[ "$wait_ok" = 0 ] || fail "a later started in parallel failed"
for i in 1 2 3 4 5 6; do expect_contains "$WORK/par.$i.out" "first call: version 2"; done
start one "$SRC/later" wait; one=$PID
wait_line "$WORK/one.out" "first call: version 2"
"$LPATCH" ps --pid "$one" --json >"$WORK/ps.json" || fail "ps failed"
json_is "$WORK/ps.json" "[.[0].patches[] | select(.state == \"active\") | .name]" '["version2"]'
expect_contains "$WORK/service.log" "process $one: version2 applied in"
[ "$(grep -c ': version2 applied in ' "$WORK/service.log")" = 10 ] ||
	{ cat "$WORK/service.log"; fail "the service did not log 10 applies"; }

# What it refuses, asked directly (exit code after the NUL; the text before it)
ask() { # REQUEST: print the service's answer as "EXIT: TEXT"
	python3 - "$SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode())
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
text, _, rest = data.partition(b"\0")
print("%s: %s" % (rest[0] if rest else "none", text.decode().strip()))
PY
}
ask $'apply ../../../etc/passwd\n' >"$WORK/ask1" || fail "could not ask the service"
expect_contains "$WORK/ask1" "2: lpatch: error: hook service: process"
expect_contains "$WORK/ask1" "asked for '../../../etc/passwd', which is no patch name"
ask $'apply nosuch\n' >"$WORK/ask2" || fail "could not ask the service"
expect_contains "$WORK/ask2" "asked for patch nosuch, which is not installed in $LPATCH_ROOT"
ask $'hello\n' >"$WORK/ask3" || fail "could not ask the service"
expect_contains "$WORK/ask3" "sent no request this service knows"
for f in ask2 ask3; do has -F "2: " "$WORK/$f" || { cat "$WORK/$f"; fail "$f: not refused with exit 2"; }; done
# a request for an installed patch from a process that does not map its object
ask $'apply version2\n' >"$WORK/ask4" || fail "could not ask the service"
has -E '^[1-9]' "$WORK/ask4" || { cat "$WORK/ask4"; fail "an apply to python itself did not fail"; }
kill -0 "$SVC" || fail "the service died of the requests"
# each refusal is logged with its reason
expect_contains "$WORK/service.log" "not applied (exit 2): hook service: process"
[ "$(grep -c ' not applied (exit ' "$WORK/service.log")" = 4 ] ||
	{ cat "$WORK/service.log"; fail "the service did not log the 4 requests it did not apply"; }
stop
[ ! -e "$SOCK" ] || fail "the stopped service left its socket"

# A worker killed mid-apply: the process starts whole, unpatched, and ps says why.
serve "$WORK/service-kill.log" LPATCH_TEST_KILL_AT=apply-mapped
start killed "$SRC/later" wait; killed=$PID
wait_line "$WORK/killed.out" "first call: version 1"
alive "$killed"
"$LPATCH" ps --pid "$killed" >"$WORK/ps-killed.txt" || fail "ps failed"
cat "$WORK/ps-killed.txt"
expect_contains "$WORK/ps-killed.txt" "the start-up hook's lpatch failed: the_lpatch-hook_service_stopped_before_it_answered"
stop

# No service: the hook starts lpatch-hook itself (the index's program is back).
mv "$WORK/index.good" "$LPATCH_ROOT/user/index"
"$SRC/later" >"$WORK/spawn.out" || fail "later failed without the service"
expect_contains "$WORK/spawn.out" "first call: version 2"
# A service killed with SIGKILL leaves its socket: nobody listens, the hook starts lpatch-hook.
serve "$WORK/service-9.log"
workers=$(pgrep -P "$SVC" | wc -l)
[ "$workers" -ge 1 ] || fail "the service has no spare worker"
kill -9 "$SVC"; wait "$SVC" 2>/dev/null
[ -S "$SOCK" ] || fail "no stale socket after a SIGKILL (the case this checks)"
"$SRC/later" >"$WORK/stale.out" || fail "later failed with a stale socket"
expect_contains "$WORK/stale.out" "first call: version 2"
sleep 0.3
left=$(pgrep -f "lpatch-hook serve --root $LPATCH_ROOT" | wc -l)
[ "$left" = 0 ] || fail "$left spare workers outlived their service"
rm -f "$SOCK"

# systemd's socket activation: the socket comes as fd 3 (LISTEN_FDS)
if command -v systemd-socket-activate >/dev/null; then
	sed "s|^lpatch .*|lpatch $WORK/no-such-lpatch|" "$LPATCH_ROOT/user/index" >"$LPATCH_ROOT/user/index.new"
	mv "$LPATCH_ROOT/user/index.new" "$LPATCH_ROOT/user/index"
	systemd-socket-activate -l "$SOCK" "$HOOKD" serve --root "$LPATCH_ROOT" >"$WORK/activated.log" 2>&1 &
	SVC=$!
	PIDS+=("$SVC")
	for ((i = 0; i < 100; i++)); do [ -S "$SOCK" ] && break; sleep 0.05; done
	"$SRC/later" >"$WORK/activated.out" || fail "later failed with the activated service"
	expect_contains "$WORK/activated.out" "first call: version 2"
	expect_contains "$WORK/activated.log" "on the socket systemd passed"
	expect_contains "$WORK/activated.log" ": version2 applied in"
	stop
else
	echo "NOTE: systemd-socket-activate is missing: socket activation not tried" >&2
fi
host_untouched
echo "PASS: the resident service patches processes at start; refusals, a killed worker, a stopped or killed service, socket activation"
