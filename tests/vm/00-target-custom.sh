# A custom target (--src/--config/--vmlinux): accepted when the tree is
# prepared, configured like the config and builds the vmlinux's release;
# refused (exit 2, with the reason) when any of these is not so.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip "jq is not installed"

"$LPATCH" target --json --need all "$TARGET" >"$WORK/deb.json" 2>"$WORK/err" ||
	{ cat "$WORK/err"; fail "lpatch target $TARGET failed"; }
get() { jq -er ".$2" "$1"; }
src=$(get "$WORK/deb.json" src) config=$(get "$WORK/deb.json" config)
vmlinux=$(get "$WORK/deb.json" vmlinux) rel=$(get "$WORK/deb.json" release)
symvers=$(get "$WORK/deb.json" symvers)

# the Debian kernel's own parts make a valid custom target
"$LPATCH" target --json --src "$src" --config "$config" --vmlinux "$vmlinux" \
	--symvers "$symvers" >"$WORK/c.json" 2>"$WORK/err" || { cat "$WORK/err"; fail "custom target refused"; }
[ "$(get "$WORK/c.json" release)" = "$rel" ] || fail "custom release is not $rel"
[ "$(get "$WORK/c.json" headers)" = "$src" ] || fail "custom headers are not the tree"
[ "$(get "$WORK/c.json" symvers)" = "$symvers" ] || fail "--symvers was not kept"
[ "$(get "$WORK/c.json" cc)" = gcc-12 ] || fail "custom cc is not gcc-12"

refused() { # expected-text args...: lpatch target must exit 2 and say expected-text
	local want=$1; shift
	"$LPATCH" target "$@" >/dev/null 2>"$WORK/err"; st=$?
	[ $st -eq 2 ] || { cat "$WORK/err"; fail "exit $st, not 2, for: $*"; }
	expect_contains "$WORK/err" "$want"
}

# a config that differs from the tree's
sed 's/^CONFIG_LIVEPATCH=y$/# CONFIG_LIVEPATCH is not set/' "$config" >"$WORK/other.config"
refused "CONFIG_LIVEPATCH: n in the target's config, y in" \
	--src "$src" --config "$WORK/other.config" --vmlinux "$vmlinux"

# a tree that is not prepared
mkdir -p "$WORK/raw" && cp "$src/Makefile" "$WORK/raw/"
refused "is not a prepared kernel tree: .config is missing" --src "$WORK/raw" --vmlinux "$vmlinux"

# a prepared tree of another release than the vmlinux
fake=$WORK/fake
mkdir -p "$fake/include/config" "$fake/include/generated" "$fake/scripts/mod"
cp "$src/Makefile" "$src/.config" "$fake/" && : >"$fake/include/config/auto.conf"
: >"$fake/include/generated/autoconf.h" && : >"$fake/scripts/mod/modpost"
echo '#define UTS_RELEASE "6.1.0-99-fake"' >"$fake/include/generated/utsrelease.h"
refused "is release $rel, but the tree $fake builds 6.1.0-99-fake" --src "$fake" --vmlinux "$vmlinux"

# something that is not a vmlinux at all
refused "has no kernel banner" --src "$src" --vmlinux /bin/true
refused "not an ELF file" --src "$src" --vmlinux "$(get "$WORK/deb.json" vmlinuz)"
exit 0
