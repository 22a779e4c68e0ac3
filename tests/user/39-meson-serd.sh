#!/usr/bin/env bash
# A real library built by Meson: Debian 12's serd 0.30.16 (an RDF parser and
# writer), built `meson setup build && ninja -C build` as production would. A
# one-function fix (the message serd_strerror gives a syntax error) is built
# with lpatch from the pristine source by the project's own Meson/ninja build
# (ninja runs the wrapped compiler with -MD -MQ and absolute paths, in a build
# directory apart from the source), verified against the production
# libserd-0.so, and carries only that function. A small driver linked with that
# library (fixtures/user/real/serd-load.c, 2 threads) parses and writes Turtle
# without pause and checks every result; the fix is applied and reverted 20
# times meanwhile: no failed request, nothing crashes.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
source "$(dirname "$0")/real-lib.sh"

command -v meson >/dev/null || skip "meson is not installed (scripts/deps.sh --test)"
command -v ninja >/dev/null || skip "ninja is not installed (scripts/deps.sh --test)"
MESON="meson setup build -Ddocs=disabled -Dtests=disabled --buildtype=debugoptimized && ninja -C build"
real_source serd 0.30.16-1
real_build serd "$MESON"
LIB=$BUILT/build/libserd-0.so.0.30.16
[ -f "$LIB" ] || fail "the Meson build made no $LIB"
PATCH=$FIX/real/serd-strerror.patch

real_patch "$WORK/serd.lpatch" "$LIB" "$MESON" "$PATCH" '["serd_strerror"]'

"$CC" -O2 -g -std=c11 -I"$BUILT/include" -o "$WORK/serd-load" "$FIX/real/serd-load.c" \
	-L"$BUILT/build" -lserd-0 -Wl,-rpath,"$BUILT/build" -pthread ||
	fail "cannot build the driver"
start serd "$WORK/serd-load" 2 "$WORK/stop"
wait_line "$WORK/serd.out" "^msg Invalid syntax$"

# probe: the message the driver sees once it changes from the last probe's (10 s at most:
# the machine may be loaded)
echo "Invalid syntax" >"$WORK/last.msg"
probe_msg() { local i last now
	last=$(cat "$WORK/last.msg")
	for ((i = 0; i < 500; i++)); do
		now=$(grep '^msg ' "$WORK/serd.out" | tail -n 1 | cut -c5-)
		[ "$now" != "$last" ] && break
		sleep 0.02
	done
	echo "$now" >"$WORK/last.msg"
	echo "$now"; }
cycles 20 "$PID" "$WORK/serd.lpatch" serd-strerror probe_msg "Invalid syntax (fixed)" "Invalid syntax"
touch "$WORK/stop"
for ((i = 0; i < 250; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.02; done
wait "$PID" 2>/dev/null
grep -v '^msg ' "$WORK/serd.out"
has -E "^requests [1-9][0-9]* failed 0$" <"$WORK/serd.out" || fail "failed requests, or none made"
! has "^failed:" <"$WORK/serd.out" || fail "the driver saw failed requests"
echo "PASS: serd (Meson) patched and reverted 20 times under load, no failed request"
