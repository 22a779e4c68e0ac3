# The seed example: "VmallocChunk:" becomes "VMALLOCCHUNK:" in /proc/meminfo.
# meminfo_proc_show reaches non-exported symbols: klp relocations are needed.
. "$(dirname "$0")/../lib.sh"
build_patch "$WORK/lp.ko" meminfo-vmallocchunk.patch --name livepatch-meminfo
readelf -SW "$WORK/lp.ko" | grep '\.klp\.rela\.vmlinux\.\.text\.meminfo_proc_show' >/dev/null ||
	fail "no .klp.rela.vmlinux section for meminfo_proc_show"
readelf -sW "$WORK/lp.ko" | grep '\.klp\.sym\.vmlinux\.vmalloc_nr_pages,0' >/dev/null ||
	fail "no livepatch symbol for the non-exported vmalloc_nr_pages"
in_vm "$WORK/out" "$TOP/tests/vm/meminfo-guest.sh" "$WORK/lp.ko"
expect_contains "$WORK/out" "VMALLOCCHUNK:"
expect_contains "$WORK/out" GUEST-OK
