#!/usr/bin/env bash
# How long lpatch holds a process's threads when it applies and reverts a patch,
# with 1 and 8 busy threads (median and worst of N cycles), and what a patched
# call costs over the original (a jump more).
# usage: bench/user-pause/run.sh [CYCLES]     (default 50)
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LPATCH=$TOP/lpatch
HERE=$TOP/bench/user-pause
CYCLES=${1:-50}
W=$(mktemp -d "${TMPDIR:-/tmp}/lpatch-bench.XXXXXX")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$W"' EXIT

make -s -C "$TOP" lpatch >/dev/null || exit 1
cp -r "$HERE/busy" "$W/src" && make -s -C "$W/src" >/dev/null || exit 1
"$LPATCH" build --user --src "$W/src" --binary "$W/src/busy" --name work -o "$W/work.lpatch" \
	"$HERE/busy/work.patch" 2>"$W/build.log" || { cat "$W/build.log"; exit 1; }

stats() { # values on stdin (us) -> "median X ms, worst Y ms"
	sort -n | awk '{ v[NR] = $1 } END { printf "median %.3f ms, worst %.3f ms", v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}
cost() { # FILE: mean ns_per_call of the last 3 samples
	tail -n 3 "$1" | grep -oE 'ns_per_call=[0-9.]+' | cut -d= -f2 | awk '{ s += $1 } END { printf "%.2f", s / NR }'
}

for n in 1 8; do
	"$W/src/busy" "$n" >"$W/busy$n.out" 2>&1 &
	pid=$!; PIDS+=("$pid")
	sleep 1
	before=$(cost "$W/busy$n.out")
	: >"$W/apply$n" ; : >"$W/revert$n"
	for ((i = 0; i < CYCLES; i++)); do
		"$LPATCH" apply --json --pid "$pid" "$W/work.lpatch" >>"$W/apply$n" || exit 1
		if [ "$i" -eq 0 ]; then sleep 1; patched=$(cost "$W/busy$n.out"); fi
		"$LPATCH" revert --json --pid "$pid" work >>"$W/revert$n" || exit 1
	done
	echo "$n busy thread(s), $CYCLES cycles:"
	echo "  apply:  threads held $(grep -oE '"pause_us":[0-9.]+' "$W/apply$n" | cut -d: -f2 | stats)" \
	     "(rounds: $(grep -oE '"rounds":[0-9]+' "$W/apply$n" | cut -d: -f2 | sort -n | uniq -c | awk '{ printf "%s×%s ", $1, $2 }'))"
	echo "  revert: threads held $(grep -oE '"pause_us":[0-9.]+' "$W/revert$n" | cut -d: -f2 | stats)"
	echo "  worst round of each apply/revert (max_pause_us, waits at breakpoints included):" \
	     "$(cat "$W/apply$n" "$W/revert$n" | grep -oE '"max_pause_us":[0-9.]+' | cut -d: -f2 | stats)"
	echo "  load (one thread, mmap+mprotect): $(grep -oE '"load_pause_us":[0-9.]+' "$W/apply$n" | cut -d: -f2 | stats)"
	echo "  cost per call: original ${before} ns, patched ${patched} ns"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null	# reaped here, so bash reports no "Killed"
done
echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
