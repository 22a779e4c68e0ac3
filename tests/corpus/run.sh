#!/usr/bin/env bash
# The real-fix corpus (issue 11, item 6): Debian's linux-source-6.1 update
# 6.1.187-1 -> 6.1.190-1 (C sources and headers; other architectures left
# out), cut into one fix per file, each built for the release that lacked it
# (6.1.0-53-cloud-amd64, version 6.1.187-1) and each module built loaded in
# the VM (no WARN, oops or Call Trace, or it counts as failed to go live).
#
# Usage: tests/corpus/run.sh [--sample | --list FILE] [OUTDIR]
#   --sample     only the fixes listed in tests/corpus/sample.txt (CI)
#   --list FILE  only the files FILE lists (one per line, # comments)
# Writes OUTDIR/results.tsv (file, result, reason) and prints the counts.
# Results: live (built and went live), load-failed, no-change, refused, failed,
# left-out (tests/corpus/excluded.txt: needs another file's change of the update).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
LPATCH=${LPATCH:-$TOP/lpatch}
target=${LPATCH_CORPUS_TARGET:-debian:6.1.0-53-cloud-amd64}
diff=$HERE/debian-6.1.187-1_6.1.190-1.diff
listfile=
[ "${1:-}" = --sample ] && { listfile=$HERE/sample.txt; shift; }
[ "${1:-}" = --list ] && { listfile=$2; shift 2; }
out=${1:-$(mktemp -d "${TMPDIR:-/tmp}/lpatch-corpus.XXXXXX")}
mkdir -p "$out/patches" "$out/logs" "$out/modules"

# one fix per file: a diff section starts at each "--- a/"
awk -v dir="$out/patches" '
	/^--- a\// { f = substr($2, 3); name = f; gsub("/", "__", name); path = dir "/" name ".patch" }
	{ print > path }' "$diff"
if [ -n "$listfile" ]; then
	list=$(grep -v '^#' "$listfile")
else
	list=$(grep '^--- a/' "$diff" | cut -c7-)
fi
results=$out/results.tsv
: >"$results"
"$LPATCH" --quiet target --need all "$target" >/dev/null || { echo "cannot prepare $target"; exit 1; }
i=0
for f in $list; do
	i=$((i + 1))
	p=$out/patches/${f//\//__}.patch
	[ -f "$p" ] || { echo "no fix for $f in $diff"; exit 1; }
	name=lpc-$i
	log=$out/logs/$name.log
	why=$(awk -F'\t' -v f="$f" '$1 == f {print $2}' "$HERE/excluded.txt")
	if [ -n "$why" ]; then
		printf '%s\t%s\t%s\n' "$f" left-out "$why" >>"$results"
		printf '%4d %-60s %-11s %s\n' "$i" "$f" left-out "$why"
		continue
	fi
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
	if [ $result = built ]; then
		vlog=$out/logs/$name.vm.log
		for try in 1 2; do
			"$LPATCH" vm --target "$target" --copy "$TOP/tests/vm/guest-lib.sh" \
				--copy "$TOP/tests/vm/load-each-guest.sh" --copy "$out/modules/$name.ko" \
				-- sh load-each-guest.sh >"$vlog" 2>&1
			vst=$?
			# the guest never got to the module (TCG on a loaded host can fail
			# the boot: "IO-APIC + timer doesn't work!"): boot once more
			grep -q 'GUEST-\|transition \|insmod' "$vlog" && break
			[ $try = 1 ] && mv "$vlog" "$vlog.boot-failed"
		done
		if [ $vst -eq 0 ] && grep -q "GUEST-OK 1" "$vlog"; then
			result=live
			reason=$(grep '^LIVE ' "$vlog" | tr -d '\r' | cut -d' ' -f3- | tr '\n' ' ')
		else
			result=load-failed
			reason="lpatch vm exit $vst: $(grep -m1 -E 'GUEST-FAIL|WARNING|Call Trace|BUG|Oops' "$vlog" | tr -d '\r')"
		fi
	fi
	printf '%s\t%s\t%s\n' "$f" "$result" "$reason" >>"$results"
	printf '%4d %-60s %-11s %s\n' "$i" "$f" "$result" "$reason"
done
echo "corpus: $(wc -l <"$results") fixes for $target; results in $results"
cut -f2 "$results" | sort | uniq -c
