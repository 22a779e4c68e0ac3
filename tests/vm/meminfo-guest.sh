# Guest script of the seed patch's tests (11, 48): lp.ko turns /proc/meminfo's
# "VmallocChunk:" into "VMALLOCCHUNK:" while it is enabled.
. ./guest-lib.sh
grep -q '^VmallocChunk:' /proc/meminfo || die "no VmallocChunk before load"
insmod lp.ko || die "insmod failed"
lp_wait_transition livepatch_meminfo
grep '^VMALLOCCHUNK:' /proc/meminfo || die "meminfo not patched"
grep -q '^VmallocChunk:' /proc/meminfo && die "old line still there"
lp_disable livepatch_meminfo
grep '^VmallocChunk:' /proc/meminfo || die "not restored after disable"
rmmod livepatch_meminfo || die "rmmod failed"
echo GUEST-OK
