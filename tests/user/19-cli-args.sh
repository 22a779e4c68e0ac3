#!/usr/bin/env bash
# The process commands' options: a missing or bad value is refused (exit 2)
# with a message naming the option, before any process is touched.
source "$(dirname "$0")/../lib.sh"
[ -x "$LPATCH" ] || skip "lpatch is not built (run make)"

# refused CMD EXPECTED-MESSAGE: lpatch CMD exits 2 and says EXPECTED-MESSAGE
refused() { local msg=$1; shift
	"$LPATCH" "$@" >"$WORK/out" 2>&1
	st=$?
	[ "$st" -eq 2 ] || { cat "$WORK/out"; fail "lpatch $*: exit $st, expected 2"; }
	expect_contains "$WORK/out" "$msg"
}

refused "--pid needs a value" apply --pid
refused "--pid needs a value" apply some.lpatch --pid
refused "--timeout needs a value" apply --pid 1 some.lpatch --timeout
refused "--pid needs a value" revert --pid
refused "--timeout needs a value" revert --pid 1 --timeout
refused "--pid needs a value" ps --pid
refused "--pid needs a process id, not 'x'" apply --pid x some.lpatch
refused "--pid needs a process id, not '0'" revert --pid=0
refused "--pid needs a process id, not '-3'" ps --pid -3
refused "--pid needs a process id, not '99999999999'" ps --pid 99999999999
refused "--timeout needs milliseconds, not '3000000000'" apply --pid 1 --timeout 3000000000 some.lpatch
# a number is digits only: not " 1", "+1" or "1x" (strtoul would skip the blank and the sign)
refused "--pid needs a process id, not ' 1'" apply --pid ' 1' some.lpatch
refused "--pid needs a process id, not '+1'" revert --pid +1
refused "--pid needs a process id, not '1x'" ps --pid 1x
refused "--timeout needs milliseconds, not ' 500'" apply --pid 1 --timeout ' 500' some.lpatch
refused "unknown option --bogus" apply --bogus
refused "unknown argument --bogus" ps --bogus
echo "PASS: bad options of apply, revert and ps refused, naming the option"
