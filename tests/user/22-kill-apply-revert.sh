#!/usr/bin/env bash
# lpatch killed (SIGKILL) at random points of apply and revert never harms the process
# it patches. Targets: bench/user-pause/busy with 4 threads calling work() in a tight
# loop, a program blocked in read(), and for `apply --all` three busy processes.
# Each round runs the operation the state calls for (apply when ps lists no patch,
# else revert), kills it a random 0-10 ms (one round in four: 10-60 ms) after it has
# attached to the process (one round in eight: after it started), then
# checks (tests/user/kill-check.py): the target is alive, untraced, no thread stopped,
# and `lpatch ps` agrees with the bytes at the patched function's entry; then the
# operation the state calls for must succeed (no kill) and the check holds again.
# Figures (2 cores, quiet machine): see docs/performance.md. CI runs 100 + 70 + 30
# kills (an apply --all round costs about 2.6 s: seven busy threads on two cores);
# LPATCH_KILLS_BUSY, _READER and _ALL set more (300 in all: 130, 100, 70).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

# the system's python when there is one (a pyenv shim can take seconds to start)
PY=$(command -v /usr/bin/python3 || command -v python3) || skip "python3 is not installed"
KILLS_BUSY=${LPATCH_KILLS_BUSY:-100}
KILLS_READER=${LPATCH_KILLS_READER:-70}
KILLS_ALL=${LPATCH_KILLS_ALL:-30}
CHECK="$TOP/tests/user/kill-check.py"

busy_build
project reader
user_build "$WORK/tag.lpatch" "$SRC/reader" "$FIX/reader/tag.patch" --name tag

kills=0 applied=0 reverted=0 t0=$(date +%s)
declare -A killed_op

# check PID:BIN:FUNC...: sets NEXT[pid] to the operation the state calls for (one
# checker process serves every check)
declare -A NEXT
coproc CHK { "$PY" "$CHECK" "$LPATCH" --serve; }
check() { local out p op
	echo "$*" >&"${CHK[1]}"
	read -r out <&"${CHK[0]}" || fail "the checker died"
	[ "${out%% *}" = ok ] || { cat "$WORK/killed.log" 2>/dev/null; fail "after $kills kills: $out"; }
	set -- ${out#ok }
	while [ $# -ge 2 ]; do NEXT[$1]=$2; shift 2; done; }

# op PID FILE NAME: the operation the state calls for, as an argument list in OP
op_args() { local pid=$1 file=$2 name=$3
	if [ "${NEXT[$pid]}" = apply ]; then OP=(apply --pid "$pid" "$file"); else OP=(revert --pid "$pid" "$name"); fi; }

# a random delay: 0-10 ms, one in four 10-60 ms
delay() { local us
	if ((RANDOM % 4)); then us=$((RANDOM % 10000)); else us=$((10000 + RANDOM % 50000)); fi
	printf '0.%06d' "$us"; }

# kill_run ARGS...: run lpatch -v ARGS... and SIGKILL it at a random point
exec {NAP}<> <(:)	# read -t on it: a sleep without a fork
kill_run() { local lp w log=
	: >"$WORK/killed.log"
	"$LPATCH" -v "$@" >>"$WORK/killed.log" 2>&1 &
	lp=$!
	# lpatch reads the binaries first (a few 100 ms): time the kill from its attach
	if ((RANDOM % 8)); then
		for ((w = 0; w < 5000; w++)); do
			read -r -d '' log <"$WORK/killed.log" || :
			[[ $log == *"debug: process "*": attached"* ]] && break
			kill -0 "$lp" 2>/dev/null || break
			read -r -t 0.001 -u "$NAP"
		done
	fi
	sleep "$(delay)"
	kill -9 "$lp" 2>/dev/null
	wait "$lp" 2>/dev/null; }

# kill_round SPEC FILE NAME: one killed operation and one that must succeed
kill_round() { local spec=$1 file=$2 name=$3 pid=${1%%:*}
	op_args "$pid" "$file" "$name"
	kill_run "${OP[@]}"
	kills=$((kills + 1)); killed_op[${OP[0]}]=$((${killed_op[${OP[0]}]:-0} + 1))
	check "$spec"
	op_args "$pid" "$file" "$name"
	"$LPATCH" "${OP[@]}" >"$WORK/next.log" 2>&1 ||
		{ cat "$WORK/killed.log" "$WORK/next.log"; fail "${OP[*]} after a killed run failed (kill $kills)"; }
	[ "${OP[0]}" = apply ] && applied=$((applied + 1)) || reverted=$((reverted + 1))
	check "$spec"
}

# 1. a busy process, 4 threads in work()
start busy "$WORK/busy/busy" 4
BUSY=$PID
wait_line "$WORK/busy.out" "calls="
check "$BUSY:$WORK/busy/busy:work"
for ((i = 0; i < KILLS_BUSY; i++)); do kill_round "$BUSY:$WORK/busy/busy:work" "$WORK/work.lpatch" work; done

# 2. a process blocked in read()
mkfifo "$WORK/in"
exec 3<>"$WORK/in"
"$SRC/reader" <"$WORK/in" >"$WORK/reader.out" 2>&1 3>&- &
READER=$!; PIDS+=("$READER"); disown "$READER"
wait_line "$WORK/reader.out" "ready"
check "$READER:$SRC/reader:tag"
for ((i = 0; i < KILLS_READER; i++)); do kill_round "$READER:$SRC/reader:tag" "$WORK/tag.lpatch" tag; done
echo "line" >&3
wait_line "$WORK/reader.out" "tag-v[12]: line"
expect_not_contains "$WORK/reader.out" "read failed"

# 3. apply --all over three busy processes (the first one included), each killed run
#    followed by the operation each process's state calls for
start busy2 "$WORK/busy/busy" 2; B2=$PID
start busy3 "$WORK/busy/busy" 1; B3=$PID
wait_line "$WORK/busy3.out" "calls="
specs=("$BUSY:$WORK/busy/busy:work" "$B2:$WORK/busy/busy:work" "$B3:$WORK/busy/busy:work")
check "${specs[@]}"
for ((i = 0; i < KILLS_ALL; i++)); do
	for p in "$BUSY" "$B2" "$B3"; do
		[ "${NEXT[$p]}" = apply ] ||
			lp_ok "$WORK/clean.log" "revert before apply --all" revert --pid "$p" work
	done
	check "${specs[@]}"
	kill_run apply --all "$WORK/work.lpatch"
	kills=$((kills + 1)); killed_op[apply-all]=$((${killed_op[apply-all]:-0} + 1))
	check "${specs[@]}"
	for spec in "${specs[@]}"; do
		p=${spec%%:*}
		op_args "$p" "$WORK/work.lpatch" work
		lp_ok "$WORK/next.log" "${OP[*]} after a killed apply --all" "${OP[@]}"
	done
	check "${specs[@]}"
done

# the busy processes still make calls
for f in busy busy2 busy3; do
	: >"$WORK/$f.out"; wait_line "$WORK/$f.out" "calls=[1-9]"
done
secs=$(($(date +%s) - t0))
echo "PASS: $kills SIGKILLs (apply ${killed_op[apply]:-0}, revert ${killed_op[revert]:-0}," \
	"apply --all ${killed_op[apply-all]:-0}) in ${secs}s: no target died or stayed traced," \
	"ps always matched the code, every next apply ($applied) and revert ($reverted) succeeded"
