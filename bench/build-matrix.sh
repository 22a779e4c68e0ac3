#!/usr/bin/env bash
# Time one fix built for every release of a flavour in one command (issue 11,
# item 4): `lpatch build --target debian:cloud@all -j N` with the seed patch.
# The targets must be prepared already (lpatch target --need all, or an
# earlier run): this times the builds, not the downloads. The first run also
# records kbuild's compile commands in trees that have none with this
# lpatch's flags; the runs after it are the warm ones.
# Usage: bench/build-matrix.sh [SET] [JOBS] [RUNS]   (default debian:cloud@all, nproc, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
set_=${1:-debian:cloud@all}
jobs=${2:-$(nproc)}
runs=${3:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
make -s lpatch
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); set $set_, -j$jobs"
for i in $(seq 1 "$runs"); do
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	start=$(date +%s.%N)
	# CPU seconds (user + sys of lpatch and everything it ran): what a shared
	# machine's load does not inflate much, unlike the wall time
	TIMEFORMAT='%U %S'
	cpu=$( { time ./lpatch --quiet build --json -j "$jobs" --target "$set_" -o "$out/run$i" \
		tests/vm/patches/meminfo-vmallocchunk.patch >"$out/run$i.json" 2>"$out/run$i.log"
		echo $? >"$out/run$i.status"; } 2>&1 )
	st=$(cat "$out/run$i.status")
	end=$(date +%s.%N)
	printf 'run %d: %.1f s, CPU %s s, exit %d, %s; load average before %s, after %s\n' "$i" \
		"$(echo "$end - $start" | bc)" "$(echo "$cpu" | awk '{print $1 + $2}')" "$st" \
		"$(jq -r '[.releases[] | "\(.release) \(.result) \(.seconds)s"] | join(", ")' "$out/run$i.json" 2>/dev/null)" \
		"$load0" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
