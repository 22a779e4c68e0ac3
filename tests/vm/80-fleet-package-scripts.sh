# `lpatch package` on the real kernel: the maintainer scripts of the packages
# of one fix, run in the VM as dpkg runs them (busybox guest, no dpkg: files
# unpacked, then postinst configure / prerm remove / postrm remove).
#   the packages (a fix, a withdrawal) are lintian-clean: no error, no warning
#   v1 installs into the store and loads; the Prometheus file shows the CVE fixed
#   v2 (cumulative, another module name) takes over by atomic replace: v1's
#      module is gone only after v2 is in force, the kernel patched throughout
#   removing v2 unloads and uninstalls it
#   v1 again, then the withdrawal (v3): unloaded and uninstalled
#   quarantine: a load record of another boot quarantines the patch at load --all
#      (skipped, status and metric say so, lpatch load refuses); lifting it loads it
. "$(dirname "$0")/../lib.sh"
for v in 1 2; do
	build_patch "$WORK/v$v.ko" cmdline.patch --name "livepatch-fleet-v$v" --cve CVE-2099-3333
done
for v in 1 2; do
	lp_ok "$WORK/pkg$v.log" "lpatch package v$v" package --package livepatch-fleet --version $v -o "$WORK/debs" "$WORK/v$v.ko"
done
lp_ok "$WORK/pkg3.log" "lpatch package --withdraw" package --withdraw --package livepatch-fleet --version 3 \
	--description "test withdrawal" -o "$WORK/debs"
# lintian-clean: no error and no warning, for a fix and for a withdrawal
if command -v lintian >/dev/null; then
	lintian --fail-on error,warning "$WORK/debs/livepatch-fleet_1_amd64.deb" "$WORK/debs/livepatch-fleet_3_amd64.deb" \
		>"$WORK/lintian.log" 2>&1 || { cat "$WORK/lintian.log"; fail "lintian warns or errs on lpatch package's .debs"; }
else
	echo "LOUDLY: lintian is not installed (scripts/deps.sh --test): the packages are not checked" >&2
fi
mkdir "$WORK/pkgs"
for v in 1 2 3; do dpkg-deb -R "$WORK/debs/livepatch-fleet_${v}_amd64.deb" "$WORK/pkgs/v$v" || fail "dpkg-deb -R v$v"; done
tar -C "$WORK/pkgs" -cf "$WORK/pkgs.tar" v1 v2 v3

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
rel=$(uname -r)
export LPATCH_PROMETHEUS_FILE=/tmp/prom/lpatch.prom
mkdir -p /tmp/prom
tar xf pkgs.tar || die "tar"
ship=/usr/lib/lpatch/packages/livepatch-fleet
# unpack V, as dpkg does (the previous version's files go), then configure
inst() { rm -rf $ship; mkdir -p /usr/lib; cp -a $1/usr/lib/. /usr/lib/ 2>/dev/null; sh $1/DEBIAN/postinst configure $2 || die "postinst of $1: $?"; }
patched() { grep -q '^lpatch-cmdline ' /proc/cmdline; }
inst v1 ""
patched || die "v1 did not patch"
[ -f /var/lib/lpatch/$rel/livepatch_fleet_v1.ko ] || die "v1 not in the store"
grep -q "lpatch_cve_fixed{cve=\"CVE-2099-3333\"} 1" $LPATCH_PROMETHEUS_FILE || die "no CVE fixed in the metrics"
echo "v1 live"
# while v2 takes over, /proc/cmdline is read without pause: never unpatched
( while [ ! -f /tmp/stop ]; do patched || echo UNPATCHED >/tmp/window; done ) &
inst v2 1
touch /tmp/stop; wait
[ -f /tmp/window ] && die "the kernel ran unpatched while v2 replaced v1"
[ "$(cat /sys/kernel/livepatch/livepatch_fleet_v2/enabled)" = 1 ] || die "v2 not enabled"
[ -d /sys/module/livepatch_fleet_v1 ] && die "v1's module is still loaded"
[ -f /var/lib/lpatch/$rel/livepatch_fleet_v1.ko ] && die "v1 still in the store"
cat /var/lib/lpatch/packages/livepatch-fleet
echo "v2 replaced v1"
sh v2/DEBIAN/prerm remove || die "prerm"
rm -rf $ship
sh v2/DEBIAN/postrm remove || die "postrm"
[ -d /sys/module/livepatch_fleet_v2 ] && die "removal left v2 loaded"
[ -n "$(ls /var/lib/lpatch/$rel/)" ] && die "removal left the store: $(ls /var/lib/lpatch/$rel/)"
patched && die "still patched after removal"
grep -q "lpatch_cve_fixed" $LPATCH_PROMETHEUS_FILE && die "metrics still show a CVE fixed"
echo "removed"
inst v1 ""
patched || die "v1 again did not patch"
inst v3 1
patched && die "the withdrawal left the patch"
[ -n "$(ls /sys/kernel/livepatch)" ] && die "the withdrawal left $(ls /sys/kernel/livepatch)"
[ -n "$(ls /var/lib/lpatch/$rel/)" ] && die "the withdrawal left the store: $(ls /var/lib/lpatch/$rel/)"
echo "withdrawn"
# quarantine: a record left by another boot
lpatch install v1/usr/lib/lpatch/packages/livepatch-fleet/$rel/livepatch_fleet_v1.ko || die "install"
mkdir -p /var/lib/lpatch/loads
echo "00000000-0000-0000-0000-00000000dead 1700000000" >/var/lib/lpatch/loads/livepatch_fleet_v1
lpatch load --all; echo "load --all exit $?"
patched && die "a quarantined patch was loaded"
lpatch status
lpatch load /var/lib/lpatch/$rel/livepatch_fleet_v1.ko; echo "load exit $?"
lpatch status --prometheus || die "status --prometheus"
grep 'lpatch_patch_quarantined{patch="livepatch_fleet_v1"} 1' $LPATCH_PROMETHEUS_FILE || die "quarantine metric"
lpatch quarantine --lift livepatch_fleet_v1 || die "lift"
lpatch load --all || die "load --all after the lift"
patched || die "not patched after the lift"
grep 'lpatch_patch_quarantined{patch="livepatch_fleet_v1"} 0' $LPATCH_PROMETHEUS_FILE || die "quarantine metric after the lift"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/pkgs.tar"
cat "$WORK/out"
expect_contains "$WORK/out" "v2 replaced v1"
expect_contains "$WORK/out" "livepatch_fleet_v2 "
expect_contains "$WORK/out" "livepatch-fleet 3: the fix is withdrawn"
expect_contains "$WORK/out" "quarantined livepatch_fleet_v1: loaded at 2023-11-14T22:13:20Z"
expect_contains "$WORK/out" "skipping livepatch_fleet_v1: quarantined"
expect_contains "$WORK/out" "livepatch_fleet_v1: installed, quarantined"
expect_contains "$WORK/out" "livepatch_fleet_v1 is quarantined"
expect_contains "$WORK/out" "load exit 2"
expect_contains "$WORK/out" GUEST-OK
