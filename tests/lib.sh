# Helpers for shell tests (sourced). Each test script is one test:
# exit 0 = pass, 1 = fail, 77 = skipped (print why, loudly).
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LPATCH="$TOP/lpatch"
export LPATCH_CACHE="${LPATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lpatch}"
# The kernel the VM tests run on (the current Debian cloud kernel by default).
TARGET="${LPATCH_TEST_TARGET:-debian:cloud}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lpatch-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# has GREP-ARGS...: grep -q for the end of a pipeline. grep -q stops at the
# first match, and the command writing into the pipe then dies of SIGPIPE if
# it writes again; with pipefail that turns a match into a failure, now and
# then (vm/19 failed in CI so). has reads to the end.
has() { grep "$@" >/dev/null; }
skip() { echo "SKIP: $*" >&2; exit 77; }
# expect_contains FILE TEXT: FILE must contain TEXT
expect_contains() { grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; tail -40 "$1" >&2; fail "expected '$2' in $1"; }; }
expect_not_contains() { ! grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; tail -40 "$1" >&2; fail "did not expect '$2' in $1"; }; }

# expect_kept_log LOG ERROR-START SOURCE: lpatch's output in LOG shows the
# compiler's "SOURCE:L:C: error: ... lpatch_no_semicolon" line, and its error
# starting "lpatch: error: ERROR-START" ends "; the whole log: PATH" with PATH
# an existing copy under $LPATCH_CACHE/logs holding that error; sets KEPT
expect_kept_log() {
	local log=$1 start=$2 src=$3
	grep -qF -- "  | $src:" "$log" && grep -qE '^  \| [^ ]+:[0-9]+:[0-9]+: error: .*lpatch_no_semicolon' "$log" ||
		{ cat "$log"; fail "the compiler's error line is not shown"; }
	KEPT=$(grep -F -- "lpatch: error: $start" "$log" | sed -n 's/.*; the whole log: \(.*\)$/\1/p')
	[ -n "$KEPT" ] || { cat "$log"; fail "the error names no log"; }
	case $KEPT in
	"$LPATCH_CACHE"/logs/*) ;;
	*) fail "the log $KEPT is not under $LPATCH_CACHE/logs" ;;
	esac
	[ -f "$KEPT" ] || fail "the log $KEPT named in the error is gone after lpatch exited"
	grep -q 'error: .*lpatch_no_semicolon' "$KEPT" || fail "$KEPT does not hold the compiler's error"
}
# lp_ok LOG WHAT ARGS...: run lpatch ARGS... with its output in LOG; when it
# fails, show LOG and fail the test ("WHAT failed")
lp_ok() {
	local log=$1 what=$2; shift 2
	"$LPATCH" "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "$what failed"; }
}
# build_patch OUT.ko PATCH [lpatch build options]: build for $TARGET or fail
build_patch() {
	local out=$1 patch=$2; shift 2
	lp_ok "$WORK/build.log" "lpatch build of $patch" \
		build --target "$TARGET" -o "$out" "$@" "$TOP/tests/vm/patches/$patch"
	[ -s "$out" ] || fail "lpatch build of $patch wrote no module"
}
# in_vm [--append ARG]... OUTFILE GUEST-SCRIPT [FILES...]: run a guest script
# in the target VM (kernel command line + ARG); its output (stdout and
# stderr, serial \r dropped) is in OUTFILE. Prints how long the VM ran; a
# failed run (the script's non-zero exit, or a kernel WARN, Call Trace,
# oops or timeout) prints the output and fails the test.
in_vm() {
	local vmopts=() start st
	while [ "$1" = --append ]; do vmopts+=(--append "$2"); shift 2; done
	local out=$1 script=$2; shift 2
	local copies=(--copy "$TOP/tests/vm/guest-lib.sh" --copy "$script")
	for f in "$@"; do copies+=(--copy "$f"); done
	start=$(date +%s.%N)
	"$LPATCH" vm --target "$TARGET" "${vmopts[@]}" "${copies[@]}" -- sh "$(basename "$script")" \
		>"$out.raw" 2>&1
	st=$?
	tr -d '\r' <"$out.raw" >"$out"
	rm -f "$out.raw"
	echo "VM run: $(echo "$(date +%s.%N) - $start" | bc) s"
	[ "$st" -eq 0 ] || { cat "$out"; fail "VM run failed (exit $st; a kernel WARN or Call Trace fails it too)"; }
}
# expect_changes LOG "obj: changed f" ...: the build log lists exactly these
# changed functions, new functions and new data (in any order), no others
expect_changes() {
	local log=$1; shift
	local got want
	got=$(grep -E '^[^ ]+: (changed|new function|new data) ' "$log" | sort)
	want=$(printf '%s\n' "$@" | sort)
	[ "$got" = "$want" ] || { printf -- '--- got:\n%s\n--- expected:\n%s\n' "$got" "$want" >&2; fail "changes listed in $log differ"; }
}
# json_get FILE FILTER: the value of jq FILTER on the JSON in FILE (a string
# as it is, anything else as compact JSON: true, null, ["a","b"]); fails when
# FILE is not JSON or the filter fails. Called as x=$(json_get ...) || exit 1.
json_get() {
	command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh --test installs it)"
	jq empty "$1" >/dev/null 2>&1 ||
		{ echo "--- $1:" >&2; head -c 2000 "$1" >&2; fail "$1 is not JSON"; }
	jq -cr "$2" "$1" || fail "jq '$2' failed on $1"
}
# json_is FILE FILTER VALUE: jq FILTER on FILE gives VALUE (as json_get prints it)
json_is() {
	local got
	got=$(json_get "$1" "$2") || exit 1
	[ "$got" = "$3" ] || { echo "--- $1:" >&2; head -c 4000 "$1" >&2; echo >&2
		fail "$2 in $1 is '$got', expected '$3'"; }
}
# vm_json OUT TAG FILE: the JSON a guest script printed as one line "TAG JSON"
# (the guest has no jq), from the VM's output OUT into FILE, to read with json_is
vm_json() {
	grep "^$2 " "$1" | cut -c$((${#2} + 2))- >"$3"
	[ "$(wc -l <"$3")" -eq 1 ] || { tail -40 "$1" >&2; fail "expected one line '$2 {...}' in $1"; }
	jq empty "$3" 2>/dev/null || { cat "$3" >&2; fail "the guest's $2 line is not JSON"; }
}
# target_field NAME: the string field NAME of `lpatch target --json $TARGET`
# (run once per test, kept in $WORK/target.json); fails when it is missing.
# Called as x=$(target_field NAME) || exit 1, as fail only ends the $(...).
target_field() {
	if [ ! -s "$WORK/target.json" ]; then
		"$LPATCH" target --json "$TARGET" >"$WORK/target.json" 2>"$WORK/target.err" ||
			{ cat "$WORK/target.err" >&2; rm -f "$WORK/target.json"; fail "lpatch target $TARGET failed"; }
	fi
	json_get "$WORK/target.json" ".$1 // empty" | grep . ||
		fail "no $1 in: $(cat "$WORK/target.json")"
}
# ko_vermagic KO: the release KO was built for (its vermagic's first word);
# fails when it has none. Called as x=$(ko_vermagic KO) || exit 1.
ko_vermagic() {
	sed -n 's/^ *\[ *[0-9a-f]*\]  vermagic=\([^ ]*\) .*/\1/p' <(readelf -p .modinfo "$1") | grep . ||
		fail "no vermagic in $1"
}
# build_test_kmod NAME: build tests/fixtures/kmod/NAME against $TARGET's
# headers; the module is left in $WORK/NAME/
build_test_kmod() {
	local headers
	headers=$(target_field headers) || exit 1
	[ -d "$headers" ] || fail "no headers directory in: $(cat "$WORK/target.json")"
	cp -r "$TOP/tests/fixtures/kmod/$1" "$WORK/$1"
	make -C "$headers" M="$WORK/$1" modules >"$WORK/make-$1.log" 2>&1 ||
		{ tail -20 "$WORK/make-$1.log" >&2; fail "building the test module $1 failed"; }
}
# test_signing_key DIR CN: a throwaway key pair DIR/key.pem + DIR/cert.pem
test_signing_key() {
	command -v openssl >/dev/null || skip "openssl is not installed (scripts/deps.sh --test)"
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$2/" \
		-keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null || fail "cannot make a test key"
}
# ko_unsigned SIGNED.ko OUT.ko: the module without kbuild's appended signature
# (PKCS#7, a 12-byte header whose last 4 bytes are its length, the magic)
ko_unsigned() {
	python3 - "$1" "$2" <<'PY' || fail "cannot strip the signature of $1"
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d.endswith(b'~Module signature appended~\n')
sig_len = struct.unpack('>I', d[-28 - 4:-28])[0]
open(sys.argv[2], 'wb').write(d[:len(d) - 28 - 12 - sig_len])
PY
}
