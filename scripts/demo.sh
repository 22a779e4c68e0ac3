#!/usr/bin/env bash
# The main job, end to end: build a real livepatch for today's Debian cloud
# kernel from a source diff, and show it live in a VM of that exact kernel.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make -s -j"$(nproc)" lpatch
target=${1:-debian:cloud}
out=$(mktemp -d "${TMPDIR:-/tmp}/lpatch-demo.XXXXXX")
trap 'rm -rf "$out"' EXIT
./lpatch build --target "$target" -o "$out/livepatch-meminfo.ko" --name livepatch-meminfo \
	--description "VmallocChunk becomes VMALLOCCHUNK" tests/vm/patches/meminfo-vmallocchunk.patch
cat > "$out/show.sh" <<'G'
echo "== before load:";   grep -i '^vmallocchunk' /proc/meminfo
insmod livepatch-meminfo.ko
i=0; while [ "$(cat /sys/kernel/livepatch/livepatch_meminfo/transition)" != 0 ] && [ $i -lt 150 ]; do i=$((i+1)); sleep 0.1; done
echo "== after load:";    grep -i '^vmallocchunk' /proc/meminfo
echo 0 > /sys/kernel/livepatch/livepatch_meminfo/enabled
i=0; while [ -d /sys/kernel/livepatch/livepatch_meminfo ] && [ $i -lt 150 ]; do i=$((i+1)); sleep 0.1; done
echo "== after disable:"; grep -i '^vmallocchunk' /proc/meminfo
rmmod livepatch_meminfo
G
./lpatch vm --target "$target" --copy "$out/livepatch-meminfo.ko" --copy "$out/show.sh" -- sh show.sh
