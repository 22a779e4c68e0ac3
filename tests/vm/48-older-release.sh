# An older cloud release whose linux-kbuild-6.1 the archive no longer has
# (it keeps only kbuild's newest version per suite): the seed patch still
# builds, with kbuild's tools taken from the prepared source tree at the
# release's version, carries the ABI's vermagic and CRCs, and goes live in
# the VM. The release is the newest with image, -dbg and matching source in
# the apt lists but no linux-kbuild-6.1 at its version.
. "$(dirname "$0")/../lib.sh"
command -v apt-cache >/dev/null || skip "no apt-cache"

kbuild=$(apt-cache madison linux-kbuild-6.1 | awk -F' *[|] *' '{print $2}')
sources=$(apt-cache madison linux-source-6.1 | awk -F' *[|] *' '{print $2}')
[ -n "$sources" ] || skip "apt knows no linux-source-6.1 (run apt-get update)"
rel='' ver=''
for dbg in $(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-dbg$' |
	     awk '{print $1}' | sort -V -r); do
	r=${dbg#linux-image-}; r=${r%-dbg}
	v=$(apt-cache madison "linux-image-$r-unsigned" "linux-image-$r" | awk -F' *[|] *' 'NR == 1 {print $2}')
	[ -n "$v" ] || continue
	grep -qxF "$v" <<<"$sources" || continue
	grep -qxF "$v" <<<"$kbuild" && { echo "$r ($v): linux-kbuild-6.1 $v is in the archive"; continue; }
	rel=$r ver=$v
	break
done
[ -n "$rel" ] || skip "LOUDLY: every cloud release with source and -dbg has its linux-kbuild-6.1 in the archive (kbuild: $(echo $kbuild))"
echo "release $rel ($ver): linux-kbuild-6.1 only at $(echo $kbuild)"
TARGET=debian:$rel

start=$(date +%s)
build_patch "$WORK/lp.ko" meminfo-vmallocchunk.patch --name livepatch-meminfo
echo "build (preparing $rel when not cached): $(( $(date +%s) - start )) s"
expect_not_contains "$WORK/build.log" "versions disagree"
[ "$(ko_vermagic "$WORK/lp.ko")" = "$rel" ] || fail "vermagic is $(ko_vermagic "$WORK/lp.ko"), not $rel"

# the headers' tools are the source tree's, not some other kbuild's
headers=$(target_field headers) || exit 1
symvers=$(target_field symvers) || exit 1
[ -x "$headers/scripts/mod/modpost" ] || fail "no modpost in the headers tree $headers"
[ -f "$headers/scripts/mod/modpost.c" ] || fail "the headers' scripts are not the source tree's"
# every CRC the module carries is the ABI's own, from linux-headers-$rel
modprobe --dump-modversions "$WORK/lp.ko" >"$WORK/crcs" || fail "cannot read the CRCs of lp.ko"
[ -s "$WORK/crcs" ] || fail "lp.ko carries no modversions CRCs"
while read -r crc sym; do
	want=$(awk -v s="$sym" '$2 == s {print $1; exit}' "$symvers")
	[ -n "$want" ] || fail "$sym (CRC $crc in lp.ko) is not in $symvers"
	[ $((crc)) -eq $((want)) ] || fail "CRC of $sym is $crc in lp.ko, $want in $symvers"
done <"$WORK/crcs"
echo "$(wc -l <"$WORK/crcs") CRCs match $symvers"

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
uname -r
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
expect_contains "$WORK/out" "$rel"
expect_contains "$WORK/out" "VMALLOCCHUNK:"
expect_contains "$WORK/out" GUEST-OK
