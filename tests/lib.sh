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
skip() { echo "SKIP: $*" >&2; exit 77; }
# expect_contains FILE TEXT: FILE must contain TEXT
expect_contains() { grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; tail -40 "$1" >&2; fail "expected '$2' in $1"; }; }
expect_not_contains() { ! grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; tail -40 "$1" >&2; fail "did not expect '$2' in $1"; }; }
