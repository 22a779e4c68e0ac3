#!/usr/bin/env bash
# Run lpatch's fuzz targets (built by `make fuzz-build` into build/fuzz/) for SECONDS each:
#   scripts/fuzz.sh SECONDS [TARGET...]      (default: every target)
# Seeds are made here: pairs of objects compiled from small C files, and, when present, kpatch's
# unit-test objects ($KPATCH_UNIT), modules from lpatch's kernel cache, and process patches
# built with ./lpatch build --user. Corpora grow in build/fuzz/corpus/TARGET across runs;
# anything found is left in build/fuzz/found/TARGET/ and makes the script exit 1.
# Runs at nice 10 on one core. Prints one line per target: executions, seconds, corpus, found.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_elf fuzz_diff fuzz_ko fuzz_lpatch)
KPATCH_UNIT=${KPATCH_UNIT:-/work/shared/kpatch-unit/x86_64}
KO_CACHE=${KO_CACHE:-$HOME/.cache/lpatch}
MAX_SEED=${MAX_SEED:-131072}	# larger seeds slow every execution; skip them
F=build/fuzz
seeds=$F/seeds
for t in "${targets[@]}"; do
	[ -x "$F/$t" ] || { echo "fuzz: $F/$t is not built (make fuzz-build)" >&2; exit 2; }
done

le32() { # the 4 little-endian bytes of $1
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"; }

# pair ORIG PATCHED NAME: a fuzz_diff input (header: ORIG's length) and fuzz_elf inputs
pair() {
	local a b
	a=$(stat -c %s "$1"); b=$(stat -c %s "$2")
	[ "$a" -le "$MAX_SEED" ] && [ "$b" -le "$MAX_SEED" ] || return 0
	{ le32 "$a"; cat "$1" "$2"; } >"$seeds/fuzz_diff/$3"
	cp "$1" "$seeds/fuzz_elf/$3.orig.o"
	cp "$2" "$seeds/fuzz_elf/$3.patched.o"
}

make_seeds() {
	local tmp k n o p
	rm -rf "$seeds"
	mkdir -p "$seeds"/{fuzz_elf,fuzz_diff,fuzz_ko,fuzz_lpatch}
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/lpatch-fuzz-seeds.XXXXXX")
	# objects built the way lpatch build compiles kernel code: a changed function calling
	# out, a string, static data, a new function
	local flags="-O2 -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
		-fno-pic -mcmodel=kernel -pg -mfentry -mrecord-mcount"
	mkdir -p "$tmp/o" "$tmp/p"
	cat >"$tmp/o/unit.c" <<-'EOF'
	extern int printk(const char *, ...);
	static int count;
	static const char *names[] = { "one", "two" };
	int fx(int x) { count++; printk("fx %d %s\n", x, names[x & 1]); return x + 1; }
	int fy(int x) { return fx(x) * 3; }
	EOF
	cat >"$tmp/p/unit.c" <<-'EOF'
	extern int printk(const char *, ...);
	static int count;
	static const char *names[] = { "one", "two" };
	static int helper(int x) { return x * 7; }
	int fx(int x) { count += 2; printk("fx now %d %s\n", x, names[x & 1]); return helper(x); }
	int fy(int x) { return fx(x) * 3; }
	EOF
	# shellcheck disable=SC2086
	(cd "$tmp/o" && cc $flags -c unit.c) && (cd "$tmp/p" && cc $flags -c unit.c) &&
		pair "$tmp/o/unit.o" "$tmp/p/unit.o" local-unit
	if [ -d "$KPATCH_UNIT" ]; then
		for o in "$KPATCH_UNIT"/*.ORIG.o; do
			n=$(basename "$o" .ORIG.o)
			for p in "$KPATCH_UNIT/$n".PATCHED*.o; do
				[ -f "$p" ] && pair "$o" "$p" "$n"
			done
		done
	fi
	# a module: .modinfo and a klp_patch-like object; plus small real modules, if cached
	cat >"$tmp/mod.c" <<-'EOF'
	static const char modinfo[] __attribute__((section(".modinfo"), used)) =
		"name=lpatch_fuzz\0livepatch=Y\0vermagic=6.1.0 SMP mod_unload\0lpatch_cve=CVE-2024-0001\0"
		"description=fuzz seed";
	int fz(int x) { return x + 1; }
	EOF
	(cd "$tmp" && cc -O2 -c mod.c -o mod.ko) && cp "$tmp/mod.ko" "$seeds/fuzz_ko/synthetic.ko"
	if [ -d "$KO_CACHE" ]; then
		find "$KO_CACHE" -name "*.ko" -size -64k 2>/dev/null | head -20 | while read -r k; do
			cp "$k" "$seeds/fuzz_ko/"
		done
	fi
	# process patches, built as tests/user do
	if [ -x ./lpatch ]; then
		cp -r tests/fixtures/user/loop "$tmp/loop"
		if make -s -C "$tmp/loop" >/dev/null 2>&1; then
			for p in message report; do
				./lpatch build --user --src "$tmp/loop" --binary "$tmp/loop/loop" \
					-o "$seeds/fuzz_lpatch/$p.lpatch" "tests/fixtures/user/loop/$p.patch" \
					>/dev/null 2>&1 || echo "fuzz: no $p.lpatch seed (lpatch build --user failed)" >&2
			done
		fi
	fi
	cp "$seeds"/fuzz_lpatch/* "$seeds"/fuzz_ko/* "$seeds/fuzz_elf/" 2>/dev/null
	rm -rf "$tmp"
}

make_seeds
status=0
printf '%-12s %12s %8s %10s %6s\n' target executions seconds corpus found
for t in "${targets[@]}"; do
	corpus=$F/corpus/$t found=$F/found/$t log=$F/$t.log
	mkdir -p "$corpus" "$found"
	start=$(date +%s)
	# -close_fd_mask=3: lpatch's own messages are noise here; sanitizer reports still print
	nice -n 10 "$F/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=262144 \
		-close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$found/" \
		"$corpus" "$seeds/$t" >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	nfound=$(find "$found" -type f | wc -l)
	printf '%-12s %12s %8s %10s %6s\n' "$t" "${execs:-?}" "$(($(date +%s) - start))" \
		"$(find "$corpus" -type f | wc -l)" "$nfound"
	if [ "$st" -ne 0 ] || [ "$nfound" -ne 0 ]; then
		status=1
		echo "fuzz: $t found something (exit $st); see $log and $found/" >&2
		grep -m5 -E 'ERROR|runtime error|SUMMARY' "$log" >&2
	fi
done
exit $status
