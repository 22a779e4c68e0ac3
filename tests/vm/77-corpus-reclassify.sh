# tests/corpus/run.sh --reclassify (and CORPUS_RECLASSIFY=1): a corpus
# directory's "failed" fixes whose compile needed another file's change of
# the same update become "left-out", from their saved build logs alone: no
# lpatch (LPATCH=/bin/false), no build, no VM; other rows stay as they were.
# On a made-up corpus directory, never the real results. The kept whole
# log may be gone (pruned): then the compiler lines lpatch showed are read.
. "$(dirname "$0")/../lib.sh"
RUN=$TOP/tests/corpus/run.sh
modname() { echo "lpc-$(echo "$1" | md5sum | cut -c1-10)"; }
make_corpus() { # DIR
	local c=$1
	mkdir -p "$c/logs" || fail "cannot make $c/logs"
	printf '%s\t%s\t%s\n' \
		kernel/sys.c live "prctl_set_auxv,1 " \
		drivers/hid/hid-core.c failed "kbuild failed to compile drivers/hid/hid-core.o (make exited 2); the whole log: $WORK/pruned.log" \
		drivers/infiniband/core/cq.c failed "kbuild failed to compile drivers/infiniband/core/cq.o (make exited 2); the whole log: $WORK/kept.log" \
		drivers/infiniband/core/umem.c failed "kbuild failed to compile drivers/infiniband/core/umem.o (make exited 2); the whole log: $WORK/kept-umem.log" \
		drivers/hid/hid-alps.c built "" >"$c/results.tsv"
	cat >"$c/logs/$(modname drivers/hid/hid-core.c).log" <<'L'
  | drivers/hid/hid-core.c: In function ‘hid_device_probe’:
  | drivers/hid/hid-core.c:2669:13: error: ‘struct hid_device’ has no member named ‘devres_group_id’
lpatch: error: kbuild failed to compile drivers/hid/hid-core.o (make exited 2); the whole log: PRUNED
L
	sed -i "s|PRUNED|$WORK/pruned.log|" "$c/logs/$(modname drivers/hid/hid-core.c).log"
	printf 'lpatch: error: kbuild failed to compile drivers/infiniband/core/cq.o (make exited 2); the whole log: %s\n' \
		"$WORK/kept.log" >"$c/logs/$(modname drivers/infiniband/core/cq.c).log"
	printf 'lpatch: error: kbuild failed to compile drivers/infiniband/core/umem.o (make exited 2); the whole log: %s\n' \
		"$WORK/kept-umem.log" >"$c/logs/$(modname drivers/infiniband/core/umem.c).log"
}
echo "drivers/infiniband/core/cq.c:212:21: error: ‘struct ib_device_ops’ has no member named ‘pre_destroy_cq’" >"$WORK/kept.log"
echo "drivers/infiniband/core/umem.c:79:15: error: expected ‘;’ before ‘}’ token" >"$WORK/kept-umem.log"
rm -f "$WORK/pruned.log"
res() { awk -F'\t' -v f="$2" '$1 == f {print $2}' "$1/results.tsv"; }
why() { awk -F'\t' -v f="$2" '$1 == f {print $3}' "$1/results.tsv"; }
check() { # DIR LOG
	local c=$1
	expect_contains "$2" "corpus: 2 failed fix(es) of $c/results.tsv reclassified as left-out"
	[ "$(res "$c" drivers/hid/hid-core.c)" = left-out ] || fail "hid-core.c: $(res "$c" drivers/hid/hid-core.c), not left-out"
	[ "$(why "$c" drivers/hid/hid-core.c)" = "needs 'devres_group_id', which the update changes in include/linux/hid.h (‘struct hid_device’ has no member named ‘devres_group_id’)" ] ||
		fail "hid-core.c's reason: $(why "$c" drivers/hid/hid-core.c)"
	[ "$(res "$c" drivers/infiniband/core/cq.c)" = left-out ] || fail "cq.c: $(res "$c" drivers/infiniband/core/cq.c), not left-out"
	why "$c" drivers/infiniband/core/cq.c | has -F "needs 'pre_destroy_cq', which the update changes in include/rdma/ib_verbs.h" ||
		fail "cq.c's reason: $(why "$c" drivers/infiniband/core/cq.c)"
	# an error of its own: still failed, its reason kept
	[ "$(res "$c" drivers/infiniband/core/umem.c)" = failed ] || fail "umem.c: $(res "$c" drivers/infiniband/core/umem.c), not failed"
	why "$c" drivers/infiniband/core/umem.c | has -F "kept-umem.log" || fail "umem.c's reason changed"
	[ "$(res "$c" kernel/sys.c)" = live ] && [ "$(why "$c" kernel/sys.c)" = "prctl_set_auxv,1 " ] || fail "the live row changed"
	[ "$(res "$c" drivers/hid/hid-alps.c)" = built ] || fail "the built row changed"
	[ "$(wc -l <"$c/results.tsv")" = 5 ] || fail "not 5 rows: $(cat "$c/results.tsv")"
	[ -z "$(ls -A "$c/patches" 2>/dev/null)" ] || fail "--reclassify cut the diff into $c/patches"
	[ -z "$(ls -A "$c/modules" 2>/dev/null)" ] || fail "--reclassify wrote modules"
}
make_corpus "$WORK/a"
LPATCH=/bin/false bash "$RUN" --reclassify "$WORK/a" >"$WORK/a.log" 2>&1 || { cat "$WORK/a.log"; fail "run.sh --reclassify failed"; }
cat "$WORK/a.log"
check "$WORK/a" "$WORK/a.log"
# again: nothing left to change
LPATCH=/bin/false bash "$RUN" --reclassify "$WORK/a" >"$WORK/a2.log" 2>&1 || { cat "$WORK/a2.log"; fail "second --reclassify failed"; }
expect_contains "$WORK/a2.log" "corpus: 0 failed fix(es) of $WORK/a/results.tsv reclassified as left-out"
# the environment's way
make_corpus "$WORK/b"
CORPUS_RECLASSIFY=1 LPATCH=/bin/false bash "$RUN" "$WORK/b" >"$WORK/b.log" 2>&1 || { cat "$WORK/b.log"; fail "CORPUS_RECLASSIFY=1 run.sh failed"; }
check "$WORK/b" "$WORK/b.log"
# without a corpus directory: refused, nothing made
LPATCH=/bin/false bash "$RUN" --reclassify "$WORK/none" >"$WORK/c.log" 2>&1; st=$?
[ $st -eq 2 ] || { cat "$WORK/c.log"; fail "--reclassify of no corpus exited $st, not 2"; }
expect_contains "$WORK/c.log" "--reclassify needs the OUTDIR of an earlier run"
[ -e "$WORK/none" ] && fail "--reclassify made $WORK/none"
echo "PASS: --reclassify makes left-out the 2 failed fixes that needed another file"
