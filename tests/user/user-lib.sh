# Helpers for process-patching tests (sourced after tests/lib.sh). Each test builds
# small C programs at test time, runs them, patches them, and kills them on exit.
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

# The test-only patch maker, linked with lpatch's own ELF code.
MKPATCH="$WORK/mkpatch"
make -s -C "$TOP" build/liblpatch.a >/dev/null || fail "cannot build build/liblpatch.a"
$CC -std=c11 -D_GNU_SOURCE -O1 -I"$TOP/src" -o "$MKPATCH" "$FIX/mkpatch.c" "$TOP/build/liblpatch.a" \
	-lelf -ldw -lz || fail "cannot build mkpatch"

# patch_obj OUT.o SRC [CFLAGS...]: the patched source, compiled like a patch
patch_obj() { local out=$1 src=$2; shift 2
	$CC -O2 -fPIC -ffunction-sections -fdata-sections -fno-common -c -o "$out" "$src" "$@" ||
		fail "cannot compile $src"; }

# start NAME CMD...: run CMD in the background, output in $WORK/NAME.out; sets $PID
start() { local name=$1; shift
	"$@" >"$WORK/$name.out" 2>&1 &
	PID=$!; PIDS+=("$PID"); disown "$PID" 2>/dev/null; }

# wait_line FILE REGEX [SECONDS]: until the last line of FILE matches
wait_line() { local f=$1 re=$2 t=${3:-3} i
	for ((i = 0; i < t * 50; i++)); do
		tail -n 1 "$f" 2>/dev/null | grep -qE -- "$re" && return 0
		sleep 0.02
	done
	echo "--- $f (last lines):" >&2; tail -n 5 "$f" >&2
	fail "timed out waiting for /$re/ in $(basename "$f")"; }

# alive PID: fail unless the process still runs
alive() { kill -0 "$1" 2>/dev/null || fail "process $1 died"; }
