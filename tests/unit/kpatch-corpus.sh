#!/usr/bin/env bash
# kpatch's own differ test objects (dynup/kpatch-unit-test-objs, x86_64): for
# each case NAME, `lpatch diff NAME.ORIG.o NAME.PATCHED.o --parent NAME.ORIG.o`
# must accept (exit 0) and NAME.PATCHED.FAIL.o must be refused (exit 2); then
# the case's own assertions (NAME.test, run on the output as kpatch's CI does)
# must hold, or, where lpatch's answer differs from kpatch's on purpose, the
# assertion below that says why. One PASS/FAIL line per case; exit 77 when the
# corpus is missing.
#
# The corpus is shared/kpatch-unit beside the repository clone (CI), or
# $LPATCH_KPATCH_UNIT.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LPATCH="$TOP/lpatch"
has() { grep "$@" >/dev/null; }	# grep -q at a pipe's end: see tests/lib.sh

corpus=${LPATCH_KPATCH_UNIT:-}
if [ -z "$corpus" ]; then
	for c in "$TOP/../shared/kpatch-unit" "$TOP/../../shared/kpatch-unit"; do
		[ -d "$c/x86_64" ] && { corpus=$c; break; }
	done
fi
if [ -z "$corpus" ] || [ ! -d "$corpus/x86_64" ]; then
	echo "SKIP: kpatch's unit corpus not found (shared/kpatch-unit beside the clone, or set LPATCH_KPATCH_UNIT)"
	exit 77
fi
[ -x "$LPATCH" ] || { echo "FAIL build: $LPATCH missing (make lpatch)"; exit 1; }
objs="$corpus/x86_64"
export KPATCH_TEST_LIBRARY="$corpus/test-functions.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/lpatch-kpatch-corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT

nfuncs() { nm "$1" | grep -ci " t "; }

# Where lpatch's answer differs from kpatch's on purpose: why, and what lpatch's
# output must be instead of the case's own NAME.test.
declare -A why
# kpatch binds a changed function's untouched .cold part to the target's copy;
# lpatch carries the .cold part with its function (both change together: the
# hot part jumps into the cold one, and a target .cold part is not a function
# livepatch can call), so the output has the function and its .cold part.
why[cold-change-parent]="the .cold part travels with its changed function"
check_cold-change-parent() { [ "$(nfuncs "$1")" = 2 ] && nm "$1" | has ' meminfo_proc_show.cold'; }

# kpatch refuses warn-detect because it finds no change at all (its patch
# only adds a line at the top of net/core/dev.c, moving every WARN below);
# lpatch says so too, with its own exit code for it.
why[warn-detect]="no functional change is exit 3, not a refusal"
# The same for unique-id-pr-1314 (arch/x86/kvm/x86.c): its two objects differ
# only in the __COUNTER__ numbers of the dynamic debug descriptors' names
# (__UNIQUE_ID_ddebug1130 against ...1131); kpatch's fix for it (PR 1314) also
# ends in "no changed functions".
why[unique-id-pr-1314]="only __UNIQUE_ID counters move: no functional change, exit 3"
declare -A want_exit=([warn-detect]=3 [unique-id-pr-1314]=3)

fails=0
cd "$objs" || exit 1
for orig in *.ORIG.o; do
	name=${orig%.ORIG.o}
	if [ -f "$name.PATCHED.o" ]; then
		patched=$name.PATCHED.o want=0
	else
		patched=$name.PATCHED.FAIL.o want=${want_exit[$name]:-2}
	fi
	out=$work/$name.OUTPUT.o log=$work/$name.log
	"$LPATCH" diff "$orig" "$patched" --parent "$orig" -o "$out" >"$log" 2>&1
	st=$?
	msg=
	if [ "$st" -ne "$want" ]; then
		msg="exit $st, expected $want ($(case $want in 0) echo accepted ;; 2) echo refused ;;
						   *) echo no change ;; esac))"
	elif [ "$want" = 0 ] && declare -F "check_$name" >/dev/null; then
		"check_$name" "$out" >>"$log" 2>&1 || msg="lpatch's own assertion failed (${why[$name]})"
	elif [ "$want" = 0 ] && [ -f "$name.test" ]; then
		(cd "$work" && bash "$objs/$name.test" "$out") >>"$log" 2>&1 || msg="$name.test failed"
	fi
	if [ -z "$msg" ]; then
		echo "PASS $name${why[$name]:+ (differs from kpatch on purpose: ${why[$name]})}"
	else
		fails=$((fails + 1))
		echo "FAIL $name: $msg"
		sed 's/^/    /' "$log" | tail -8
	fi
done
[ "$fails" -eq 0 ]
