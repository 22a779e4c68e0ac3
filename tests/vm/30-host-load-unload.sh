# lpatch as the operator's tool, on the real Debian kernel: `lpatch load` of a
# real patch (the transition finishes, /proc/cmdline changes), `lpatch list`
# shows the patched function, `lpatch status --json` the patch enabled with
# its CVEs and the K taint, `lpatch info` reads the loaded patch, `lpatch
# unload` restores the kernel and removes the module. Refused before insmod,
# with exit 2: a module that is not a livepatch (a distribution module) and a
# livepatch whose vermagic names another release.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" cmdline.patch --name livepatch-cmdline \
	--cve CVE-2099-1111 --cve CVE-2099-2222 --description "cmdline test patch"

# the same module claiming another release in its vermagic (same length)
rel=$(ko_vermagic "$WORK/lp.ko") || exit 1
other=$(echo "$rel" | sed 's/^\(.\)/9/')
perl -0777 -pe "s/vermagic=\Q$rel\E/vermagic=$other/" "$WORK/lp.ko" >"$WORK/wrong.ko"
cmp -s "$WORK/lp.ko" "$WORK/wrong.ko" && fail "could not make the wrong-vermagic copy"

# on the host: info of the file
"$LPATCH" info --json "$WORK/lp.ko" >"$WORK/info.json" || fail "lpatch info failed"
json_is "$WORK/info.json" .cves '["CVE-2099-1111","CVE-2099-2222"]'
json_is "$WORK/info.json" .objects '[{"name":"vmlinux","functions":[{"name":"cmdline_proc_show","sympos":1}]}]'
json_is "$WORK/info.json" .target "$rel"
json_is "$WORK/info.json" .replace true
json_is "$WORK/info.json" .description "cmdline test patch"

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
rel=$(uname -r)
mod=$(find /lib/modules/$rel/kernel -name '*.ko' | head -1)
[ -n "$mod" ] || die "no distribution module to try"
lpatch load "$mod"; echo "not-livepatch exit $?"
lpatch load wrong.ko; echo "wrong-vermagic exit $?"
[ -d /sys/module/livepatch_cmdline ] && die "a refused module was loaded"
lpatch load --timeout 30 lp.ko || die "lpatch load failed: $?"
grep -q '^lpatch-cmdline ' /proc/cmdline || die "cmdline not patched: $(cat /proc/cmdline)"
echo "patched: $(head -c 14 /proc/cmdline)"
lpatch load lp.ko; echo "second load exit $?"
lpatch list || die "lpatch list failed"
lpatch status --json >st.json || die "lpatch status failed"
echo "STATUS1 $(cat st.json)"
lpatch status
lpatch info livepatch_cmdline || die "lpatch info NAME failed"
lpatch unload livepatch-cmdline || die "lpatch unload failed: $?"
grep -q lpatch-cmdline /proc/cmdline && die "still patched after unload"
[ -d /sys/module/livepatch_cmdline ] && die "module still loaded after unload"
lpatch unload livepatch-cmdline; echo "unload again exit $?"
echo "STATUS2 $(lpatch status --json)"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko" "$WORK/wrong.ko"
cat "$WORK/out"
expect_contains "$WORK/out" GUEST-OK
expect_contains "$WORK/out" "is not a livepatch (its .modinfo has no livepatch=Y)"
expect_contains "$WORK/out" "not-livepatch exit 2"
expect_contains "$WORK/out" "wrong.ko: built for kernel $other, but the kernel here is $rel"
expect_contains "$WORK/out" "wrong-vermagic exit 2"
expect_contains "$WORK/out" "patched: lpatch-cmdline"
expect_contains "$WORK/out" "loaded livepatch_cmdline: 1 function patched; fixes CVE-2099-1111, CVE-2099-2222"
expect_contains "$WORK/out" "patch livepatch_cmdline is already loaded and enabled"
expect_contains "$WORK/out" "second load exit 2"
grep -Eq '^vmlinux +cmdline_proc_show +livepatch_cmdline$' "$WORK/out" || fail "lpatch list has no row vmlinux cmdline_proc_show livepatch_cmdline"
vm_json "$WORK/out" STATUS1 "$WORK/st1.json"
vm_json "$WORK/out" STATUS2 "$WORK/st2.json"
json_is "$WORK/st1.json" .format lpatch-status/1
json_is "$WORK/st1.json" .kernel.release "$rel"
lp='.patches[] | select(.name == "livepatch_cmdline")'
json_is "$WORK/st1.json" "[$lp | [.state, .loaded, .enabled, .transition, .installed]]" \
	'[["enabled",true,true,false,false]]'
json_is "$WORK/st1.json" '[.taint.flags[] | select(.letter == "K") | .name]' '["livepatch"]'
json_is "$WORK/st1.json" .cves_fixed '["CVE-2099-1111","CVE-2099-2222"]'
json_is "$WORK/st1.json" "[$lp | .objects[].functions[]]" '[{"name":"cmdline_proc_show","sympos":1}]'
json_is "$WORK/st2.json" .patches '[]'
json_is "$WORK/st2.json" .cves_fixed '[]'
expect_contains "$WORK/out" "unloaded livepatch_cmdline"
expect_contains "$WORK/out" "no livepatch livepatch_cmdline is loaded"
expect_contains "$WORK/out" "unload again exit 2"
exit 0
