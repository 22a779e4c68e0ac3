# Metadata: --cve (repeated), --description, the diff's sha256, the target
# release and whether the patch replaces are in modinfo, and once loaded in
# read-only parameters /sys/module/NAME/parameters/lpatch_{cves,description,
# target,patch_sha256,replace} (empty strings when not given; replace is Y or
# N). They cannot be overridden at insmod. `lpatch status --json` and `lpatch
# info NAME` read replace from the parameter of a loaded patch that has no
# installed .ko (6.1 has no /sys/kernel/livepatch/NAME/replace).
. "$(dirname "$0")/../lib.sh"
desc='Fix "cmdline", for tests, with commas'
build_patch "$WORK/meta.ko" cmdline.patch --name livepatch-meta \
	--cve CVE-2024-0001 --cve CVE-2024-0002 --description "$desc"
build_patch "$WORK/bare.ko" cmdline-A.patch --name livepatch-bare --no-replace
sha=$(sha256sum "$TOP/tests/vm/patches/cmdline.patch" | cut -c1-64)
sha_a=$(sha256sum "$TOP/tests/vm/patches/cmdline-A.patch" | cut -c1-64)
command -v modinfo >/dev/null || skip "modinfo (kmod) is not installed"
release=$(modinfo -F vermagic "$WORK/meta.ko" | cut -d' ' -f1)
field() { modinfo -F "$1" "$WORK/meta.ko" | sort | tr '\n' ' '; }
[ "$(field lpatch_cve)" = "CVE-2024-0001 CVE-2024-0002 " ] || fail "modinfo lpatch_cve: $(field lpatch_cve)"
[ "$(field description)" = "$desc " ] || fail "modinfo description: $(field description)"
[ "$(field lpatch_patch_sha256)" = "$sha " ] || fail "modinfo lpatch_patch_sha256: $(field lpatch_patch_sha256)"
[ "$(field lpatch_target)" = "$release " ] || fail "modinfo lpatch_target: $(field lpatch_target)"
[ "$(field lpatch_replace)" = "Y " ] || fail "modinfo lpatch_replace: $(field lpatch_replace)"
[ "$(modinfo -F lpatch_replace "$WORK/bare.ko")" = N ] || fail "modinfo lpatch_replace of the --no-replace build: $(modinfo -F lpatch_replace "$WORK/bare.ko")"
modinfo "$WORK/meta.ko" | grep '^lpatch\|^description'
cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
insmod meta.ko lpatch_cves=CVE-0000-0000 2>/dev/null && die "insmod accepted a metadata parameter"
insmod meta.ko || die "insmod meta.ko failed"
lp_wait_transition livepatch_meta
for p in cves description target patch_sha256 replace; do
	echo "meta $p=[$(cat /sys/module/livepatch_meta/parameters/lpatch_$p)]"
done
echo "META-STATUS $(lpatch status --json)"
echo "meta info: $(lpatch info livepatch_meta | grep '^replace:')"
echo x > /sys/module/livepatch_meta/parameters/lpatch_cves 2>/dev/null && die "a parameter was writable"
lp_disable livepatch_meta
rmmod livepatch_meta || die "rmmod failed"
insmod bare.ko || die "insmod bare.ko failed"
lp_wait_transition livepatch_bare
for p in cves description target patch_sha256 replace; do
	echo "bare $p=[$(cat /sys/module/livepatch_bare/parameters/lpatch_$p)]"
done
echo "BARE-STATUS $(lpatch status --json)"
echo "BARE-INFO $(lpatch info --json livepatch_bare)"
lp_disable livepatch_bare
rmmod livepatch_bare || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/meta.ko" "$WORK/bare.ko"
for line in "meta cves=[CVE-2024-0001,CVE-2024-0002]" "meta description=[$desc]" \
	"meta target=[$release]" "meta patch_sha256=[$sha]" "bare cves=[]" "bare description=[]" \
	"bare target=[$release]" "bare patch_sha256=[$sha_a]" "meta replace=[Y]" "bare replace=[N]" \
	'meta info: replace:      yes (atomic replace of earlier patches)' GUEST-OK; do
	expect_contains "$WORK/out" "$line"
done
vm_json "$WORK/out" META-STATUS "$WORK/meta-status.json"
vm_json "$WORK/out" BARE-STATUS "$WORK/bare-status.json"
vm_json "$WORK/out" BARE-INFO "$WORK/bare-info.json"
json_is "$WORK/meta-status.json" '[.patches[] | select(.name == "livepatch_meta") | .replace]' '[true]'
json_is "$WORK/bare-status.json" '[.patches[] | select(.name == "livepatch_bare") | .replace]' '[false]'
json_is "$WORK/bare-info.json" .replace false
grep '^meta\|^bare' "$WORK/out"
exit 0
