# Sourced by tests and benches: build_tree_objects TARGET DIR DEST compiles
# every object of kernel directory DIR (e.g. fs/proc) in TARGET's prepared
# tree as lpatch build does (-ffunction-sections -fdata-sections), under
# lpatch's lock on that tree, moves the objects to DEST/DIR and removes
# what the build left in DIR, so the shared tree keeps no extra objects.
# Sets KOBJS_VMLINUX to the target's vmlinux.
build_tree_objects() {
	local target=$1 dir=$2 dest=$3 json src rel cc tdir
	json=$("${LPATCH:-./lpatch}" target --json --need symbols,source "$target") || return 1
	# the target's JSON, parsed (jq: scripts/deps.sh --test)
	{ read -r src; read -r tdir; read -r rel; read -r cc; read -r KOBJS_VMLINUX; } < <(
		jq -r '.src, .dir, .release, .cc, .vmlinux | . // ""' <<<"$json") ||
		{ echo "cannot read lpatch target's JSON (is jq installed?): $json" >&2; return 1; }
	[ -d "$src/$dir" ] || { echo "no directory $dir in $src" >&2; return 1; }
	mkdir -p "$dest/$dir"
	# the same lock lpatch build takes (target_lock_source)
	flock "$tdir/.source.lock" bash -c '
		src=$1 dir=$2 dest=$3 rel=$4 cc=$5
		make -s -C "$src" -j"$(nproc)" KERNELRELEASE="$rel" CC="${cc:-gcc}" \
			KCFLAGS="-ffunction-sections -fdata-sections" "$dir/" >"$dest/kbuild.log" 2>&1
		st=$?
		for o in "$src/$dir"/*.o; do
			case $o in */built-in.o|*.mod.o) rm -f "$o"; continue ;; esac
			[ -e "$o" ] && mv "$o" "$dest/$dir/"
		done
		rm -f "$src/$dir/built-in.a" "$src/$dir/modules.order"
		exit $st' _ "$src" "$dir" "$dest" "$rel" "$cc" || { tail -20 "$dest/kbuild.log" >&2; return 1; }
}
