# lpatch vm runs on the generic flavour (debian:amd64), which has ext4 (and
# virtio_blk) as modules, not built in like the cloud flavour: the guest
# loads them from the initramfs before it mounts the modules disk, then
# modprobe loads the target's own modules. Needs only the image (70 MB).
. "$(dirname "$0")/../lib.sh"
TARGET=${LPATCH_TEST_GENERIC:-debian:amd64}

# the image alone: no headers, no -dbg
"$LPATCH" target --json --need boot "$TARGET" >"$WORK/target.json" 2>"$WORK/target.err" ||
	{ cat "$WORK/target.err"; fail "lpatch target --need boot $TARGET failed"; }
config=$(target_field config) || exit 1
rel=$(target_field release) || exit 1
grep -q '^CONFIG_EXT4_FS=m$' "$config" ||
	skip "LOUDLY: $rel builds ext4 in (not a module): this test needs a kernel with CONFIG_EXT4_FS=m"

"$LPATCH" vm --target "$TARGET" -- true >"$WORK/out" 2>"$WORK/err" ||
	{ cat "$WORK/out" "$WORK/err"; fail "lpatch vm --target $TARGET -- true failed"; }

cat >"$WORK/inside.sh" <<'G'
uname -r
grep -q '^xfs ' /proc/modules && echo "xfs loaded too early"
modprobe xfs || echo "modprobe xfs failed"
grep '^xfs ' /proc/modules | cut -d' ' -f1 | sed 's/^/module=/'
grep -q '^ext4 ' /proc/modules && echo "ext4=module"
grep " /lib/modules/$(uname -r) ext4 " /proc/mounts | cut -d' ' -f3 | sed 's/^/modfs=/'
G
"$LPATCH" vm --target "$TARGET" --copy "$WORK/inside.sh" -- sh inside.sh >"$WORK/out" 2>"$WORK/err" ||
	{ cat "$WORK/out" "$WORK/err"; fail "the checks on $rel failed"; }
cat "$WORK/out"
expect_contains "$WORK/out" "$rel"
expect_not_contains "$WORK/out" "too early"
expect_not_contains "$WORK/out" "modprobe xfs failed"
expect_contains "$WORK/out" "module=xfs"
expect_contains "$WORK/out" "ext4=module"
expect_contains "$WORK/out" "modfs=ext4"
