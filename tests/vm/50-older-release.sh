# An older cloud release whose linux-kbuild-6.1 the archive no longer has
# (it keeps only kbuild's newest version per suite): the seed patch still
# builds, with kbuild's tools taken from the prepared source tree at the
# release's version, carries the ABI's vermagic and CRCs, and goes live in
# the VM. The release is the newest with image, -dbg and matching source in
# the apt lists but no linux-kbuild-6.1 at its version.
# LPATCH_TEST_RELEASES=all tries every such cloud release instead (with or
# without its kbuild; about 460 MB of downloads and 2.3 GB of cache each),
# or a space-separated list of releases.
. "$(dirname "$0")/../lib.sh"
command -v apt-cache >/dev/null || skip "no apt-cache"

kbuild=$(apt-cache madison linux-kbuild-6.1 | awk -F' *[|] *' '{print $2}')
sources=$(apt-cache madison linux-source-6.1 | awk -F' *[|] *' '{print $2}')
[ -n "$sources" ] || skip "apt knows no linux-source-6.1 (run apt-get update)"
want=${LPATCH_TEST_RELEASES:-}
rels=() vers=() own=()
for dbg in $(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-dbg$' |
	     awk '{print $1}' | sort -V -r); do
	r=${dbg#linux-image-}; r=${r%-dbg}
	v=$(apt-cache madison "linux-image-$r-unsigned" "linux-image-$r" | awk -F' *[|] *' 'NR == 1 {print $2}')
	[ -n "$v" ] || continue
	grep -qxF "$v" <<<"$sources" || { echo "$r ($v): no linux-source-6.1 $v"; continue; }
	k=no; grep -qxF "$v" <<<"$kbuild" && k=yes
	case $want in
	'') [ $k = yes ] && { echo "$r ($v): linux-kbuild-6.1 $v is in the archive"; continue; } ;;
	all) ;;
	*) [[ " $want " == *" $r "* ]] || continue ;;
	esac
	rels+=("$r") vers+=("$v") own+=("$k")
	[ -z "$want" ] && break
done
[ ${#rels[@]} -gt 0 ] || skip "LOUDLY: every cloud release with source and -dbg has its linux-kbuild-6.1 in the archive (kbuild: $(echo $kbuild))"
echo "linux-kbuild-6.1 in the archive: $(echo $kbuild)"
for i in "${!rels[@]}"; do echo "release ${rels[$i]} (${vers[$i]}): its own kbuild: ${own[$i]}"; done

for i in "${!rels[@]}"; do
	rel=${rels[$i]}
	TARGET=debian:$rel
	rm -f "$WORK/target.json" "$WORK/lp.ko"
	start=$(date +%s)
	build_patch "$WORK/lp.ko" meminfo-vmallocchunk.patch --name livepatch-meminfo
	echo "$rel: build (preparing it when not cached): $(( $(date +%s) - start )) s"
	expect_not_contains "$WORK/build.log" "versions disagree"
	[ "$(ko_vermagic "$WORK/lp.ko")" = "$rel" ] || fail "vermagic is $(ko_vermagic "$WORK/lp.ko"), not $rel"

	headers=$(target_field headers) || exit 1
	symvers=$(target_field symvers) || exit 1
	[ -x "$headers/scripts/mod/modpost" ] || fail "no modpost in the headers tree $headers"
	# without its kbuild, the headers' tools are the source tree's, not some other kbuild's
	[ "${own[$i]}" = yes ] || [ -f "$headers/scripts/mod/modpost.c" ] ||
		fail "the headers' scripts of $rel are not the source tree's"
	# every CRC the module carries is the ABI's own, from linux-headers-$rel
	modprobe --dump-modversions "$WORK/lp.ko" >"$WORK/crcs" || fail "cannot read the CRCs of lp.ko"
	[ -s "$WORK/crcs" ] || fail "lp.ko carries no modversions CRCs"
	while read -r crc sym; do
		ref=$(awk -v s="$sym" '$2 == s {print $1; exit}' "$symvers")
		[ -n "$ref" ] || fail "$sym (CRC $crc in lp.ko) is not in $symvers"
		[ $((crc)) -eq $((ref)) ] || fail "CRC of $sym is $crc in lp.ko, $ref in $symvers"
	done <"$WORK/crcs"
	echo "$rel: $(wc -l <"$WORK/crcs") CRCs match $symvers"

	in_vm "$WORK/out" "$TOP/tests/vm/meminfo-guest.sh" "$WORK/lp.ko"
	expect_contains "$WORK/out" "booting $rel "
	expect_contains "$WORK/out" "VMALLOCCHUNK:"
	expect_contains "$WORK/out" GUEST-OK
	echo "$rel: live in the VM"
done
