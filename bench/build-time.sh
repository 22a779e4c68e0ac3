#!/usr/bin/env bash
# Time `lpatch build` for the seed example (issue 2, case 2):
#   warm: target fetched and source tree prepared;
#   cold: the target's cache emptied (downloaded .debs kept), so extraction,
#         tree preparation and the build are all timed.
# Usage: bench/build-time.sh [warm|cold|both] [TARGET]
# (debian13:cloud: cold also needs the trixie build root, made once and kept:
#  remove ~/.cache/lpatch/roots/trixie first to time that too)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-both}
target=${2:-debian:cloud}
# 6.12 (debian13:...) has the seed's line one further down
case $target in debian13:*) patch=tests/vm/patches/meminfo-vmallocchunk-6.12.patch ;;
*) patch=tests/vm/patches/meminfo-vmallocchunk.patch ;; esac
cache=${LPATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lpatch}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
make -s lpatch
build() {
	local start end
	start=$(date +%s.%N)
	./lpatch --quiet build --target "$target" -o "$out/lp.ko" "$patch" >/dev/null
	end=$(date +%s.%N)
	printf '%s build: %.1f s\n' "$1" "$(echo "$end - $start" | bc)"
}
release=$(./lpatch target --json --need boot "$target" | sed -n 's/.*"release": *"\([^"]*\)".*/\1/p')
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); target $release"
if [ "$mode" = cold ] || [ "$mode" = both ]; then
	rm -rf "${cache:?}/targets/$release"
	build cold
fi
if [ "$mode" = warm ] || [ "$mode" = both ]; then
	./lpatch --quiet target --need headers,symbols,source "$target" >/dev/null
	for i in 1 2 3; do build "warm #$i"; done
fi
