#!/usr/bin/env bash
# Milliseconds per object pair for `lpatch diff`, X.o against itself with
# the target's vmlinux as parent, over every object of kernel directories
# built in the prepared tree as lpatch build builds them (under its lock;
# the objects are moved out, the tree keeps none).
# Usage: bench/diff-time.sh [TARGET] [DIR...]   (default: debian:cloud fs/proc)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-debian:cloud}
shift || true
dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=(fs/proc)
make -s lpatch
LPATCH=./lpatch
. tests/kobjs.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/lpatch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
for dir in "${dirs[@]}"; do
	build_tree_objects "$target" "$dir" "$work"
	n=0 bad=0 start=$(ms)
	for o in "$work/$dir"/*.o; do
		st=0
		./lpatch diff "$o" "$o" --parent "$KOBJS_VMLINUX" >/dev/null 2>&1 || st=$?
		[ $st -eq 3 ] || bad=$((bad + 1))
		n=$((n + 1))
	done
	end=$(ms)
	echo "$dir: $n object pairs, $(( (end - start) / (n ? n : 1) )) ms each, $bad not 'no change'"
	if [ -e "$work/$dir/meminfo.o" ]; then
		start=$(ms)
		for _ in 1 2 3 4 5; do ./lpatch diff "$work/$dir/meminfo.o" "$work/$dir/meminfo.o" \
			--parent "$KOBJS_VMLINUX" >/dev/null 2>&1 || true; done
		echo "$dir/meminfo.o: $(( ($(ms) - start) / 5 )) ms per pair (5 runs)"
		o=$work/$dir/meminfo.o start=$(ms)
		for _ in 1 2 3 4 5; do ./lpatch diff "$o" "$o" --parent "$o" >/dev/null 2>&1 || true; done
		echo "$dir/meminfo.o with itself as parent: $(( ($(ms) - start) / 5 )) ms per pair"
	fi
done
