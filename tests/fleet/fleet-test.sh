#!/usr/bin/env bash
# The fleet test (docs/fleet.md; `make fleet-test`): VMs of a real Debian 12
# system on two kernel releases take livepatches from a signed apt repository
# served on 127.0.0.1 (the guests reach it as 10.0.2.2), each on its own timer.
# VM 1: 6.1.0-56, canary; VM 2: 6.1.0-56, stable; VM 3: 6.1.0-57, stable.
#   1. fix 1 published in both channels: live on every VM (meminfo changed,
#      node_exporter shows the CVE fixed); the time from publish to all live
#   2. fix 2 (cumulative, replaces) in canary: VM 1 only; promoted: every VM,
#      the old module gone (atomic replace, no window)
#   3. withdrawn: gone everywhere
#   4. the repository signed by another key: refused everywhere, the metric says so
#   5. power killed right after a load: the next boot quarantines the patch
#      (status, metric), the store and dpkg intact; lifting it loads it again
#   6. power killed while dpkg installs version 4 (the last VM): after the
#      reboot the next check finishes dpkg's work (dpkg --audit clean, version 4
#      installed, the module in the store), the patch live or quarantined, the
#      metrics saying which
# FLEET_VMS=1 runs VM 1 only (steps 1, 4, 5, 6); FLEET_MODULES=DIR reuses modules
# built before (RELEASE-v1.ko, RELEASE-v2.ko). Needs root, qemu, mmdebstrap, reprepro.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fleet/fleet-lib.sh"
[ "$(id -u)" = 0 ] || skip "the fleet test needs root (mmdebstrap, chroot, mkfs -d)"
for t in qemu-system-x86_64 mmdebstrap reprepro gpg dpkg-deb curl ssh python3; do
	command -v $t >/dev/null || skip "no $t (apt-get install qemu-system-x86 mmdebstrap reprepro gnupg curl openssh-client)"
done
REL_A=${FLEET_REL_A:-6.1.0-56-cloud-amd64}
REL_B=${FLEET_REL_B:-6.1.0-57-cloud-amd64}
NVMS=${FLEET_VMS:-3}
FLEET_DIR=$WORK
FLEET_PORT=${FLEET_PORT:-$((20000 + RANDOM % 20000))}
HTTP_PORT=$((FLEET_PORT + 1))
export PATH="$TOP:$PATH"
trap 'fleet_cleanup; rm -rf "$WORK"' EXIT
t0=$(date +%s)
say() { echo "[$(( $(date +%s) - t0 ))s] $*"; }
declare -A REL=([1]=$REL_A [2]=$REL_A [3]=$REL_B) CHAN=([1]=canary [2]=stable [3]=stable)
vms=$(seq 1 "$NVMS")

# -- the patches: fix 1 and fix 2 (cumulative) for both releases
mods=$WORK/mods; mkdir -p "$mods"
for rel in $REL_A $REL_B; do
	for v in 1 2; do
		# $FLEET_MODULES: modules built before, named RELEASE-vN.ko
		if [ -n "${FLEET_MODULES:-}" ] && [ -f "$FLEET_MODULES/$rel-v$v.ko" ]; then
			cp "$FLEET_MODULES/$rel-v$v.ko" "$mods/"
			continue
		fi
		lp_ok "$WORK/build-$rel-$v.log" "lpatch build for $rel" build --target "debian:$rel" \
			--name "livepatch-meminfo-v$v" --cve CVE-2099-0001 --description "fix $v" \
			-o "$mods/$rel-v$v.ko" "$TOP/tests/vm/patches/meminfo-vmallocchunk.patch"
	done
done
say "modules built"
pkg=$WORK/pkgs; mkdir -p "$pkg"
deb1=$(lpatch package --version 1 --package livepatch-meminfo -o "$pkg" "$mods/$REL_A-v1.ko" "$mods/$REL_B-v1.ko" 2>/dev/null) ||
	fail "lpatch package of fix 1"
deb2=$(lpatch package --version 2 --package livepatch-meminfo -o "$pkg" "$mods/$REL_A-v2.ko" "$mods/$REL_B-v2.ko" 2>/dev/null) ||
	fail "lpatch package of fix 2"
if command -v lintian >/dev/null; then
	lintian --fail-on error,warning "$deb1" >"$WORK/lintian.log" 2>&1 || { cat "$WORK/lintian.log"; fail "lintian warns or errs on $deb1"; }
fi
(cd "$TOP" && make -s deb LPATCH_NO_LINTIAN=1 >"$WORK/deb.log") || fail "make deb"
lpatch_deb=$(ls -t "$TOP"/build/deb/lpatch_*.deb | head -1)

# -- the repository, its key, and another key
export GNUPGHOME=$WORK/gnupg; mkdir -m 0700 "$GNUPGHOME"
gpg --batch -q --passphrase '' --quick-gen-key "lpatch fleet <fleet@example.org>" ed25519 sign never 2>/dev/null
gpg --batch -q --passphrase '' --quick-gen-key "rogue <rogue@example.org>" ed25519 sign never 2>/dev/null
KEY=$(gpg --batch --with-colons --list-keys fleet@example.org | awk -F: '/^fpr/{print $10; exit}')
ROGUE=$(gpg --batch --with-colons --list-keys rogue@example.org | awk -F: '/^fpr/{print $10; exit}')
repo=$WORK/repo
"$TOP/scripts/lpatch-repo.sh" init "$repo" "$KEY" >/dev/null || fail "lpatch-repo init"
"$TOP/scripts/lpatch-repo.sh" key "$repo" "$WORK/lpatch.gpg" || fail "lpatch-repo key"
(cd "$repo" && exec python3 -m http.server --bind 127.0.0.1 "$HTTP_PORT") >"$WORK/http.log" 2>&1 &
FLEET_HTTP_PID=$!

# -- the VMs
ssh-keygen -q -t ed25519 -N '' -f "$WORK/key"
"$TOP/tests/fleet/image.sh" "$WORK/base.img" "$lpatch_deb" "$WORK/key.pub" $REL_A $REL_B || fail "fleet image"
say "image made"
for n in $vms; do fleet_vm_start "$n" "${REL[$n]}"; done
for n in $vms; do fleet_wait_up "$n"; done
say "$NVMS VMs up"
for n in $vms; do
	fleet_ssh "$n" "mkdir -p /etc/apt/keyrings && cat >/etc/apt/keyrings/lpatch.gpg" <"$WORK/lpatch.gpg"
	fleet_ssh "$n" "cat >/etc/apt/sources.list.d/lpatch.sources" <<EOT
Types: deb
URIs: http://10.0.2.2:$HTTP_PORT/
Suites: ${CHAN[$n]}
Components: main
Signed-By: /etc/apt/keyrings/lpatch.gpg
EOT
	# an empty On*Sec= resets every timer of the unit, OnActiveSec too: it comes after
	fleet_ssh "$n" "mkdir -p /etc/systemd/system/lpatch-update.timer.d && printf '[Timer]\nOnUnitActiveSec=\nOnActiveSec=5s\nOnUnitActiveSec=1min\nRandomizedDelaySec=20s\n' >/etc/systemd/system/lpatch-update.timer.d/interval.conf && systemctl daemon-reload && systemctl restart lpatch-update.timer && uname -r" \
		| has -x "${REL[$n]}" || fail "VM $n does not run ${REL[$n]}"
	# the restarted timer has a first elapse (else it never fires: its service never ran)
	fleet_ssh "$n" "systemctl show -p TimersMonotonic lpatch-update.timer" >"$WORK/timers$n"
	has -F "OnActiveUSec=5s" "$WORK/timers$n" && has -F "OnUnitActiveUSec=1min" "$WORK/timers$n" ||
		{ cat "$WORK/timers$n"; fail "VM $n: lpatch-update.timer lost OnActiveSec or OnUnitActiveSec"; }
done

# wait_all WHAT SECONDS COMMAND: COMMAND (with $n) succeeds for every VM; a VM
# is asked until it succeeds once; says when each did, in seconds after $tp
wait_all() {
	local what=$1 secs=$2 cmd=$3 end=$(( $(date +%s) + $2 )) left=$vms todo when=
	while :; do
		todo=$left left=
		for n in $todo; do
			if eval "$cmd" >/dev/null 2>&1; then
				when="$when VM $n $(( $(date +%s) - tp )) s,"
			else
				left="$left $n"
			fi
		done
		[ -z "$left" ] && { say "$what:${when%,}"; return 0; }
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 5
	done
	for n in $left; do echo "--- VM $n:"; fleet_ssh "$n" "lpatch status; journalctl -u lpatch-update -n 30 --no-pager" 2>&1 | tail -40; done
	fail "$what: not on VM(s)$left within $secs s"
}
metric() { fleet_metrics "$n" | has -F "$1"; }
meminfo_patched() { fleet_ssh "$n" "grep -q '^VMALLOCCHUNK:' /proc/meminfo"; }

# 1. fix 1 everywhere
for c in canary stable; do "$TOP/scripts/lpatch-repo.sh" publish "$repo" $c "$deb1" >/dev/null; done
tp=$(date +%s)
say "fix 1 published"
wait_all "fix 1 live" 900 'meminfo_patched && metric "lpatch_cve_fixed{cve=\"CVE-2099-0001\"} 1"'
say "fix 1 live on every VM: $(( $(date +%s) - tp )) s after publish"
echo "FIGURE publish-to-live $NVMS VMs: $(( $(date +%s) - tp )) s"
for n in $vms; do metric 'lpatch_patch_enabled{patch="livepatch_meminfo_v1"} 1' || fail "VM $n: enabled metric"; done

if [ "$NVMS" -ge 3 ]; then
	# 2. fix 2 in canary, then promoted
	"$TOP/scripts/lpatch-repo.sh" publish "$repo" canary "$deb2" >/dev/null
	tp=$(date +%s)
	n=1 wait_all "fix 2 on canary" 600 '[ $n != 1 ] || metric "lpatch_patch_enabled{patch=\"livepatch_meminfo_v2\"} 1"'
	for n in 2 3; do metric 'lpatch_patch_enabled{patch="livepatch_meminfo_v1"} 1' || fail "VM $n (stable) left fix 1 before promotion"; done
	n=1; fleet_ssh 1 "test ! -d /sys/module/livepatch_meminfo_v1" || fail "VM 1: the replaced module of fix 1 is still loaded"
	meminfo_patched || fail "VM 1: meminfo unpatched after the replace"
	say "fix 2 live on canary"
	"$TOP/scripts/lpatch-repo.sh" promote "$repo" livepatch-meminfo >/dev/null
	tp=$(date +%s)
	wait_all "fix 2 promoted" 600 'metric "lpatch_patch_enabled{patch=\"livepatch_meminfo_v2\"} 1" && fleet_ssh $n "test ! -d /sys/module/livepatch_meminfo_v1" && meminfo_patched'
	say "fix 2 promoted and live everywhere: $(( $(date +%s) - tp )) s"
	# 3. withdrawn
	PATH="$TOP:$PATH" "$TOP/scripts/lpatch-repo.sh" withdraw "$repo" livepatch-meminfo 3 "test withdrawal" >/dev/null ||
		fail "lpatch-repo withdraw"
	tp=$(date +%s)
	wait_all "withdrawal" 600 'fleet_ssh $n "test -z \"\$(ls /sys/kernel/livepatch)\" && grep -q ^VmallocChunk: /proc/meminfo && test -z \"\$(ls /var/lib/lpatch/\$(uname -r))\"" && ! metric "lpatch_cve_fixed{"'
	say "withdrawn everywhere: $(( $(date +%s) - tp )) s"
fi

# 4. signed by another key: refused, the metric says the check failed
cp "$repo/dists/stable/InRelease" "$WORK/InRelease.stable"
cp "$repo/dists/canary/InRelease" "$WORK/InRelease.canary"
for c in canary stable; do
	sed -i 's/^Date: .*/Date: '"$(date -R -u)"'/' "$repo/dists/$c/Release"
	gpg --batch -q --yes -u "$ROGUE" --clearsign -o "$repo/dists/$c/InRelease" "$repo/dists/$c/Release"
	gpg --batch -q --yes -u "$ROGUE" -abs -o "$repo/dists/$c/Release.gpg" "$repo/dists/$c/Release"
done
tp=$(date +%s)
wait_all "wrong key refused" 400 'metric "lpatch_update_check_success 0"'
for n in $vms; do
	fleet_ssh "$n" "journalctl -u lpatch-update --no-pager" | has -E "NO_PUBKEY|not signed|signatures couldn't be verified|invalid" ||
		fail "VM $n: apt did not say the signature was refused"
done
say "another key refused on every VM ($(( $(date +%s) - tp )) s)"
(cd "$repo" && reprepro -b . export) || fail "reprepro export"

# 5. power killed right after a load: quarantined at the next boot
n=1
fleet_ssh 1 "systemctl stop lpatch-update.timer; lpatch unload livepatch_meminfo_v1 >/dev/null 2>&1; true"
cp "$mods/$REL_A-v1.ko" "$WORK/q.ko"
fleet_ssh 1 "cat >/tmp/q.ko && lpatch install /tmp/q.ko && lpatch load /tmp/q.ko && sync" <"$WORK/q.ko" >/dev/null 2>&1 ||
	fail "VM 1: load before the power cut"
fleet_power_off 1
say "VM 1 powered off right after a load"
fleet_vm_start 1 "${REL[1]}"
fleet_wait_up 1
fleet_ssh 1 "lpatch status" >"$WORK/q-status" 2>&1
expect_contains "$WORK/q-status" "livepatch_meminfo_v1: installed, quarantined"
fleet_ssh 1 "test ! -d /sys/module/livepatch_meminfo_v1" || fail "VM 1: the quarantined patch was loaded at boot"
fleet_ssh 1 "dpkg --audit" >"$WORK/audit" 2>&1; [ ! -s "$WORK/audit" ] || { cat "$WORK/audit"; fail "VM 1: dpkg --audit"; }
fleet_ssh 1 "lpatch status --prometheus"
metric 'lpatch_patch_quarantined{patch="livepatch_meminfo_v1"} 1' || fail "VM 1: quarantine metric"
fleet_ssh 1 "lpatch quarantine --lift livepatch_meminfo_v1 && lpatch load --all" >"$WORK/lift" 2>&1 || { cat "$WORK/lift"; fail "lift"; }
meminfo_patched || fail "VM 1: not patched after the quarantine was lifted"
metric 'lpatch_patch_quarantined{patch="livepatch_meminfo_v1"} 0' || fail "VM 1: quarantine metric after lift"
say "quarantine after a power cut, lifted"
# 6. power killed during an update (dpkg running the postinst of version 4):
#    after the reboot the next check finishes dpkg's work; the patch is live or
#    quarantined, the store and dpkg consistent, the metrics say which
k=$NVMS n=$k
deb4=$(lpatch package --version 4 --package livepatch-meminfo -o "$pkg" "$mods/$REL_A-v2.ko" "$mods/$REL_B-v2.ko" 2>/dev/null) ||
	fail "lpatch package of version 4"
fleet_ssh $k "systemctl start lpatch-update.timer"
for c in canary stable; do "$TOP/scripts/lpatch-repo.sh" publish "$repo" $c "$deb4" >/dev/null; done
tp=$(date +%s)
until fleet_ssh $k "pgrep -x dpkg" >/dev/null 2>&1; do
	[ $(( $(date +%s) - tp )) -lt 400 ] || fail "VM $k: no dpkg run within 400 s of publishing version 4"
	sleep 1
done
fleet_power_off $k
say "VM $k powered off while dpkg ran ($(( $(date +%s) - tp )) s after publish)"
fleet_vm_start $k "${REL[$k]}"
fleet_wait_up $k
fleet_ssh $k "echo dpkg --audit:; dpkg --audit; echo dpkg journal: \$(ls /var/lib/dpkg/updates); lpatch status" >"$WORK/cut-state" 2>&1
sed 's/^/  after the cut: /' "$WORK/cut-state"
tp=$(date +%s)
# cut_ok: VM $n after the cut: dpkg done (version 4 installed, nothing left
# half-done), the module in the store, the check succeeded, the patch live or quarantined
cut_ok() {
	[ "$n" = "$k" ] || return 0
	fleet_ssh $n 'test -z "$(dpkg --audit)" && test -z "$(ls -A /var/lib/dpkg/updates)" &&
		test "$(dpkg-query -W -f="\${Status} \${Version}" livepatch-meminfo)" = "install ok installed 4" &&
		lpatch info livepatch_meminfo_v2 >/dev/null' || return 1
	metric "lpatch_update_check_success 1" || return 1
	{ metric 'lpatch_patch_enabled{patch="livepatch_meminfo_v2"} 1' &&
		metric 'lpatch_cve_fixed{cve="CVE-2099-0001"} 1' && meminfo_patched; } ||
	{ metric 'lpatch_patch_quarantined{patch="livepatch_meminfo_v2"} 1' &&
		fleet_ssh $n "test ! -d /sys/module/livepatch_meminfo_v2"; }
}
wait_all "consistent after the power cut" 600 cut_ok
fleet_ssh $k "lpatch status" >"$WORK/cut-after" 2>&1
sed 's/^/  then: /' "$WORK/cut-after"
for n in $vms; do fleet_stop "$n"; done
echo "fleet test passed in $(( $(date +%s) - t0 )) s"
