# A signed livepatch on a Secure Boot machine: `lpatch vm --mok CERT` boots
# the real Debian kernel the way a Secure Boot server does (OVMF with
# Microsoft's keys and Secure Boot on, Debian's signed shim and grub, the
# signed kernel, CERT enrolled in MokList beforehand as `mokutil --import`
# would), so the kernel is locked down and takes the MOK into its platform
# keyring. A module built with `--sign-key/--sign-cert` by that key loads
# and goes live, and unloads; the same module unsigned is refused, and
# `lpatch load` says why: Secure Boot, lockdown, not signed, enroll a MOK.
# apt-cache is asked once for the three EFI packages.
. "$(dirname "$0")/../lib.sh"
command -v virt-fw-vars >/dev/null ||
	skip "virt-fw-vars is not installed (python3-virt-firmware; scripts/deps.sh --test installs it)"
[ -f /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ] || skip "OVMF is not installed (apt-get install ovmf)"
test_signing_key "$WORK" "lpatch test MOK"
build_patch "$WORK/signed.ko" meminfo-vmallocchunk.patch --name livepatch-sb \
	--sign-key "$WORK/key.pem" --sign-cert "$WORK/cert.pem"
ko_unsigned "$WORK/signed.ko" "$WORK/unsigned.ko"

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
echo "lockdown: $(cat /sys/kernel/security/lockdown)"
grep -q 'asymmetri lpatch test MOK:' /proc/keys || die "the MOK is not in the kernel's keyrings"
lpatch load unsigned.ko; echo "unsigned exit $?"
[ -d /sys/module/livepatch_sb ] && die "the unsigned module was loaded"
lpatch load --timeout 60 signed.ko || die "the signed module was refused: $?"
grep -q '^VMALLOCCHUNK:' /proc/meminfo || die "not patched: $(grep -i vmallocchunk /proc/meminfo)"
echo "patched: $(grep '^VMALLOCCHUNK:' /proc/meminfo)"
lpatch unload livepatch_sb || die "unload failed: $?"
grep -q '^VmallocChunk:' /proc/meminfo || die "not restored after unload"
echo GUEST-OK
G
# apt-cache, logged: the EFI packages are looked up in one run, not one per package
mkdir "$WORK/shim"
printf '#!/bin/sh\necho "$*" >>"%s/apt-cache.log"\nexec /usr/bin/apt-cache "$@"\n' "$WORK" >"$WORK/shim/apt-cache"
chmod +x "$WORK/shim/apt-cache"
start=$(date +%s.%N)
PATH="$WORK/shim:$PATH" "$LPATCH" vm --target "$TARGET" --mok "$WORK/cert.pem" --timeout 600 --copy "$TOP/tests/vm/guest-lib.sh" \
	--copy "$WORK/guest.sh" --copy "$WORK/signed.ko" --copy "$WORK/unsigned.ko" -- sh guest.sh \
	>"$WORK/out.raw" 2>&1; st=$?
tr -d '\r' <"$WORK/out.raw" | tr -cd '\11\12\40-\176' >"$WORK/out"
echo "Secure Boot VM run: $(echo "$(date +%s.%N) - $start" | bc) s"
[ "$st" -eq 0 ] || { cat "$WORK/out"; fail "the Secure Boot VM run failed (exit $st)"; }
grep -v '^\[' "$WORK/out" | grep -v BdsDxe
expect_contains "$WORK/out" "UEFI Secure Boot"
expect_contains "$WORK/out" "lockdown: none [integrity] confidentiality"
expect_contains "$WORK/out" "the kernel refused module livepatch_sb (unsigned.ko)"
expect_contains "$WORK/out" "unsigned.ko is not signed, and Secure Boot is on, so the kernel is locked down (integrity)"
expect_contains "$WORK/out" "mokutil --import CERT.der"
expect_contains "$WORK/out" "unsigned exit 1"
expect_contains "$WORK/out" "loaded livepatch_sb: 1 function patched"
expect_contains "$WORK/out" "patched: VMALLOCCHUNK:"
expect_contains "$WORK/out" GUEST-OK
grep -E 'shim|grub' "$WORK/apt-cache.log" >"$WORK/apt-efi" || fail "the EFI packages were not looked up with apt-cache"
[ "$(wc -l <"$WORK/apt-efi")" = 1 ] || { cat "$WORK/apt-efi"; fail "apt-cache ran more than once for the EFI packages"; }
for p in shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed; do
	has -w -- "$p" "$WORK/apt-efi" || fail "apt-cache was not asked for $p"
done
