# Sourced inside the VM (busybox sh) by the VM tests' guest scripts.
die() { echo "GUEST-FAIL: $*"; exit 1; }
# lp_wait_transition NAME: the patch's transition finishes (transition reads 0)
lp_wait_transition() {
	i=0
	while [ "$(cat /sys/kernel/livepatch/$1/transition 2>/dev/null)" != 0 ]; do
		i=$((i + 1)); [ $i -gt 150 ] && die "transition of $1 did not finish"
		sleep 0.1
	done
	echo "transition $1: 0"
}
# lp_wait_gone NAME [TRIES]: the kernel removes the patch's sysfs directory
# (it is disabled, or replaced) within TRIES tenths of a second (150)
lp_wait_gone() {
	i=0
	while [ -d /sys/kernel/livepatch/$1 ]; do
		i=$((i + 1)); [ $i -gt ${2:-150} ] && die "$1 stayed in /sys/kernel/livepatch"
		sleep 0.1
	done
}
# lp_disable NAME: disable and wait until the kernel has removed the patch
lp_disable() {
	echo 0 > /sys/kernel/livepatch/$1/enabled || die "cannot disable $1"
	lp_wait_gone $1
	echo "disabled $1"
}
# binfmt_misc, the loadable module the module-object tests patch: its
# status file, and loading (with its file system) and removing it
bm_status() { cat /proc/sys/fs/binfmt_misc/status; }
bm_load() {
	modprobe binfmt_misc || die "modprobe binfmt_misc failed"
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "mount binfmt_misc failed"
}
bm_unload() { umount /proc/sys/fs/binfmt_misc && rmmod binfmt_misc || die "cannot remove binfmt_misc"; }
# bm_reload_patched PATCH: binfmt_misc removed and loaded again while PATCH
# (of binfmt-misc-status*.patch) stays enabled: its binfmt_misc object is
# unpatched as the module goes, patched again as it comes
bm_reload_patched() {
	bm_unload
	[ "$(cat /sys/kernel/livepatch/$1/binfmt_misc/patched)" = 0 ] ||
		die "binfmt_misc object still patched after rmmod"
	bm_load
	[ "$(bm_status)" = "enabled (lpatch)" ] || die "reloaded module: status is '$(bm_status)'"
	echo "reloaded: $(bm_status)"
}
# newpid_case KO: the shadow-newpid patch (a shadow variable per task forked
# after it, freed by its post-unpatch callback) loaded from KO, checked,
# disabled and removed; prints "new task PID: newpid: PID"
newpid_case() {
	grep -q '^newpid:' /proc/self/status && die "newpid line before insmod"
	insmod $1 || die "insmod $1 failed"
	lp_wait_transition livepatch_newpid
	grep -q '^newpid:' /proc/1/status && die "PID 1 (forked before load) has a newpid line"
	set -- $(sh -c 'echo $$; grep "^newpid:" /proc/$$/status')
	[ "$#" = 3 ] || die "no newpid line for a new task: '$*'"
	[ "$1" = "$3" ] || die "newpid $3 of task $1"
	echo "new task $1: $2 $3"
	lp_disable livepatch_newpid
	dmesg | grep 'lpatch-newpid: shadow variables freed' || die "post-unpatch callback did not run"
	grep -q '^newpid:' /proc/self/status && die "newpid line after disable"
	rmmod livepatch_newpid || die "rmmod failed"
}
