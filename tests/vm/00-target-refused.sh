# lpatch target refuses what it cannot resolve, with exit 2 and a message
# that says what is accepted (or which releases exist).
. "$(dirname "$0")/../lib.sh"

refused() { # expected-text args...
	local want=$1; shift
	"$LPATCH" target "$@" >"$WORK/out" 2>"$WORK/err"; st=$?
	[ $st -eq 2 ] || { cat "$WORK/err"; fail "exit $st, not 2, for: lpatch target $*"; }
	expect_contains "$WORK/err" "$want"
}

"$LPATCH" target --help >"$WORK/help" || fail "--help failed"
expect_contains "$WORK/help" "usage: lpatch target"
refused "debian:cloud, debian:amd64, or debian:<release>" ubuntu:cloud
refused "debian:cloud, debian:amd64, or debian:<release>" debian:6.1
refused "unknown part 'kernel'" --need boot,kernel debian:cloud
refused "which kernel?"
refused "either a SPEC or --src" --src /tmp debian:cloud
# a tree that is a file is named as such, not as missing
refused "kernel source tree /dev/null is not a directory" --src /dev/null --vmlinux /bin/true
refused "kernel source tree $WORK/nowhere does not exist" --src "$WORK/nowhere" --vmlinux /bin/true
# no apt lists at all: the advice is apt-get update
mkdir -p "$WORK/lists/partial" && echo "Dir::State::Lists \"$WORK/lists\";" >"$WORK/apt.conf"
APT_CONFIG=$WORK/apt.conf LPATCH_CACHE=$WORK/cache "$LPATCH" target debian:cloud 2>"$WORK/err"
st=$?; [ $st -eq 1 ] || { cat "$WORK/err"; fail "exit $st, not 1, without apt lists"; }
expect_contains "$WORK/err" "run \`apt-get update\`"
ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || skip "no apt lists (run apt-get update)"
refused "Debian has no kernel 6.1.0-999-cloud-amd64" debian:6.1.0-999-cloud-amd64
expect_contains "$WORK/err" "cloud-amd64 releases apt can fetch: 6."
[ -d "$LPATCH_CACHE/targets/6.1.0-999-cloud-amd64" ] && fail "a cache directory was made for a kernel that does not exist"
exit 0
