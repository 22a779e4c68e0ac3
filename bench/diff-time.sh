#!/usr/bin/env bash
# Milliseconds per object pair for `lpatch diff`, over every object of a
# kernel directory built in the prepared tree (X.o against itself), with the
# target's vmlinux as parent. Usage: bench/diff-time.sh [TARGET] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-debian:cloud}
dir=${2:-fs/proc}
make -s lpatch
json=$(./lpatch target --json --need symbols,source "$target")
src=$(echo "$json" | sed -n 's/.*"src": *"\([^"]*\)".*/\1/p')
vmlinux=$(echo "$json" | sed -n 's/.*"vmlinux": *"\([^"]*\)".*/\1/p')
release=$(echo "$json" | sed -n 's/.*"release": *"\([^"]*\)".*/\1/p')
# the directory's objects, built as lpatch builds them (left in the tree: harmless)
make -s -C "$src" -j"$(nproc)" KERNELRELEASE="$release" KCFLAGS="-ffunction-sections -fdata-sections" "$dir/" >/dev/null
n=0 start=$(date +%s%N)
for o in "$src/$dir"/*.o; do
	case $o in *.mod.o|*/built-in.o) continue ;; esac
	./lpatch diff "$o" "$o" --parent "$vmlinux" >/dev/null || [ $? -eq 3 ]
	n=$((n + 1))
done
end=$(date +%s%N)
echo "$n object pairs in $dir: $(( (end - start) / 1000000 / (n ? n : 1) )) ms each (vmlinux symbols loaded each time)"
