#!/usr/bin/env bash
# What `lpatch install --user` adds to the start of a process: the wall time of
# `later` (tests/fixtures/user/later: calls the patched function first thing in
# main, then exits) in four set-ups, taken in turn in each of N rounds so that a
# change of the machine's state during the run weighs on all of them alike:
#   none      no hook (/etc/ld.so.preload names nothing)
#   nomatch   the hook, with no patch for this program (every other process on a host)
#   service   the hook, patched at start by the resident service (`lpatch-hook
#             serve`, as lpatch-hook.socket runs it)
#   spawn     the hook, patched at start with no service listening: it starts lpatch-hook
# Runs in a private mount namespace with /etc an overlay (as the tests do), so
# the hook is never seen by anything else on the host. Needs root.
# usage: bench/user-install/run.sh [N]     (default 200)
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${LPATCH_BENCH_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "needs root (a mount namespace with a private /etc)" >&2; exit 1; }
	make -s -C "$TOP" lpatch >/dev/null || exit 1
	LPATCH_BENCH_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
LPATCH=$TOP/lpatch
N=${1:-200}
W=$(mktemp -d "${TMPDIR:-/tmp}/lpatch-bench.XXXXXX")
SERVICE=
trap '[ -n "$SERVICE" ] && kill "$SERVICE" 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/up" "$W/wk"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/up,workdir=$W/wk" /etc || exit 1
export LPATCH_ROOT=$W/store
U=$LPATCH_ROOT/user

cp -r "$TOP/tests/fixtures/user/later" "$W/src" && make -s -C "$W/src" >/dev/null 2>&1 || exit 1
"$LPATCH" build --user --src "$W/src" --binary "$W/src/later" -o "$W/v2.lpatch" \
	"$W/src/version2.patch" >"$W/build.log" 2>&1 || { cat "$W/build.log"; exit 1; }
"$LPATCH" build --user --src "$W/src" --binary "$W/src/later-static" --name other \
	-o "$W/other.lpatch" "$W/src/version2.patch" >>"$W/build.log" 2>&1 || { cat "$W/build.log"; exit 1; }

# The store with only the other patch (its index kept for nomatch), then with both.
"$LPATCH" install --user "$W/other.lpatch" >/dev/null 2>&1 || exit 1
cp "$U/index" "$W/index.nomatch"
"$LPATCH" install --user "$W/v2.lpatch" >/dev/null 2>&1 || exit 1
cp "$U/index" "$W/index.patched"
cp /etc/ld.so.preload "$W/preload.on"
"$TOP/build/lpatch-hook" serve >"$W/service.log" 2>&1 &
SERVICE=$!
for ((i = 0; i < 100; i++)); do [ -S "$U/hook.sock" ] && break; sleep 0.05; done
[ -S "$U/hook.sock" ] || { cat "$W/service.log"; echo "the service did not start" >&2; exit 1; }

# setup NAME: the store and /etc as that set-up needs them (each file renamed into place)
setup() {
	case $1 in
	none) rm -f /etc/ld.so.preload ;;
	nomatch) cp "$W/preload.on" /etc/ld.so.preload.new && mv /etc/ld.so.preload.new /etc/ld.so.preload
		cp "$W/index.nomatch" "$U/index.new" && mv "$U/index.new" "$U/index" ;;
	service) cp "$W/index.patched" "$U/index.new" && mv "$U/index.new" "$U/index"
		[ -S "$U/hook.sock.off" ] && mv "$U/hook.sock.off" "$U/hook.sock" ;;
	spawn) mv "$U/hook.sock" "$U/hook.sock.off" ;;
	esac
}
# CPU: the user + system time of this shell's children so far, in microseconds,
# into $CPU (`times` and builtins only: a command substitution would see the
# subshell's children, and another program would be counted)
us() { # 0m1.234s -> microseconds
	local m=${1%%m*} s=${1#*m}
	s=${s%s}
	echo $(( m * 60000000 + 10#${s%.*} * 1000000 + 10#${s#*.} * 1000 ))
}
child_cpu() {
	local u s
	times >"$W/times"
	{ read -r _ _; read -r u s; } <"$W/times"
	CPU=$(( $(us "$u") + $(us "$s") ))
}
# one NAME EXPECT: one start of later; its wall time into $W/NAME, its CPU into $W/NAME.cpu
one() {
	local c0 t0 t1 out
	child_cpu; c0=$CPU
	t0=$EPOCHREALTIME
	out=$("$W/src/later")
	t1=$EPOCHREALTIME
	child_cpu
	[ "$out" = "first call: $2" ] || { echo "$1, round $r: '$out', not '$2'" >&2; exit 1; }
	echo "$(( ${t1/./} - ${t0/./} ))" >>"$W/$1"
	echo "$(( CPU - c0 ))" >>"$W/$1.cpu"
}
for ((r = 0; r < N; r++)); do
	setup none; one none "version 1"
	setup nomatch; one nomatch "version 1"
	setup service; one service "version 2"
	setup spawn; one spawn "version 2"
done
setup service
kill "$SERVICE"; wait "$SERVICE"; SERVICE=
[ "$(grep -c ' applied in ' "$W/service.log")" -eq "$N" ] ||
	{ cat "$W/service.log"; echo "the service did not apply exactly the $N service starts" >&2; exit 1; }

median() { sort -n "$W/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
stats() { sort -n "$W/$1" | awk '{ v[NR] = $1 } END { printf "median %5.2f ms, 90%% %5.2f ms, worst %6.2f ms", v[int((NR + 1) / 2)] / 1000, v[int(NR * 0.9)] / 1000, v[NR] / 1000 }'; }
# `times` counts in clock ticks (10 ms): only the mean over many runs means something
cpu() { awk '{ s += $1 } END { printf "CPU mean %5.2f ms", s / NR / 1000 }' "$W/$1.cpu"; }
added() { echo "+$(( $(median "$1") - $(median none) )) us"; }
echo "start of a process (fork, exec, run, exit; wall time as seen from bash; CPU of it and of"
echo "every program it ran), $N rounds of the four set-ups in turn:"
echo "  no hook:                  $(stats none); $(cpu none)"
echo "  hook, no patch for it:    $(stats nomatch); $(cpu nomatch); wall $(added nomatch)"
echo "  patched by the service:   $(stats service); $(cpu service); wall $(added service)"
echo "  patched, lpatch-hook run: $(stats spawn); $(cpu spawn); wall $(added spawn)"
echo "the service's apply, request to answer (its CPU is not counted above: it is no child of this shell):"
echo "  $(awk '/ applied in / { print $(NF - 1) }' "$W/service.log" | sort -n | awk '{ v[NR] = $1 } END { printf "median %.2f ms, 90%% %.2f ms, worst %.2f ms", v[int((NR + 1) / 2)], v[int(NR * 0.9)], v[NR] }')"
echo "for scale: /bin/true $( t0=$EPOCHREALTIME; for ((i = 0; i < 50; i++)); do /bin/true; done; t1=$EPOCHREALTIME; echo "$(( (${t1/./} - ${t0/./}) / 50 )) us") wall each"
echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
