# Guest script: every livepatch module copied in (*.ko) is loaded (by
# `lpatch load`, with the modules whose exports it uses), goes
# live (its transition finishes, each object it patches is patched: a module
# it patches is loaded first), is disabled and removed, one after the other.
# While each is live, exercise.sh (when copied in too) runs with $ko set:
# what the patched code does is used once. The host's `lpatch vm` fails the
# run on any WARN, oops or Call Trace.
. ./guest-lib.sh
n=0
for ko in *.ko; do
	[ -f "$ko" ] || die "no module copied in"
	name=$(basename "$ko" .ko | tr - _)
	# lpatch load, as an operator would: it loads the modules whose exports
	# the patch uses first (hid for a patch of hid-alps), which insmod does not
	lpatch load "$ko" || die "lpatch load $ko failed"
	lp_wait_transition "$name"
	[ "$(cat /sys/kernel/livepatch/$name/enabled)" = 1 ] || die "$name is not enabled"
	for obj in /sys/kernel/livepatch/$name/*/; do
		obj=$(basename "$obj")
		[ -f "/sys/kernel/livepatch/$name/$obj/patched" ] || continue
		if [ "$obj" != vmlinux ] && [ "$(cat /sys/kernel/livepatch/$name/$obj/patched)" != 1 ]; then
			# a module for hardware or a hypervisor this VM lacks (xen_gntalloc)
			# does not load, with or without the patch: the patch is loaded,
			# but this part of it cannot be tried here
			if ! modprobe "$obj" 2>/tmp/modprobe.err; then
				echo "UNTESTED $ko $obj: the module does not load in this VM ($(tail -n1 /tmp/modprobe.err))"
				continue
			fi
			lp_wait_transition "$name"
		fi
		[ "$(cat /sys/kernel/livepatch/$name/$obj/patched)" = 1 ] || die "$name: $obj not patched"
		echo "LIVE $ko $obj: $(ls /sys/kernel/livepatch/$name/$obj | grep , | tr '\n' ' ')"
	done
	if [ -f exercise.sh ]; then
		. ./exercise.sh || die "exercise.sh failed under $ko"
	fi
	lp_disable "$name"
	rmmod "$name" || die "rmmod $name failed"
	n=$((n + 1))
done
echo "GUEST-OK $n"
