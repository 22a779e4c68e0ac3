#!/usr/bin/env bash
# C++ built by CMake, from a tree built before (its build/ directory names the
# original tree's paths: left out of the copy, configured again). label.cc
# (-fno-exceptions, a template instantiated in a COMDAT group, a mangled name)
# is patched, applied and reverted; counter.cc's function catches exceptions:
# its patch carries its exception table, and its unwind entries are registered
# with the process's unwinder, so the handler in the patched code still
# catches what the unpatched step() throws (tests/user/38 goes further).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

command -v cmake >/dev/null || skip "cmake is not installed"
command -v c++ >/dev/null || skip "no C++ compiler"
SRC=$WORK/cxxsrv
cp -r "$FIX/cxxsrv" "$SRC"
CONF="cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build"
(cd "$SRC" && sh -c "$CONF") >"$WORK/cmake.log" 2>&1 || { cat "$WORK/cmake.log"; fail "cmake build failed"; }
BIN=$SRC/build/cxxsrv

"$LPATCH" build --user --json --src "$SRC" --binary "$BIN" --make "$CONF" -o "$WORK/label.lpatch" \
	"$FIX/cxxsrv/label.patch" >"$WORK/label.json" 2>"$WORK/label.err" ||
	{ cat "$WORK/label.err"; fail "build --user of label.patch failed"; }
expect_contains "$WORK/label.err" "$SRC/build is a configured CMake or Meson build directory"
json_is "$WORK/label.json" '[.functions[].name]' '["_ZN2lp5labelB5cxx11Ei"]'

start cxxsrv "$BIN"
wait_line "$WORK/cxxsrv.out" "^label v1 "
lp_ok "$WORK/apply.log" "apply" apply --pid "$PID" "$WORK/label.lpatch"
wait_line "$WORK/cxxsrv.out" "^label v2 "
# exceptions thrown and caught in unpatched code go on as before
: >"$WORK/cxxsrv.out"
sleep 0.6
expect_contains "$WORK/cxxsrv.out" "error negative"
lp_ok "$WORK/revert.log" "revert" revert --pid "$PID"
wait_line "$WORK/cxxsrv.out" "^label v1 "
alive "$PID"

"$LPATCH" build --user --src "$SRC" --binary "$BIN" --make "$CONF" -o "$WORK/describe.lpatch" \
	"$FIX/cxxsrv/describe.patch" >"$WORK/describe.log" 2>&1 ||
	{ cat "$WORK/describe.log"; fail "build --user of describe.patch (exception handling) failed"; }
lp_ok "$WORK/apply2.log" "apply describe" apply --pid "$PID" "$WORK/describe.lpatch"
wait_line "$WORK/cxxsrv.out" "^(count v2|label v1) "
: >"$WORK/cxxsrv.out"
sleep 0.6
expect_contains "$WORK/cxxsrv.out" "count v2 "
# thrown by step(), caught by the patched describe()
expect_contains "$WORK/cxxsrv.out" "error negative"
alive "$PID"
lp_ok "$WORK/revert2.log" "revert describe" revert --pid "$PID"
: >"$WORK/cxxsrv.out"
sleep 0.6
expect_contains "$WORK/cxxsrv.out" "count v1 "
expect_contains "$WORK/cxxsrv.out" "error negative"
alive "$PID"
echo "PASS: C++ with CMake: a -fno-exceptions function patched; a function with a handler patched"
