#!/usr/bin/env bash
# What `lpatch install --user` adds to the start of a process: the wall time of
# `later` (tests/fixtures/user/later: calls the patched function first thing in
# main, then exits), N runs each, with no hook, with the hook and no patch for
# it (every other process on a host), and with the hook patching it at start.
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
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/up" "$W/wk"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/up,workdir=$W/wk" /etc || exit 1
export LPATCH_ROOT=$W/store

cp -r "$TOP/tests/fixtures/user/later" "$W/src" && make -s -C "$W/src" >/dev/null 2>&1 || exit 1
"$LPATCH" build --user --src "$W/src" --binary "$W/src/later" -o "$W/v2.lpatch" \
	"$W/src/version2.patch" >"$W/build.log" 2>&1 || { cat "$W/build.log"; exit 1; }
"$LPATCH" build --user --src "$W/src" --binary "$W/src/later-static" --name other \
	-o "$W/other.lpatch" "$W/src/version2.patch" >>"$W/build.log" 2>&1 || { cat "$W/build.log"; exit 1; }

# CPU time (user + system) of the children so far, in microseconds, into $W/cpu.NAME
# (`times` in this shell: in a command substitution it would see only the subshell's)
child_cpu() {
	times >"$W/times"
	tail -n 1 "$W/times" | awk '
		function us(t,  m) { m = t; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", t); sub(/s$/, "", t); return (m * 60 + t) * 1e6 }
		{ printf "%d\n", us($1) + us($2) }' >"$W/cpu.$1"
}
# runs NAME EXPECT: N starts of later, microseconds each, into $W/NAME; CPU per start in $W/NAME.cpu
runs() {
	child_cpu start
	: >"$W/$1"
	for ((i = 0; i < N; i++)); do
		t0=$EPOCHREALTIME
		out=$("$W/src/later")
		t1=$EPOCHREALTIME
		[ "$out" = "first call: $2" ] || { echo "run $i: '$out', not '$2'" >&2; exit 1; }
		echo "$(( (${t1/./} - ${t0/./}) ))" >>"$W/$1"
	done
	child_cpu end
	echo $(( ($(cat "$W/cpu.end") - $(cat "$W/cpu.start")) / N )) >"$W/$1.cpu"
}
stats() { sort -n "$W/$1" | awk '{ v[NR] = $1 } END { printf "median %.2f ms, 90%% %.2f ms, worst %.2f ms", v[int((NR + 1) / 2)] / 1000, v[int(NR * 0.9)] / 1000, v[NR] / 1000 }'; }
median() { sort -n "$W/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

runs none "version 1"
"$LPATCH" install --user "$W/other.lpatch" >/dev/null 2>&1 || exit 1
runs nomatch "version 1"
"$LPATCH" install --user "$W/v2.lpatch" >/dev/null 2>&1 || exit 1
runs patched "version 2"

cpu() { echo "CPU $(awk '{ printf "%.2f", $1 / 1000 }' "$W/$1.cpu") ms"; }
echo "start of a process (fork, exec, run, exit; wall time as seen from bash; CPU of it and"
echo "of everything it ran, lpatch included), $N runs each:"
echo "  no hook:                 $(stats none); $(cpu none)"
echo "  hook, no patch for it:   $(stats nomatch); $(cpu nomatch)  (wall +$(( $(median nomatch) - $(median none) )) us median)"
echo "  hook, patched at start:  $(stats patched); $(cpu patched)  (wall +$(( $(median patched) - $(median none) )) us median)"
echo "for scale: /bin/true $( t0=$EPOCHREALTIME; for ((i = 0; i < 50; i++)); do /bin/true; done; t1=$EPOCHREALTIME; echo "$(( (${t1/./} - ${t0/./}) / 50 )) us") wall each"
echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
