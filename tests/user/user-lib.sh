# Helpers for process-patching tests (sourced after tests/lib.sh). Each test builds a
# small C project (tests/fixtures/user/NAME: sources, Makefile, diffs) at test time,
# makes its patches with `lpatch build --user`, runs, patches and kills the programs.
FIX="$TOP/tests/fixtures/user"
PIDS=()
CC=${CC:-cc}

[ -x "$LPATCH" ] || skip "lpatch is not built (run make)"
[ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" -le 1 ] || [ "$(id -u)" = 0 ] ||
	skip "ptrace is restricted (kernel.yama.ptrace_scope) and not root"

user_cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap user_cleanup EXIT

# project NAME [MAKE-ARGS...]: copy the fixture project tests/fixtures/user/NAME to
# $WORK/NAME and build it the usual way (plain make, as production would); sets $SRC
project() { local name=$1; shift
	SRC="$WORK/$name"
	rm -rf "$SRC"; cp -r "$FIX/$name" "$SRC"
	make -C "$SRC" CC="$CC" "$@" >"$WORK/$name.make.log" 2>&1 ||
		{ cat "$WORK/$name.make.log"; fail "cannot build project $name"; }; }

# user_build OUT.lpatch BINARY PATCH [LPATCH-BUILD-ARGS...]: lpatch build --user from $SRC
user_build() { local out=$1 bin=$2 patch=$3; shift 3
	lp_ok "$out.log" "lpatch build --user $(basename "$patch")" \
		build --user --src "$SRC" --binary "$bin" -o "$out" "$@" "$patch"; }

# start NAME CMD...: run CMD in the background, output in $WORK/NAME.out; sets $PID
# The output is opened for appending, so a test can empty it (: >FILE) while the
# program runs: a plain > would keep writing at the old offset behind a hole of NULs.
start() { local name=$1; shift
	: >"$WORK/$name.out"
	"$@" >>"$WORK/$name.out" 2>&1 &
	PID=$!; PIDS+=("$PID"); disown "$PID" 2>/dev/null; }

# wait_line FILE REGEX [SECONDS]: until the last line of FILE matches
wait_line() { local f=$1 re=$2 t=${3:-3} i
	for ((i = 0; i < t * 50; i++)); do
		tail -n 1 "$f" 2>/dev/null | has -E -- "$re" && return 0
		sleep 0.02
	done
	echo "--- $f (last lines):" >&2; tail -n 5 "$f" >&2
	fail "timed out waiting for /$re/ in $(basename "$f")"; }

# expect_unpatched PID: lpatch ps lists no patch in the process
expect_unpatched() {
	"$LPATCH" ps --pid "$1" >"$WORK/ps.txt" || fail "ps failed"
	expect_contains "$WORK/ps.txt" "no process has a patch applied"
}

# alive PID: fail unless the process still runs
alive() { kill -0 "$1" 2>/dev/null || fail "process $1 died"; }

# busy_build: bench/user-pause/busy built in $WORK/busy, and its patch of work()
# in $WORK/work.lpatch (the kill and boost tests' target)
busy_build() {
	cp -r "$TOP/bench/user-pause/busy" "$WORK/busy"
	make -s -C "$WORK/busy" CC="$CC" >"$WORK/busy.make.log" 2>&1 ||
		{ cat "$WORK/busy.make.log"; fail "cannot build busy"; }
	SRC="$WORK/busy" user_build "$WORK/work.lpatch" "$WORK/busy/busy" "$WORK/busy/work.patch" --name work; }

# kill_apply POINT NEVER ON_KILL [VAR=VALUE...]: apply $WORK/work.lpatch (busy_build)
# to $PID with LPATCH_TEST_KILL_AT=POINT and the VAR=VALUE settings, until an apply
# is killed there (exit 137; a point reached only when a thread is in the way),
# at most 40 times; an apply that completes is reverted for the next try. At the
# kill, ON_KILL (a command that fails the test) checks at once what the killed
# apply left; $TRY is the try's number. Fails if an apply fails, or if POINT is
# never reached (NEVER says so: "the worker was never in the way").
kill_apply() { local point=$1 never=$2 on_kill=$3 st; shift 3
	for ((TRY = 1; TRY <= 40; TRY++)); do
		env "$@" LPATCH_TEST_KILL_AT="$point" "$LPATCH" apply --pid "$PID" "$WORK/work.lpatch" \
			>"$WORK/killed.log" 2>&1
		st=$?
		if [ "$st" -eq 137 ]; then
			"$on_kill"
			return 0
		elif [ "$st" -eq 0 ]; then
			lp_ok "$WORK/revert.log" "revert (try $TRY)" revert --pid "$PID" work
		else
			cat "$WORK/killed.log"; fail "apply failed (try $TRY, exit $st)"
		fi
	done
	fail "in 40 applies, $never ($point never reached)"; }
