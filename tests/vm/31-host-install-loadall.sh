# lpatch install / uninstall and `lpatch load --all` (what lpatch.service runs
# at boot). On the host: install with --root and --release keeps the module
# atomically as ROOT/RELEASE/NAME.ko; a module for another release is refused.
# In the VM on the real kernel: install, load --all patches the kernel and
# skips what is loaded; status shows the patch installed; uninstall empties
# the store. Booted with lpatch.disable=1, load --all loads nothing.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" cmdline.patch --name livepatch-cmdline --cve CVE-2099-3333
rel=$(ko_vermagic "$WORK/lp.ko") || exit 1

# host: the store, relocated
lp_ok "$WORK/inst.log" "install --root --release" install --root "$WORK/store" --release "$rel" "$WORK/lp.ko"
cmp -s "$WORK/lp.ko" "$WORK/store/$rel/livepatch_cmdline.ko" || fail "installed file differs"
[ "$(ls -A "$WORK/store/$rel")" = livepatch_cmdline.ko ] || fail "temporary files left: $(ls -A "$WORK/store/$rel")"
LPATCH_ROOT="$WORK/store" "$LPATCH" install --release 1.2.3-other "$WORK/lp.ko" >"$WORK/other.log" 2>&1
st=$?
[ "$st" -eq 2 ] || { cat "$WORK/other.log"; fail "install for another release exited $st, not 2"; }
expect_contains "$WORK/other.log" "built for kernel $rel, but the kernel here is 1.2.3-other"
[ -e "$WORK/store/1.2.3-other/livepatch_cmdline.ko" ] && fail "a refused module was installed"
LPATCH_ROOT="$WORK/store" lp_ok "$WORK/un.log" uninstall uninstall --release "$rel" livepatch-cmdline
[ -e "$WORK/store/$rel/livepatch_cmdline.ko" ] && fail "uninstall left the file"

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
rel=$(uname -r)
lpatch install lp.ko || die "install failed"
ls /var/lib/lpatch/$rel/
lpatch list
lpatch load --all || die "load --all failed: $?"
grep -q '^lpatch-cmdline ' /proc/cmdline || die "load --all did not patch: $(cat /proc/cmdline)"
echo "patched: $(head -c 14 /proc/cmdline)"
lpatch load --all || die "second load --all failed: $?"
echo "STATUS $(lpatch status --json)"
lpatch uninstall livepatch_cmdline || die "uninstall failed"
[ -e /var/lib/lpatch/$rel/livepatch_cmdline.ko ] && die "uninstall left the file"
grep -q '^lpatch-cmdline ' /proc/cmdline || die "uninstall unloaded the patch"
lpatch load --all; echo "empty load --all exit $?"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
cat "$WORK/out"
expect_contains "$WORK/out" GUEST-OK
expect_contains "$WORK/out" "installed livepatch_cmdline for $rel: /var/lib/lpatch/$rel/livepatch_cmdline.ko"
grep -Eq '^livepatch_cmdline +installed +yes ' "$WORK/out" || fail "lpatch list does not show the installed patch"
expect_contains "$WORK/out" "loaded livepatch_cmdline: 1 function patched; fixes CVE-2099-3333"
expect_contains "$WORK/out" "1 of 1 installed patch loaded for $rel (0 failed)"
expect_contains "$WORK/out" "livepatch_cmdline: already loaded"
vm_json "$WORK/out" STATUS "$WORK/status.json"
json_is "$WORK/status.json" \
	'[.patches[] | select(.name == "livepatch_cmdline") | [.state, .loaded, .enabled, .transition, .installed, (.file | startswith("/var/lib/lpatch/"))]]' \
	'[["enabled",true,true,false,true,true]]'
json_is "$WORK/status.json" .cves_fixed '["CVE-2099-3333"]'
expect_contains "$WORK/out" "is still loaded; \`lpatch unload livepatch_cmdline\` takes it out now"
expect_contains "$WORK/out" "no patch installed for $rel"
expect_contains "$WORK/out" "empty load --all exit 0"

# booted with lpatch.disable=1: nothing is loaded
cat > "$WORK/guest2.sh" <<'G'
. ./guest-lib.sh
lpatch install lp.ko || die "install failed"
lpatch load --all; echo "disabled load --all exit $?"
[ -d /sys/kernel/livepatch/livepatch_cmdline ] && die "loaded despite lpatch.disable=1"
grep -q '^lpatch-cmdline ' /proc/cmdline && die "patched despite lpatch.disable=1"
echo "STATUS $(lpatch status --json)"
echo GUEST-OK
G
in_vm --append lpatch.disable=1 "$WORK/out2" "$WORK/guest2.sh" "$WORK/lp.ko"
cat "$WORK/out2"
expect_contains "$WORK/out2" GUEST-OK
expect_contains "$WORK/out2" "lpatch.disable=1 is on the kernel command line: no patch loaded"
expect_contains "$WORK/out2" "disabled load --all exit 0"
vm_json "$WORK/out2" STATUS "$WORK/status2.json"
json_is "$WORK/status2.json" .kernel.lpatch_disable true
exit 0
