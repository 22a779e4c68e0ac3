# lpatch cache list and prune on a scratch cache of small fake entries laid
# out as lpatch lays out its own (never the real cache): the releases newest
# first with the disk of each part, shared .debs (linux-source, headers-common
# at a version) counted for every release at that version and removed only
# with the last of them, a release whose lock a running process holds kept
# whole, --dry-run removing nothing, and the usage errors.
. "$(dirname "$0")/../lib.sh"
command -v flock >/dev/null || skip "LOUDLY: flock (util-linux) is missing"
export LPATCH_CACHE=$WORK/cache
C=$LPATCH_CACHE
mkdir -p "$C/debs" "$C/logs"

blob() { mkdir -p "$(dirname "$1")"; head -c "$2" /dev/zero >"$1"; }
# release version: a target dir with every part, stamps and locks, and its debs
fake_release() {
	local rel=$1 ver=$2 d=$C/targets/$1
	blob "$d/image/boot/vmlinuz-$rel" 200000
	blob "$d/headers/usr/src/linux-headers-$rel/Module.symvers" 100000
	blob "$d/symbols/vmlinux-$rel" 400000
	blob "$d/source/linux-source-6.1/Makefile" 800000
	blob "$d/vm/modules-v1.ext4" 300000
	echo "$ver" >"$d/.image.done"
	: >"$d/.lock-image"; : >"$d/.lock-source"; : >"$d/.source.lock"; : >"$d/vm/.modules.lock"
	blob "$d/prepare.log" 1000
	blob "$C/debs/linux-image-$rel-unsigned_${ver}_amd64.deb" 50000
	blob "$C/debs/linux-image-$rel-dbg_${ver}_amd64.deb" 90000
	blob "$C/debs/linux-headers-${rel}_${ver}_amd64.deb" 20000
}
fake_release 6.1.0-50-cloud-amd64 6.1.176-1
fake_release 6.1.0-57-cloud-amd64 6.1.192-3
fake_release 6.1.0-57-amd64 6.1.192-3
blob "$C/debs/linux-source-6.1_6.1.176-1_all.deb" 140000
blob "$C/debs/linux-source-6.1_6.1.192-3_all.deb" 140000
blob "$C/debs/linux-headers-6.1.0-57-common_6.1.192-3_all.deb" 30000
blob "$C/debs/busybox-static_1%3a1.35.0-4+b3_amd64.deb" 10000
blob "$C/logs/kbuild-objects.log" 5000

"$LPATCH" --help >"$WORK/help" && expect_contains "$WORK/help" "cache"
"$LPATCH" cache --help >"$WORK/help" || fail "lpatch cache --help failed"
expect_contains "$WORK/help" "usage: lpatch cache list [--json]"
expect_contains "$WORK/help" "--keep N"

# list
lp_ok "$WORK/list" "lpatch cache list" cache list
cat "$WORK/list"
expect_contains "$WORK/list" "RELEASE"
expect_contains "$WORK/list" "6.1.0-50-cloud-amd64"
"$LPATCH" cache list --json >"$WORK/list.json" || fail "lpatch cache list --json failed"
order=$(json_get "$WORK/list.json" '[.releases[].release] | join(" ")') || exit 1
[ "$order" = "6.1.0-57-amd64 6.1.0-57-cloud-amd64 6.1.0-50-cloud-amd64" ] ||
	fail "not newest first: $order"
r57=$(json_get "$WORK/list.json" '.releases[] | select(.release == "6.1.0-57-cloud-amd64")') || exit 1
echo "$r57" >"$WORK/r57.json"
[ "$(json_get "$WORK/r57.json" .version)" = 6.1.192-3 ] || fail "version of 57: $r57"
for part in image:200000 headers:100000 symbols:400000 source:800000 vm:300000; do
	got=$(json_get "$WORK/r57.json" ".bytes.${part%%:*}") || exit 1
	[ "$got" -ge "${part#*:}" ] && [ "$got" -lt $(( ${part#*:} + 65536 )) ] ||
		fail "${part%%:*} of 57 is $got bytes, not about ${part#*:}"
done
# its debs: own (image, dbg, headers) and shared (source, headers-common at 6.1.192-3)
ndebs=$(json_get "$WORK/r57.json" '.debs | length') || exit 1
[ "$ndebs" = 5 ] || fail "57 has $ndebs debs, not 5: $r57"
json_get "$WORK/r57.json" '.debs[]' | has 'linux-source-6.1_6.1.192-3_all.deb' ||
	fail "the shared linux-source is not counted for 57"
json_get "$WORK/r57.json" '.debs[]' | has '6.1.176-1' && fail "57 counts a deb of another version"
[ "$(json_get "$WORK/r57.json" .shared_debs_bytes)" -ge 170000 ] || fail "shared debs of 57: $r57"
[ "$(json_get "$WORK/r57.json" .in_use)" = false ] || fail "57 in use with no lpatch running"
[ "$(json_get "$WORK/list.json" .other_bytes)" -ge 15000 ] || fail "busybox and logs/ are not in other"
total=$(json_get "$WORK/list.json" .total_bytes) || exit 1
[ "$total" -ge "$(du -sb "$C" | cut -f1)" ] || [ "$total" -ge "$(du -sB1 "$C" | cut -f1)" ] ||
	fail "total $total is less than du's"

# a running build holds 57-cloud's source lock
# (the subshell becomes the sleep that holds the lock: killing it frees the lock)
(exec 9>>"$C/targets/6.1.0-57-cloud-amd64/.lock-source" && flock 9 && exec sleep 600) >/dev/null 2>&1 &
holder=$!
trap 'kill "$holder" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
	"$LPATCH" cache list --json >"$WORK/list.json" 2>/dev/null
	[ "$(json_get "$WORK/list.json" '.releases[] | select(.release == "6.1.0-57-cloud-amd64") | .in_use')" = true ] && break
	sleep 0.1
done
[ "$(json_get "$WORK/list.json" '.releases[] | select(.release == "6.1.0-57-cloud-amd64") | .in_use')" = true ] ||
	fail "57-cloud is not in use while its lock is held"
"$LPATCH" cache list >"$WORK/list" && expect_contains "$WORK/list" "in use"

# --dry-run: nothing goes
find "$C" | sort >"$WORK/before"
"$LPATCH" cache prune --dry-run --keep 0 >"$WORK/out" 2>"$WORK/err"; st=$?
[ $st -eq 1 ] || { cat "$WORK/out" "$WORK/err"; fail "exit $st, not 1, with a release in use"; }
expect_contains "$WORK/out" "would remove 6.1.0-57-amd64"
expect_contains "$WORK/out" "would remove 6.1.0-50-cloud-amd64"
expect_not_contains "$WORK/out" "would remove 6.1.0-57-cloud-amd64"
expect_contains "$WORK/err" "6.1.0-57-cloud-amd64 is in use by a running lpatch: kept"
expect_contains "$WORK/out" "would free"
find "$C" | sort >"$WORK/after"
cmp -s "$WORK/before" "$WORK/after" || fail "--dry-run removed something: $(diff "$WORK/before" "$WORK/after")"

# --keep 1: 57-amd64 stays (newest), 57-cloud is in use, 50 goes
"$LPATCH" cache prune --keep 1 --json >"$WORK/out.json" 2>"$WORK/err"; st=$?
[ $st -eq 1 ] || { cat "$WORK/out.json" "$WORK/err"; fail "exit $st, not 1, with a release in use"; }
[ "$(json_get "$WORK/out.json" '.removed | join(" ")')" = 6.1.0-50-cloud-amd64 ] ||
	fail "removed: $(cat "$WORK/out.json")"
[ "$(json_get "$WORK/out.json" '.kept | join(" ")')" = "6.1.0-57-amd64 6.1.0-57-cloud-amd64" ] ||
	fail "kept: $(cat "$WORK/out.json")"
[ "$(json_get "$WORK/out.json" .freed_bytes)" -ge 2000000 ] || fail "freed: $(cat "$WORK/out.json")"
[ -e "$C/targets/6.1.0-50-cloud-amd64" ] && fail "the pruned target dir is still there"
ls "$C/debs" | has 6.1.176-1 && fail "a deb of the pruned release is left: $(ls "$C/debs")"
ls "$C/targets" | has removing && fail "a renamed-aside dir is left"
[ -f "$C/targets/6.1.0-57-cloud-amd64/source/linux-source-6.1/Makefile" ] || fail "the release in use lost its source"
[ -f "$C/debs/linux-source-6.1_6.1.192-3_all.deb" ] || fail "the shared source of the kept releases is gone"
[ -f "$C/debs/busybox-static_1%3a1.35.0-4+b3_amd64.deb" ] || fail "a deb of no release was removed"
[ -f "$C/logs/kbuild-objects.log" ] || fail "logs/ was touched"

# the lock freed: 57-cloud by name; the shared debs stay for 57-amd64
kill "$holder"; wait "$holder" 2>/dev/null
lp_ok "$WORK/out" "lpatch cache prune 6.1.0-57-cloud-amd64" cache prune debian:6.1.0-57-cloud-amd64
expect_contains "$WORK/out" "removed 6.1.0-57-cloud-amd64 (6.1.192-3)"
[ -e "$C/targets/6.1.0-57-cloud-amd64" ] && fail "57-cloud's target dir is still there"
ls "$C/debs" | has 57-cloud && fail "57-cloud's own debs are left"
[ -f "$C/debs/linux-source-6.1_6.1.192-3_all.deb" ] && [ -f "$C/debs/linux-headers-6.1.0-57-common_6.1.192-3_all.deb" ] ||
	fail "the debs 57-amd64 shares went with 57-cloud"
# the last one at that version takes them
lp_ok "$WORK/out" "lpatch cache prune --keep 0" cache prune --keep 0
[ -z "$(ls "$C/targets")" ] || fail "targets left: $(ls "$C/targets")"
[ "$(ls "$C/debs")" = "busybox-static_1%3a1.35.0-4+b3_amd64.deb" ] || fail "debs left: $(ls "$C/debs")"
lp_ok "$WORK/list" "lpatch cache list (empty)" cache list
expect_contains "$WORK/list" "(no release)"

# usage
for args in "prune" "prune --keep 1 6.1.0-50-cloud-amd64" "prune 6.1.0-99-cloud-amd64" "prune --keep x" "list extra" "frob" ""; do
	# shellcheck disable=SC2086
	"$LPATCH" cache $args >"$WORK/out" 2>"$WORK/err"; st=$?
	[ $st -eq 2 ] || { cat "$WORK/err"; fail "exit $st, not 2, for: lpatch cache $args"; }
done
"$LPATCH" cache prune 6.1.0-99-cloud-amd64 2>"$WORK/err"
expect_contains "$WORK/err" "no release 6.1.0-99-cloud-amd64 in the cache"
exit 0
