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
#      then a clean reboot: lpatch.service loads it at boot (the boot does not
#      wait on it for good), not quarantined (the shutdown was clean)
#   7. (VM 1) a process patch installed with `lpatch install --user` reaches a
#      program started later, applied by lpatch-hook.service (socket-activated);
#      with the service stopped, the hook starts lpatch-hook itself
# FLEET_VMS=1 runs VM 1 only (steps 1, 4, 5, 6, 7); FLEET_STEPS="1 6" runs only
# those steps (the VMs are made and booted for any); FLEET_CUT=dpkg (default:
# as soon as dpkg runs), store (once version 4's module is in lpatch's store) or
# load (once its load is recorded: it must come back quarantined) says when step
# 6 cuts the power; FLEET_MODULES=DIR reuses modules built before
# (RELEASE-v1.ko, RELEASE-v2.ko); FLEET_KEEP=DIR keeps the consoles and logs
# there. Needs root, qemu, mmdebstrap, reprepro.
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
keep() {
	[ -n "${FLEET_KEEP:-}" ] || return 0
	mkdir -p "$FLEET_KEEP" && cp -r "$WORK"/vm*.console "$WORK"/*.log "$WORK"/agree* "$FLEET_KEEP/" 2>/dev/null
	true
}
trap 'fleet_cleanup; keep; rm -rf "$WORK"' EXIT
t0=$(date +%s)
say() { echo "[$(( $(date +%s) - t0 ))s] $*"; }
STEPS=" ${FLEET_STEPS:-1 2 3 4 5 6 7} "
step() { case $STEPS in *" $1 "*) return 0 ;; esac; return 1; }
echo "fleet test: $NVMS VM(s), steps${STEPS% }, load average $(cut -d' ' -f1-3 /proc/loadavg)"
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
if step 1; then
for c in canary stable; do "$TOP/scripts/lpatch-repo.sh" publish "$repo" $c "$deb1" >/dev/null; done
tp=$(date +%s)
say "fix 1 published"
wait_all "fix 1 live" 900 'meminfo_patched && metric "lpatch_cve_fixed{cve=\"CVE-2099-0001\"} 1"'
say "fix 1 live on every VM: $(( $(date +%s) - tp )) s after publish"
echo "FIGURE publish-to-live $NVMS VMs: $(( $(date +%s) - tp )) s"
for n in $vms; do metric 'lpatch_patch_enabled{patch="livepatch_meminfo_v1"} 1' || fail "VM $n: enabled metric"; done
fi

if [ "$NVMS" -ge 3 ] && step 2; then
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
fi
if [ "$NVMS" -ge 3 ] && step 3; then
	# 3. withdrawn
	PATH="$TOP:$PATH" "$TOP/scripts/lpatch-repo.sh" withdraw "$repo" livepatch-meminfo 3 "test withdrawal" >/dev/null ||
		fail "lpatch-repo withdraw"
	tp=$(date +%s)
	wait_all "withdrawal" 600 'fleet_ssh $n "test -z \"\$(ls /sys/kernel/livepatch)\" && grep -q ^VmallocChunk: /proc/meminfo && test -z \"\$(ls /var/lib/lpatch/\$(uname -r))\"" && ! metric "lpatch_cve_fixed{"'
	say "withdrawn everywhere: $(( $(date +%s) - tp )) s"
fi

# 4. signed by another key: refused, the metric says the check failed
if step 4; then
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
fi

# 5. power killed right after a load: quarantined at the next boot
if step 5; then
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
fi
# 6. power killed during an update (apt installing version 4: dpkg, lpatch
#    install, lpatch load): after the reboot the machine is consistent, and the
#    next check finishes dpkg's work; then a clean reboot loads the patch at boot
if step 6; then
k=$NVMS n=$k cut=${FLEET_CUT:-dpkg}
case $cut in
dpkg) probe='pgrep -x dpkg' ;;
store) probe='test -f /var/lib/lpatch/$(uname -r)/livepatch_meminfo_v2.ko' ;;
load) probe='test -f /var/lib/lpatch/loads/livepatch_meminfo_v2' ;;
*) fail "FLEET_CUT=$cut: dpkg, store or load" ;;
esac
deb4=$(lpatch package --version 4 --package livepatch-meminfo -o "$pkg" "$mods/$REL_A-v2.ko" "$mods/$REL_B-v2.ko" 2>/dev/null) ||
	fail "lpatch package of version 4"
cut_boot=$(fleet_ssh $k "cat /proc/sys/kernel/random/boot_id") || fail "VM $k: no boot id"
fleet_ssh $k "systemctl start lpatch-update.timer"
for c in canary stable; do "$TOP/scripts/lpatch-repo.sh" publish "$repo" $c "$deb4" >/dev/null; done
tp=$(date +%s)
until fleet_ssh $k "$probe" >/dev/null 2>&1; do
	[ $(( $(date +%s) - tp )) -lt 400 ] || fail "VM $k: not at the cut ($cut: $probe) within 400 s of publishing version 4"
	sleep 1
done
fleet_power_off $k
say "VM $k powered off during the update ($cut: $(( $(date +%s) - tp )) s after publish)"
tb=$(date +%s)
fleet_vm_start $k "${REL[$k]}"
fleet_wait_up $k 600
say "VM $k up again after the cut: $(( $(date +%s) - tb )) s"
fleet_ssh $k "echo dpkg --audit:; dpkg --audit; echo dpkg journal: \$(ls /var/lib/dpkg/updates); lpatch status; lpatch quarantine; journalctl -b -u lpatch.service --no-pager -o cat" >"$WORK/cut-state" 2>&1
sed 's/^/  after the cut: /' "$WORK/cut-state"
# the quarantine (docs/fleet.md section 5): a patch is quarantined when, and only
# when, its load was recorded in the boot that was cut
fleet_ssh $k "cat /var/lib/lpatch/quarantine/livepatch_meminfo_v2 2>/dev/null" >"$WORK/cut-quarantine" || true
if [ -s "$WORK/cut-quarantine" ]; then
	quarantined=yes
	expect_contains "$WORK/cut-quarantine" "in boot $cut_boot, which ended without a clean shutdown"
else
	quarantined=no
	[ "$cut" != load ] || fail "VM $k: cut after the load of livepatch_meminfo_v2 was recorded, and not quarantined"
fi
fleet_ssh $k "test ! -e /var/lib/lpatch/loads/livepatch_meminfo_v2 || grep \"^\$(cat /proc/sys/kernel/random/boot_id) \" /var/lib/lpatch/loads/livepatch_meminfo_v2 >/dev/null" ||
	fail "VM $k: a load record of the cut boot outlived lpatch.service's boot check"
say "VM $k after the cut: livepatch_meminfo_v2 quarantined: $quarantined"
tp=$(date +%s)
# agree: on VM $n, `lpatch status` and node_exporter's lpatch_ metrics say what
# /sys/kernel/livepatch shows (the loaded patches, enabled or not), the
# quarantined patches alike
agree() {
	local d=$WORK/agree$n
	mkdir -p "$d"
	fleet_ssh $n 'for p in /sys/kernel/livepatch/*/; do [ -d "$p" ] && echo "$(basename "$p") $(cat "$p/enabled")"; done; true' >"$d/sysfs" || return 1
	fleet_ssh $n 'lpatch status; echo quarantine:; lpatch quarantine' >"$d/status" || return 1
	fleet_metrics $n >"$d/metrics" || return 1
	awk '{print $1}' "$d/sysfs" | sort >"$d/sysfs.names"
	sed -n 's/^lpatch_patch_loaded{patch="\([^"]*\)"} 1$/\1/p' "$d/metrics" | sort >"$d/metric.names"
	cmp -s "$d/sysfs.names" "$d/metric.names" || return 1
	while read -r p en; do
		has -Fx "lpatch_patch_enabled{patch=\"$p\"} $en" "$d/metrics" || return 1
		if [ "$en" = 1 ]; then has -F "patch:   $p: enabled" "$d/status" || return 1
		else ! has -F "patch:   $p: enabled" "$d/status" || return 1; fi
	done <"$d/sysfs"
	# a patch status calls enabled is in sysfs, enabled
	sed -n 's/^patch:   \([^:]*\): enabled.*/\1/p' "$d/status" | while read -r p; do
		has -Fx "$p 1" "$d/sysfs" || exit 1
	done || return 1
	# quarantined: the same patches for status, the metrics and lpatch quarantine
	sed -n 's/^patch:   \([^:]*\):.*, quarantined.*/\1/p' "$d/status" | sort >"$d/q.status"
	sed -n 's/^lpatch_patch_quarantined{patch="\([^"]*\)"} 1$/\1/p' "$d/metrics" | sort >"$d/q.metric"
	sed '1,/^quarantine:$/d' "$d/status" | sed -n 's/^\([A-Za-z0-9_]*\): .*/\1/p' | sort >"$d/q.list"
	cmp -s "$d/q.status" "$d/q.metric" && cmp -s "$d/q.status" "$d/q.list"
}
# store_ok: every module in lpatch's store reads as a livepatch of its release,
# and no temporary file of a write is left there
store_ok() {
	fleet_ssh $n 'set -e; cd /var/lib/lpatch
		test -z "$(find . -name ".*.tmp.*" -o -name "*.new")"
		for ko in */*.ko; do [ -f "$ko" ] || continue
			lpatch info --json "$ko" | grep "\"target\": *\"${ko%%/*}\"" >/dev/null; done'
}
# cut_ok: VM $n after the cut: dpkg done (version 4 installed, nothing left
# half-done), the store intact with version 4's module, the check succeeded, the
# patch live or (only when its load was cut) quarantined, the metrics saying which
cut_ok() {
	[ "$n" = "$k" ] || return 0
	fleet_ssh $n 'test -z "$(dpkg --audit)" && test -z "$(ls -A /var/lib/dpkg/updates)" &&
		test "$(dpkg-query -W -f="\${Status} \${Version}" livepatch-meminfo)" = "install ok installed 4" &&
		lpatch info livepatch_meminfo_v2 >/dev/null' || return 1
	store_ok || return 1
	metric "lpatch_update_check_success 1" || return 1
	if [ $quarantined = no ]; then
		metric 'lpatch_patch_enabled{patch="livepatch_meminfo_v2"} 1' &&
			metric 'lpatch_cve_fixed{cve="CVE-2099-0001"} 1' && meminfo_patched || return 1
	else
		metric 'lpatch_patch_quarantined{patch="livepatch_meminfo_v2"} 1' &&
			fleet_ssh $n "test ! -d /sys/module/livepatch_meminfo_v2" || return 1
	fi
	agree
}
wait_all "consistent after the power cut" 600 cut_ok
fleet_ssh $k "lpatch status" >"$WORK/cut-after" 2>&1
sed 's/^/  then: /' "$WORK/cut-after"
# a clean reboot: lpatch.service loads version 4 at boot (before sysinit.target;
# its settle timer must not hold the boot up), and a clean shutdown quarantines nothing
fleet_ssh $k "systemctl stop lpatch-update.timer"
[ $quarantined = no ] || fleet_ssh $k "lpatch quarantine --lift livepatch_meminfo_v2" >/dev/null ||
	fail "VM $k: lifting the quarantine"
tb=$(date +%s)
fleet_stop $k
fleet_vm_start $k "${REL[$k]}"
fleet_wait_up $k 600
say "VM $k rebooted cleanly, up: $(( $(date +%s) - tb )) s"
fleet_ssh $k "systemctl is-active lpatch.service; journalctl -b -u lpatch.service --no-pager -o cat" >"$WORK/boot-load" 2>&1
sed 's/^/  clean reboot: /' "$WORK/boot-load"
expect_contains "$WORK/boot-load" "1 of 1 installed patch loaded for ${REL[$k]} (0 failed)"
fleet_ssh $k "test \"\$(cat /sys/kernel/livepatch/livepatch_meminfo_v2/enabled)\" = 1 && test -z \"\$(ls /var/lib/lpatch/quarantine 2>/dev/null)\"" ||
	fail "VM $k: livepatch_meminfo_v2 not loaded by lpatch.service at boot, or quarantined after a clean shutdown"
meminfo_patched || fail "VM $k: meminfo unpatched after the clean reboot"
metric 'lpatch_patch_quarantined{patch="livepatch_meminfo_v2"} 0' || fail "VM $k: quarantine metric after the clean reboot"
agree || { cat "$WORK/agree$k/sysfs" "$WORK/agree$k/status"; fail "VM $k: status and metrics disagree with /sys/kernel/livepatch after the clean reboot"; }
store_ok || fail "VM $k: the store after the clean reboot"
say "clean reboot: livepatch_meminfo_v2 loaded at boot"
fi

# -- 7. a process patch installed on VM 1 reaches a program started later,
# applied by lpatch-hook.service, which systemd starts from lpatch-hook.socket
# at the first request; with the service stopped the hook starts lpatch-hook
if step 7; then
cp -r "$TOP/tests/fixtures/user/later" "$WORK/later" && make -s -C "$WORK/later" >"$WORK/later-make.log" 2>&1 ||
	{ cat "$WORK/later-make.log"; fail "building tests/fixtures/user/later"; }
lp_ok "$WORK/later-build.log" "lpatch build --user" build --user --src "$WORK/later" \
	--binary "$WORK/later/later" -o "$WORK/later-v2.lpatch" "$WORK/later/version2.patch"
fleet_ssh 1 "cat >/root/later && chmod +x /root/later" <"$WORK/later/later"
fleet_ssh 1 "cat >/root/later-v2.lpatch" <"$WORK/later-v2.lpatch"
fleet_ssh 1 "systemctl is-enabled lpatch-hook.socket; systemctl is-active lpatch-hook.socket; test -S /var/lib/lpatch/user/hook.sock && echo socket-made" >"$WORK/hook-unit" 2>&1
sed 's/^/  VM 1: /' "$WORK/hook-unit"
[ "$(tr '\n' ' ' <"$WORK/hook-unit")" = "enabled active socket-made " ] || fail "VM 1: lpatch-hook.socket is not enabled, active and listening"
fleet_ssh 1 "lpatch install --user /root/later-v2.lpatch && /root/later && /root/later" >"$WORK/later-run" 2>&1
sed 's/^/  VM 1: /' "$WORK/later-run"
[ "$(grep -c 'first call: version 2' "$WORK/later-run")" = 2 ] || fail "VM 1: a program started after install --user ran the old code"
fleet_ssh 1 "systemctl is-active lpatch-hook.service; journalctl -u lpatch-hook.service --no-pager -o cat" >"$WORK/hook-journal" 2>&1
sed 's/^/  VM 1 journal: /' "$WORK/hook-journal"
[ "$(grep -c ': version2 applied in ' "$WORK/hook-journal")" = 2 ] || fail "VM 1: lpatch-hook.service did not apply the patch at both starts"
expect_contains "$WORK/hook-journal" "on the socket systemd passed"
# the service stopped: the hook starts lpatch-hook; uninstall: old code again
fleet_ssh 1 "systemctl stop lpatch-hook.socket lpatch-hook.service && /root/later && lpatch uninstall --user version2 >/dev/null 2>&1 && /root/later" >"$WORK/later-run2" 2>&1
sed 's/^/  VM 1, service stopped: /' "$WORK/later-run2"
[ "$(tr '\n' ' ' <"$WORK/later-run2")" = "first call: version 2 first call: version 1 " ] ||
	fail "VM 1: without the service, or after uninstall --user, a program started later ran the wrong code"
fleet_ssh 1 "systemctl start lpatch-hook.socket" || fail "VM 1: lpatch-hook.socket does not start again"
say "process patch at start through lpatch-hook.socket: applied by the service, and without it"
fi
for n in $vms; do fleet_stop "$n"; done
echo "fleet test passed in $(( $(date +%s) - t0 )) s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
