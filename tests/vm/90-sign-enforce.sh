# Signed livepatch modules, on a kernel that enforces module signatures
# (module.sig_enforce=1 on the real Debian kernel; no Secure Boot needed):
# `lpatch build --sign-key/--sign-cert` signs as kbuild does (modinfo reads
# the signer and sha256), and `lpatch load` explains each refusal in a
# user's terms: a module signed by a key the kernel does not trust names
# its signer and the keys the kernel does trust; an unsigned one says so;
# both say how to enroll a Machine Owner Key. Nothing is loaded.
. "$(dirname "$0")/../lib.sh"
test_signing_key "$WORK" "lpatch test signing key"

# half a pair is bad usage, before anything is built
"$LPATCH" build --target "$TARGET" --sign-key "$WORK/key.pem" "$TOP/tests/vm/patches/cmdline.patch" \
	>"$WORK/half.log" 2>&1; st=$?
[ "$st" -eq 2 ] || { cat "$WORK/half.log"; fail "--sign-key alone exited $st, not 2"; }
expect_contains "$WORK/half.log" "--sign-key and --sign-cert go together"
"$LPATCH" build --target "$TARGET" --sign-key "$WORK/nokey.pem" --sign-cert "$WORK/cert.pem" \
	"$TOP/tests/vm/patches/cmdline.patch" >"$WORK/nokey.log" 2>&1; st=$?
[ "$st" -eq 2 ] || { cat "$WORK/nokey.log"; fail "a missing key exited $st, not 2"; }
expect_contains "$WORK/nokey.log" "cannot read the signing key $WORK/nokey.pem"

build_patch "$WORK/signed.ko" cmdline.patch --name livepatch-cmdline \
	--sign-key "$WORK/key.pem" --sign-cert "$WORK/cert.pem"
expect_contains "$WORK/build.log" "signed $WORK/signed.ko with $WORK/cert.pem (sha256)"
modinfo "$WORK/signed.ko" >"$WORK/modinfo" || fail "modinfo cannot read the signed module"
expect_contains "$WORK/modinfo" "lpatch test signing key"
grep -qE '^sig_hashalgo: +sha256' "$WORK/modinfo" || { cat "$WORK/modinfo"; fail "not signed with sha256"; }
ko_unsigned "$WORK/signed.ko" "$WORK/unsigned.ko"

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
[ "$(cat /sys/module/module/parameters/sig_enforce)" = Y ] || die "sig_enforce is not on"
lpatch load signed.ko; echo "signed exit $?"
lpatch load unsigned.ko; echo "unsigned exit $?"
[ -d /sys/module/livepatch_cmdline ] && die "a refused module was loaded"
grep -q '^lpatch-cmdline' /proc/cmdline && die "patched anyway"
echo GUEST-OK
G
in_vm --append module.sig_enforce=1 "$WORK/out" "$WORK/guest.sh" "$WORK/signed.ko" "$WORK/unsigned.ko"
cat "$WORK/out"
expect_contains "$WORK/out" GUEST-OK
expect_contains "$WORK/out" "the kernel refused module livepatch_cmdline (signed.ko): Key was rejected by service"
expect_contains "$WORK/out" "signed.ko is signed (sha256) by 'lpatch test signing key' (serial "
expect_contains "$WORK/out" "a key this kernel does not trust; the kernel enforces module signatures (module.sig_enforce)"
# the kernel's own keys (Debian's build key here) are listed by name
grep -qE "It trusts: '[^']+: [0-9a-f]+'" "$WORK/out" || fail "the trusted keys are not listed"
expect_contains "$WORK/out" "unsigned.ko is not signed, and the kernel enforces module signatures"
expect_contains "$WORK/out" "enroll its certificate as a Machine Owner Key with \`mokutil --import CERT.der\`"
expect_contains "$WORK/out" "signed exit 1"
expect_contains "$WORK/out" "unsigned exit 1"
