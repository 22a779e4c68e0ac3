# The seed example: "VmallocChunk:" becomes "VMALLOCCHUNK:" in /proc/meminfo.
# meminfo_proc_show reaches non-exported symbols: klp relocations are needed.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" meminfo-vmallocchunk.patch --name livepatch-meminfo
readelf -SW "$WORK/lp.ko" | grep -q '\.klp\.rela\.vmlinux\.\.text\.meminfo_proc_show' ||
	fail "no .klp.rela.vmlinux section for meminfo_proc_show"
readelf -sW "$WORK/lp.ko" | grep -q '\.klp\.sym\.vmlinux\.vmalloc_nr_pages,0' ||
	fail "no livepatch symbol for the non-exported vmalloc_nr_pages"
cat > "$WORK/guest.sh" <<'G'
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
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "VMALLOCCHUNK:"
expect_contains "$WORK/out" GUEST-OK
