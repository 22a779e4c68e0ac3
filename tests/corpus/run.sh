#!/usr/bin/env bash
# The real-fix corpus (issue 11, item 6): Debian's linux-source-6.1 update
# 6.1.187-1 -> 6.1.190-1 (C sources and headers; other architectures left
# out), cut into one fix per file, each built for the release that lacked it
# (6.1.0-53-cloud-amd64, version 6.1.187-1) and each module built loaded in
# the VM (no WARN, oops or Call Trace, or it counts as failed to go live).
#
# Usage: tests/corpus/run.sh [--sample | --list FILE] [--fresh] [OUTDIR]
#        tests/corpus/run.sh --reclassify OUTDIR   (or CORPUS_RECLASSIFY=1)
#   --sample     only the fixes listed in tests/corpus/sample.txt (CI)
#   --list FILE  only the files FILE lists (one per line, # comments)
#   --fresh      forget OUTDIR's earlier results (default: go on from them)
#   --reclassify build and load nothing: read again the saved build logs of
#                OUTDIR's "failed" fixes, and make "left-out" each one whose
#                compile failed for want of another file's change of the
#                update (what a run now finds by itself); not while a run
#                writes OUTDIR
# Writes OUTDIR/results.tsv (file, result, reason) and prints the counts.
# Results: live (built and went live), untested (built and loaded, but a module
# it patches does not load in qemu: hardware or a hypervisor the VM lacks),
# load-failed, no-change, refused, failed, left-out (tests/corpus/excluded.txt:
# needs another file's change of the update).
#
# The whole corpus takes hours: a run stopped half-way goes on where it
# stopped (a fix with a result is not built again). Sources come before
# headers (a header's fix compiles every file that includes it). Modules are
# loaded LPATCH_CORPUS_BATCH (default 20) to a VM boot; a boot that fails
# loads its modules again one to a boot, so each failure is the fix's own.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
LPATCH=${LPATCH:-$TOP/lpatch}
target=${LPATCH_CORPUS_TARGET:-debian:6.1.0-53-cloud-amd64}
batch=${LPATCH_CORPUS_BATCH:-20}
diff=$HERE/debian-6.1.187-1_6.1.190-1.diff
listfile= fresh= reclassify=${CORPUS_RECLASSIFY:-}
[ "$reclassify" = 1 ] || reclassify=
while [ $# -gt 0 ]; do
	case $1 in
	--sample) listfile=$HERE/sample.txt; shift ;;
	--list) listfile=$2; shift 2 ;;
	--fresh) fresh=1; shift ;;
	--reclassify) reclassify=1; shift ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ -n "$reclassify" ] && { [ $# -ne 1 ] || [ ! -f "$1/results.tsv" ] || [ -n "$fresh" ]; }; then
	echo "run.sh: --reclassify needs the OUTDIR of an earlier run (with its results.tsv), and no --fresh" >&2
	exit 2
fi
out=${1:-$(mktemp -d "${TMPDIR:-/tmp}/lpatch-corpus.XXXXXX")}
results=$out/results.tsv
[ -n "$fresh" ] && rm -rf "$out/patches" "$out/logs" "$out/modules" "$results"
mkdir -p "$out/patches" "$out/logs" "$out/modules"
touch "$results"

# one fix per file: a diff section starts at each "--- a/"
[ -n "$reclassify" ] || awk -v dir="$out/patches" '
	/^--- a\// { f = substr($2, 3); name = f; gsub("/", "__", name); path = dir "/" name ".patch" }
	{ print > path }' "$diff"
if [ -n "$listfile" ]; then
	list=$(grep -v '^#' "$listfile")
else	# sources first, headers last
	list=$(grep '^--- a/' "$diff" | cut -c7- | awk '{ print (/\.h$/ ? 1 : 0) "\t" $0 }' |
		sort -s -k1,1n | cut -f2)
fi
total=$(echo "$list" | wc -w)

result_of() { awk -F'\t' -v f="$1" '$1 == f { r = $2 } END { print r }' "$results"; }
# set_result FILE RESULT REASON: replaces FILE's line (atomically)
set_result() {
	awk -F'\t' -v f="$1" '$1 != f' "$results" >"$results.tmp"
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results.tmp"
	mv "$results.tmp" "$results"
}
modname() { echo "lpc-$(echo "$1" | md5sum | cut -c1-10)"; }

# A per-file cut that does not compile alone: the compiler's first error
# names an identifier (a member, a function, a constant) that the update adds
# in another file. Prints "needs 'X', which the update adds in FILE (ERROR)".
needs_other_file() { # FILE BUILD-LOG
	local kept err id other
	kept=$(sed -n 's/.*; the whole log: \(.*\)$/\1/p' "$2" | head -n 1)
	if [ -f "$kept" ]; then
		err=$(grep -m1 -E "^$1:[0-9]+:[0-9]+: error: " "$kept") || return 1
	else	# the whole log was pruned: the lines lpatch showed of it
		err=$(grep -m1 -E "^  \| $1:[0-9]+:[0-9]+: error: " "$2" | cut -c5-) || return 1
	fi
	id=$(printf '%s\n' "$err" | grep -oE "(has no member named|undeclared|implicit declaration of function|unknown type name|conflicting types for) ?[‘'][A-Za-z_][A-Za-z0-9_]*[’']|[‘'][A-Za-z_][A-Za-z0-9_]*[’'] undeclared" |
	     grep -oE "[A-Za-z_][A-Za-z0-9_]*[’']" | head -n 1 | tr -d "’'")
	[ -n "$id" ] || return 1
	# the files whose added lines name it, headers first
	other=$(awk -v f="$1" -v id="$id" '
		/^--- a\// { cur = substr($2, 3); next }
		cur != f && /^\+/ && $0 ~ ("(^|[^A-Za-z0-9_])" id "([^A-Za-z0-9_]|$)") { print cur }' "$diff" |
		awk '!seen[$0]++ { print (/\.h$/ ? 0 : 1) "\t" $0 }' | sort -s -k1,1n | cut -f2 | head -n 1)
	[ -n "$other" ] || return 1
	printf "needs '%s', which the update changes in %s (%s)" "$id" "$other" "${err#*: error: }"
}

# --reclassify: the "failed" rows again, from their saved build logs
if [ -n "$reclassify" ]; then
	n=0
	for f in $(awk -F'\t' '$2 == "failed" { print $1 }' "$results"); do
		log=$out/logs/$(modname "$f").log
		[ -f "$log" ] && dep=$(needs_other_file "$f" "$log") || continue
		set_result "$f" left-out "$dep"
		printf '%-60s left-out    %s\n' "$f" "$dep"
		n=$((n + 1))
	done
	echo "corpus: $n failed fix(es) of $results reclassified as left-out"
	cut -f2 "$results" | sort | uniq -c
	exit 0
fi

"$LPATCH" --quiet target --need all "$target" >/dev/null || { echo "cannot prepare $target"; exit 1; }

# loading: the modules built, a batch to a boot
boot() { # LOG KO...: 0 when the guest loaded every module cleanly
	local vlog=$1 try vst copies=()
	shift
	for ko in "$@"; do copies+=(--copy "$ko"); done
	for try in 1 2; do
		"$LPATCH" vm --target "$target" --copy "$TOP/tests/vm/guest-lib.sh" \
			--copy "$TOP/tests/vm/load-each-guest.sh" "${copies[@]}" \
			-- sh load-each-guest.sh >"$vlog" 2>&1
		vst=$?
		# the guest never got to the modules (TCG on a loaded host can fail
		# the boot: "IO-APIC + timer doesn't work!"): boot once more
		grep -q 'GUEST-\|transition \|the kernel refused module' "$vlog" && break
		[ $try = 1 ] && mv "$vlog" "$vlog.boot-failed"
	done
	[ $vst -eq 0 ] && grep -q "GUEST-OK $#" "$vlog"
}
live_line() { # LOG KO: the functions KO patched, from the guest's LIVE lines
	grep "^LIVE $(basename "$2") " "$1" | tr -d '\r' | cut -d' ' -f3- | tr '\n' ' '
}
set_loaded() { # FIX LOG KO: live, or untested when a module it patches did not load in the VM
	local why
	why=$(grep -m1 "^UNTESTED $(basename "$3") " "$2" | tr -d '\r' | cut -d' ' -f3-)
	if [ -n "$why" ]; then
		set_result "$1" untested "loaded; $why; $(live_line "$2" "$3")"
	else
		set_result "$1" live "$(live_line "$2" "$3")"
	fi
}
load_pending() { # MIN: load the modules waiting as "built" when there are MIN or more
	local pending n group kos f ko vlog
	mapfile -t pending < <(awk -F'\t' '$2 == "built" { print $1 }' "$results")
	[ ${#pending[@]} -ge "$1" ] && [ ${#pending[@]} -gt 0 ] || return 0
	n=0
	while [ $n -lt ${#pending[@]} ]; do
		group=("${pending[@]:n:batch}")
		n=$((n + ${#group[@]}))
		kos=()
		for f in "${group[@]}"; do kos+=("$out/modules/$(modname "$f").ko"); done
		vlog=$out/logs/boot-$(date +%s)-$n.vm.log
		if [ ${#group[@]} -gt 1 ] && boot "$vlog" "${kos[@]}"; then
			for f in "${group[@]}"; do
				set_loaded "$f" "$vlog" "$out/modules/$(modname "$f").ko"
				printf '%-60s %s\n' "$f" "$(result_of "$f")"
			done
			continue
		fi
		for f in "${group[@]}"; do	# one to a boot: whose failure is it?
			ko=$out/modules/$(modname "$f").ko
			vlog=$out/logs/$(modname "$f").vm.log
			if boot "$vlog" "$ko"; then
				set_loaded "$f" "$vlog" "$ko"
			else
				set_result "$f" load-failed "lpatch vm: $(grep -m1 -E 'GUEST-FAIL|WARNING|Call Trace|BUG|Oops|error' "$vlog" | tr -d '\r')"
			fi
			printf '%-60s %s\n' "$f" "$(result_of "$f")"
		done
	done
}

# build each fix (a module built waits in results.tsv as "built"), and load
# them a batch at a time as they come
i=0
for f in $list; do
	i=$((i + 1))
	p=$out/patches/${f//\//__}.patch
	[ -f "$p" ] || { echo "no fix for $f in $diff"; exit 1; }
	why=$(awk -F'\t' -v f="$f" '$1 == f {print $2}' "$HERE/excluded.txt")
	prev=$(result_of "$f")
	# a result stands, unless the fix has since been left out (after its failure was read)
	[ -n "$prev" ] && { [ -z "$why" ] || [ "$prev" = left-out ]; } && continue
	name=$(modname "$f")
	log=$out/logs/$name.log
	if [ -n "$why" ]; then
		set_result "$f" left-out "$why"
		printf '%4d/%d %-60s %-11s %s\n' "$i" "$total" "$f" left-out "$why"
		continue
	fi
	start=$(date +%s)
	timeout 1800 "$LPATCH" build --target "$target" --name "$name" \
		--description "corpus: $f (6.1.187-1 -> 6.1.190-1)" -o "$out/modules/$name.ko" "$p" >"$log" 2>&1
	st=$?
	reason=$(grep -m1 '^lpatch: error: ' "$log" | cut -c16- | tr '\t' ' ')
	case $st in
	0) result=built reason="" ;;
	2) result=refused ;;
	3) result=no-change ;;
	124) result=failed reason="timed out after 1800 s" ;;
	*) result=failed ;;
	esac
	if [ $result = failed ] && dep=$(needs_other_file "$f" "$log"); then
		result=left-out reason=$dep
	fi
	set_result "$f" "$result" "$reason"
	printf '%4d/%d %-60s %-11s %4ss %s\n' "$i" "$total" "$f" "$result" "$(($(date +%s) - start))" "$reason"
	load_pending "$batch"
done
load_pending 1

echo "corpus: $(wc -l <"$results") of $total fixes for $target; results in $results"
cut -f2 "$results" | sort | uniq -c
