# A header change that reaches only files this config does not build
# (mlx5's MACsec steering header; CONFIG_MLX5_EN_MACSEC is off in the cloud
# config, but mlx5_core is a module, so its files may be built): kbuild's
# rules in mlx5's Makefile leave both files out (CONFIG_MLX5_EN_MACSEC), so
# lpatch stops before compiling anything with "nothing to patch", exit 3
# (before it read the rules, the first compile made none of them and it
# stopped there). It must never run a compile with no objects: make without
# targets builds the whole kernel in the shared tree.
. "$(dirname "$0")/../lib.sh"
start=$(date +%s)
# the timeout only bounds a regression (a whole kernel build); the build
# takes seconds
timeout 600 "$LPATCH" build --target "$TARGET" -o "$WORK/lp.ko" \
	"$TOP/tests/vm/patches/header-unbuilt-macsec.patch" >"$WORK/log" 2>&1
st=$?
took=$(($(date +%s) - start))
[ $st -eq 3 ] || { cat "$WORK/log"; fail "exit $st after ${took}s, expected 3"; }
expect_contains "$WORK/log" "en_accel/macsec_fs.h reaches 2 source files; 0 of them may be built"
expect_contains "$WORK/log" "config builds none of the 2 source files the changed headers reach, so there is nothing to patch"
expect_not_contains "$WORK/log" "compiling"
expect_not_contains "$WORK/log" "applying the diff"
[ "$took" -lt 300 ] || fail "the build took ${took}s"
[ ! -e "$WORK/lp.ko" ] || fail "a module was written"
exit 0
