#!/usr/bin/env bash
# Programs compiled and linked in one step (`$(CC) $(CFLAGS) -o greet greet.c`,
# `cc -o prog a.c b.c`): the compiler wrapper compiles each source to an object
# first, so lpatch build --user has objects to compare and the user changes nothing.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

project onestep
[ -z "$(find "$SRC" -name '*.o')" ] || fail "the fixture's own build must write no object"

# one source: the patch holds greeting, and only it
user_build "$WORK/greet.lpatch" "$SRC/greet" "$FIX/onestep/greeting.patch" --json
"$LPATCH" build --user --json --src "$SRC" --binary "$SRC/greet" -o "$WORK/greet2.lpatch" \
	"$FIX/onestep/greeting.patch" >"$WORK/greet.json" 2>"$WORK/greet.err" ||
	{ cat "$WORK/greet.err"; fail "build --user --json failed"; }
json_is "$WORK/greet.json" '[.functions[].name]' '["greeting"]'
start greet "$SRC/greet"
wait_line "$WORK/greet.out" "^hello v1$"
lp_ok "$WORK/greet.apply.log" "apply greeting" apply --pid "$PID" "$WORK/greet.lpatch"
wait_line "$WORK/greet.out" "^hello v2$"
lp_ok "$WORK/greet.revert.log" "revert greeting" revert --pid "$PID"
wait_line "$WORK/greet.out" "^hello v1$"
alive "$PID"

# two sources and a library in one command: the patch is for b.c's scale
"$LPATCH" build --user --json --src "$SRC" --binary "$SRC/prog" -o "$WORK/scale.lpatch" \
	"$FIX/onestep/scale.patch" >"$WORK/scale.json" 2>"$WORK/scale.err" ||
	{ cat "$WORK/scale.err"; fail "build --user of prog failed"; }
json_is "$WORK/scale.json" '[.functions[].name]' '["scale"]'
json_is "$WORK/scale.json" '.references | map(startswith("sqrt")) | any' true
start prog "$SRC/prog"
wait_line "$WORK/prog.out" "^scale=4$"
lp_ok "$WORK/prog.apply.log" "apply scale" apply --pid "$PID" "$WORK/scale.lpatch"
wait_line "$WORK/prog.out" "^scale=40$"
lp_ok "$WORK/prog.revert.log" "revert scale" revert --pid "$PID"
wait_line "$WORK/prog.out" "^scale=4$"
alive "$PID"

# the wrapper keeps the compiler's failure: a one-step command that does not compile
printf 'int main(void) { return undeclared; }\n' >"$WORK/bad.c"
mkdir -p "$WORK/wrap"
cat >"$WORK/wrap/Makefile" <<'MK'
bad: bad.c
	$(CC) -o bad bad.c
MK
cp "$WORK/bad.c" "$WORK/wrap/"
"$LPATCH" build --user --src "$WORK/wrap" --binary "$SRC/greet" -o "$WORK/bad.lpatch" \
	"$FIX/onestep/greeting.patch" >"$WORK/bad.log" 2>&1 && fail "a build that does not compile passed"
expect_contains "$WORK/bad.log" "undeclared"
expect_contains "$WORK/bad.log" "the build command \`make\` failed"
[ ! -e "$WORK/bad.lpatch" ] || fail "a patch was written"
echo "PASS: one-step compile-and-link builds give objects; patches carry one function each"
