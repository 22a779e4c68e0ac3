#!/usr/bin/env bash
# A C++ thread blocked (in read) inside the function a patch replaces, which
# then throws through it: lpatch must not point that thread's return address
# at a trampoline, for the unwinder would not find the handler behind it
# (std::terminate: user/38 died so about once in eight runs). The apply waits
# for the thread, gives up after --timeout naming it, and the process lives on;
# the exception thrown afterwards reaches its handler.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

command -v g++ >/dev/null || skip "g++ is not installed"
project cxxblock CXX=g++
user_build "$WORK/v2.lpatch" "$SRC/cxxblock" "$SRC/v2.patch" --make "make CXX=g++"
mkfifo "$WORK/in"
exec 9<>"$WORK/in"
start cxxblock sh -c "exec '$SRC/cxxblock' <'$WORK/in'"
wait_line "$WORK/cxxblock.out" "^ready$"
sleep 0.2	# the worker into its read

"$LPATCH" -v apply --pid "$PID" --timeout 300 "$WORK/v2.lpatch" >"$WORK/apply.log" 2>&1; st=$?
[ "$st" = 1 ] || { cat "$WORK/apply.log"; fail "apply with a thread blocked in the function exited $st, not 1"; }
! has -F "pointed at trampoline" "$WORK/apply.log" || { cat "$WORK/apply.log"; fail "apply pointed a C++ thread at a trampoline"; }
expect_contains "$WORK/apply.log" "wait_then_throw"
echo t >&9
wait_line "$WORK/cxxblock.out" "^caught thrown v1$"
alive "$PID"
not_terminate() { ! has -F terminate "$WORK/cxxblock.out" || fail "std::terminate: $(cat "$WORK/cxxblock.out")"; }
not_terminate
expect_unpatched "$PID"
echo "PASS: a C++ thread blocked in the patched function is waited for, never sent through a trampoline; its exception reaches the handler"
