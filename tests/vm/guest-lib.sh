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
# lp_disable NAME: disable and wait until the kernel has removed the patch
lp_disable() {
	echo 0 > /sys/kernel/livepatch/$1/enabled || die "cannot disable $1"
	i=0
	while [ -d /sys/kernel/livepatch/$1 ]; do
		i=$((i + 1)); [ $i -gt 150 ] && die "$1 did not finish disabling"
		sleep 0.1
	done
	echo "disabled $1"
}
