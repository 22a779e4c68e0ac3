# debian13:cloud@all, the one-command build over Debian 13's releases: the
# set is every trixie cloud release whose -dbg package and linux-source-6.12
# of its version are in lpatch's trixie lists, newest first, as `lpatch
# target debian13:cloud@all` lists it (fetching nothing). tests/vm/75 (long)
# builds the newest two through the matrix; building every release (about
# 2.2 GB of cache and a prepared tree each) is left to `lpatch build
# --target debian13:cloud@all` by hand.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip "no jq"
SET=debian13:cloud@all

"$LPATCH" target --json "$SET" >"$WORK/set.json" 2>"$WORK/set.err" ||
	{ cat "$WORK/set.err"; fail "lpatch target $SET failed"; }
cat "$WORK/set.json" "$WORK/set.err"
json_is "$WORK/set.json" .set "$SET"
n=$(json_get "$WORK/set.json" '.targets | length') || exit 1
[ "$n" -ge 2 ] || fail "$SET has $n releases, expected 2 or more"
# the text form lists the same
"$LPATCH" target "$SET" >"$WORK/set.txt" 2>/dev/null || fail "lpatch target $SET (text) failed"
[ "$(cat "$WORK/set.txt")" = "$(jq -r '.targets[]' "$WORK/set.json")" ] ||
	fail "the text list differs from the JSON one: $(cat "$WORK/set.txt")"
# newest first: the release debian13:cloud stands for
TARGET=debian13:cloud
newest=$(target_field release) || exit 1
json_is "$WORK/set.json" '.targets[0]' "debian13:$newest"

# each is a trixie cloud release with its -dbg and linux-source-6.12 of its
# version in lpatch's trixie lists, and none that has both is left out
export APT_CONFIG="$LPATCH_CACHE/apt/trixie/apt.conf"
[ -s "$APT_CONFIG" ] || fail "no private apt configuration $APT_CONFIG"
sources=$(apt-cache madison linux-source-6.12 | awk '{print $3}' | sort -u)
[ -n "$sources" ] || fail "lpatch's trixie lists have no linux-source-6.12"
want=$(apt-cache pkgnames linux-image- | sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb13[.0-9]*-cloud-amd64\)-dbg$/\1/p' |
	while read -r r; do
		v=$(apt-cache madison "linux-image-$r-dbg" | awk '{print $3}' | sort -V | tail -1)
		printf "%s\n" $sources | has -xF "$v" && echo "debian13:$r"
	done | sort)
got=$(jq -r '.targets[]' "$WORK/set.json" | sort)
[ "$got" = "$want" ] || { printf -- '--- got:\n%s\n--- expected:\n%s\n' "$got" "$want"; fail "$SET is not the releases with -dbg and source"; }
unset APT_CONFIG
echo "$SET: $n releases"
