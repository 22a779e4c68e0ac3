# Helpers for the tests on real programs (sourced after user-lib.sh): Debian 12
# source packages built by their own build systems, loaded by their own
# clients, patched and reverted many times under that load.

# real_source PACKAGE VERSION: sets SRC to the pristine source (tests/user/debsrc.sh;
# fetched once, cached); skips the test when it cannot be fetched
real_source() {
	local st
	SRC=$(bash "$TOP/tests/user/debsrc.sh" "$1" "$2" 2>"$WORK/debsrc.err"); st=$?
	[ "$st" -eq 77 ] && skip "$(tail -n 1 "$WORK/debsrc.err")"
	[ "$st" -eq 0 ] && [ -d "$SRC" ] || { cat "$WORK/debsrc.err"; fail "cannot unpack $1 $2"; }
}

# real_build NAME CMD: the production build, once: a copy of $SRC built with
# CMD (by sh, in the copy) under $LPATCH_CACHE/debsrc/built/NAME-KEY, KEY naming
# the compiler and CMD; sets BUILT to that tree
real_build() {
	local name=$1 cmd=$2 key
	key=$( (cc --version | head -n 1; echo "$cmd") | sha256sum | cut -c1-12)
	BUILT=$LPATCH_CACHE/debsrc/built/$name-$key
	[ -f "$BUILT/.lpatch-built" ] && return 0
	rm -rf "$BUILT.tmp"; mkdir -p "$(dirname "$BUILT")"
	cp -a "$SRC" "$BUILT.tmp"
	(cd "$BUILT.tmp" && sh -c "$cmd") >"$WORK/$name.build.log" 2>&1 ||
		{ tail -n 30 "$WORK/$name.build.log"; fail "the production build of $name ($cmd) failed"; }
	touch "$BUILT.tmp/.lpatch-built"
	rm -rf "$BUILT"; mv "$BUILT.tmp" "$BUILT"
	# the tree moved: a build system that recorded its path (autotools, CMake) stays
	# usable for running what it built, not for building again
}

# free_port: a TCP port nothing listens on
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_port PORT [SECONDS]: until something accepts connections on PORT
wait_port() { local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "nothing listens on port $1"; }

# cycles N PID PATCH NAME PROBE PATCHED ORIGINAL: apply PATCH (named NAME) to PID
# and revert it N times; after each apply the command PROBE must print PATCHED,
# after each revert ORIGINAL. Prints the apply and revert pauses (max_pause_us:
# median and worst over the N times) into $WORK/pauses.
# cycle_state PID: what the process and lpatch say, for a failed probe: lpatch ps,
# each thread's state, scheduling policy, system call and where it waits, and the
# end of the test's output files
cycle_state() { local t
	echo "--- lpatch ps --pid $1:" >&2
	"$LPATCH" ps --pid "$1" >&2 2>&1
	for t in /proc/"$1"/task/*; do
		echo "--- thread ${t##*/}: $(awk '{ print "state " $3 ", policy " $41 ", rt priority " $40 }' "$t/stat" 2>/dev/null), syscall $(cat "$t/syscall" 2>/dev/null), wchan $(cat "$t/wchan" 2>/dev/null)" >&2
	done
	echo "--- the last apply and revert:" >&2
	cat "$WORK/apply.json" "$WORK/revert.json" >&2 2>/dev/null
	for t in "$WORK"/*.out; do
		[ -f "$t" ] && { echo "--- the end of $t:" >&2; tail -n 5 "$t" >&2; }
	done
}
cycles() {
	local n=$1 pid=$2 patch=$3 name=$4 probe=$5 patched=$6 original=$7 i got
	: >"$WORK/apply.us"; : >"$WORK/revert.us"
	for ((i = 1; i <= n; i++)); do
		"$LPATCH" apply --json --pid "$pid" "$patch" >"$WORK/apply.json" 2>"$WORK/apply.log" ||
			{ cat "$WORK/apply.log"; fail "apply $i failed"; }
		json_get "$WORK/apply.json" '.[0].max_pause_us' >>"$WORK/apply.us" || exit 1
		got=$(eval "$probe") || fail "the probe failed after apply $i"
		[ "$got" = "$patched" ] || { cycle_state "$pid"; fail "after apply $i the program says '$got', expected '$patched'"; }
		"$LPATCH" revert --json --pid "$pid" "$name" >"$WORK/revert.json" 2>"$WORK/revert.log" ||
			{ cat "$WORK/revert.log"; fail "revert $i failed"; }
		json_get "$WORK/revert.json" '.max_pause_us // empty' >>"$WORK/revert.us" || exit 1
		got=$(eval "$probe") || fail "the probe failed after revert $i"
		[ "$got" = "$original" ] || { cycle_state "$pid"; fail "after revert $i the program says '$got', expected '$original'"; }
		alive "$pid"
	done
	for k in apply revert; do
		sort -n "$WORK/$k.us" | awk -v k="$k" -v n="$n" '{ v[NR] = $1 } END {
			if (NR) printf "%s: %d times, held median %.0f us, worst %.0f us\n", k, n, v[int((NR + 1) / 2)], v[NR] }'
	done | tee "$WORK/pauses"
}

# real_patch OUT.lpatch BINARY MAKE PATCH FUNCTIONS-JSON: lpatch build --user --json
# from the pristine $SRC with the project's build command MAKE; the build must be
# verified against BINARY and the patch carry exactly FUNCTIONS-JSON (["name"...])
real_patch() {
	local out=$1 bin=$2 make=$3 patch=$4 funcs=$5
	"$LPATCH" build --user --json --src "$SRC" --binary "$bin" --make "$make" -o "$out" \
		"$patch" >"$out.json" 2>"$out.err" ||
		{ tail -n 30 "$out.err"; fail "lpatch build --user with $(basename "$patch") failed"; }
	grep -q "checking the original build against" "$out.err" || fail "the build was not verified"
	json_is "$out.json" '[.functions[].name]' "$funcs"
}
