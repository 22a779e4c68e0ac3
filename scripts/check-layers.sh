#!/usr/bin/env bash
# Check the layering of src/ (docs/design.md, "Layers"): a folder includes
# only headers of the folders below it, and only src/elf calls libelf.
# Usage: scripts/check-layers.sh [SRC_DIR]   (default: src next to this script)
# Prints each violation as FILE:LINE: what and why; exits 1 if there is any.
set -euo pipefail

shown=${1:-src}		# how files are named in the messages
src=${1:-$(dirname "$0")/../src}
[ -d "$src" ] || { echo "check-layers: no source directory $src" >&2; exit 2; }
src=$(cd "$src" && pwd)

# What each layer may include besides itself. main is src/main.c.
declare -A may=(
	[util]=""
	[elf]="util"
	[diff]="util elf"
	[deb]="util"
	[patch]="util"
	[target]="util deb elf"
	[klp]="util elf diff target"
	[kernel]="util elf diff deb patch target klp"
	[vm]="util elf deb target"
	[user]="util elf diff patch"
	[host]="util elf"
	[fleet]="util elf host"
	[hook]=""
	[cli]="*"
	[main]="*"
)

# libelf's own functions: the ELF model in src/elf is the one reader.
libelf='(^|[^a-z_])(elf_(begin|end|kind|version|getscn|nextscn|ndxscn|newscn|getdata|rawdata|newdata|getdata_rawchunk|strptr|getshdrnum|getshdrstrndx|getphdrnum|update|flagdata|flagshdr|flagelf|rawfile|cntl|getident)|elf64_[a-z_]+|gelf_[a-z_]+)[[:space:]]*[(]'

rules=$(for l in "${!may[@]}"; do printf '%s=%s\n' "$l" "${may[$l]}"; done)
mapfile -d '' files < <(cd "$src" && find . -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)
[ ${#files[@]} -gt 0 ] || { echo "check-layers: no .c or .h file under $src" >&2; exit 2; }
files=("${files[@]#./}")

bad=0
for f in "${files[@]}"; do
	case $f in */*) l=${f%%/*} ;; *) l=main ;; esac
	[ -n "${may[$l]+set}" ] && continue
	echo "$shown/$f: folder '$l' has no place in the layer order (add it to ${0##*/} and docs/design.md)"
	may[$l]=known; bad=1
done

# One awk pass over every file: an include is found as the compiler finds
# it, beside the file, then under src (-Isrc); headers outside src are not ours.
(cd "$src" && awk -v rules="$rules" -v libelf="$libelf" -v shown="$shown" -v files="${files[*]}" '
function layer(path) { return index(path, "/") ? substr(path, 1, index(path, "/") - 1) : "main" }
function norm(path,    n, parts, out, i, k) {
	n = split(path, parts, "/"); k = 0
	for (i = 1; i <= n; i++) {
		if (parts[i] == "." || parts[i] == "") continue
		if (parts[i] == "..") { if (k > 0) k--; else return ""; continue }
		out[++k] = parts[i]
	}
	path = ""
	for (i = 1; i <= k; i++) path = path (i > 1 ? "/" : "") out[i]
	return path
}
BEGIN {
	n = split(rules, r, "\n")
	for (i = 1; i <= n; i++) { eq = index(r[i], "="); may[substr(r[i], 1, eq - 1)] = " " substr(r[i], eq + 1) " " }
	n = split(files, f, " ")
	for (i = 1; i <= n; i++) exists[f[i]] = 1
	bad = 0
}
FNR == 1 {
	from = layer(FILENAME)
	dir = index(FILENAME, "/") ? FILENAME : ""
	sub(/\/[^\/]*$/, "", dir)
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
	inc = $0
	sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
	beside = norm((dir != "" ? dir "/" : "") inc)
	target = (beside in exists) ? beside : ((norm(inc) in exists) ? norm(inc) : "")
	if (target == "" || !(from in may)) next
	to = layer(target)
	if (to == from || may[from] ~ / \* / || index(may[from], " " to " ")) next
	allowed = may[from]; gsub(/^ +| +$/, "", allowed)
	printf "%s/%s:%d: %s: %s may not include %s (it may include: %s)\n", shown, FILENAME, FNR, $0, from, to, allowed == "" ? "nothing else" : allowed
	bad = 1
}
from != "elf" && $0 ~ libelf {
	line = $0; sub(/^[ \t]+/, "", line)
	printf "%s/%s:%d: calls libelf directly (%s): read ELF through src/elf/elf.h\n", shown, FILENAME, FNR, line
	bad = 1
}
END { exit bad }
' "${files[@]}") && [ "$bad" -eq 0 ] && exit 0

echo "check-layers: the layer order is broken (docs/design.md, \"Layers\")" >&2
exit 1
