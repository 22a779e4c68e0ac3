# New code and data, literals and tables, and a refusal on the real kernel
# (issue 3, cases 5 and 6).
# - fs/proc/version.c gains a new function and two new static variables (one
#   zero, one initialized): /proc/version counts its reads.
# - A string literal in show_stat changes ("ctxt" -> "lpatch_ctxt"); the
#   other strings of the same format are untouched.
# - A constant table (task_state_array) changes: read-only data is compared
#   by content, and its users take the patch's copy.
# - A writable static variable's initializer changes: refused, naming it.
. "$(dirname "$0")/../lib.sh"

build_patch "$WORK/new.ko" new-data-and-string.patch --name livepatch-new
cp "$WORK/build.log" "$WORK/new.log"
expect_changes "$WORK/new.log" "fs/proc/stat.o: changed show_stat" \
	"fs/proc/version.o: changed version_proc_show" \
	"fs/proc/version.o: new function version_count_read" \
	"fs/proc/version.o: new data version_reads" \
	"fs/proc/version.o: new data version_reads_label"
expect_contains "$WORK/new.log" "fs/proc/stat.o: 30 references bound at load time (12 through livepatch relocations)"
expect_contains "$WORK/new.log" "fs/proc/version.o: 5 references bound at load time (1 through livepatch relocations)"
readelf -sW "$WORK/new.ko" >"$WORK/syms"
for s in version_reads version_reads_label; do
	grep -qE " OBJECT +LOCAL +DEFAULT +[0-9]+ $s\$" "$WORK/syms" || fail "new data $s is not defined in the module"
done
grep -qE " FUNC +LOCAL +DEFAULT +[0-9]+ version_count_read\$" "$WORK/syms" || fail "new function not in the module"
grep -q 'klp\.sym.*version_' "$WORK/syms" && fail "new code or data bound to the target"

build_patch "$WORK/table.ko" const-table.patch --name livepatch-table --no-replace
cp "$WORK/build.log" "$WORK/table.log"
expect_changes "$WORK/table.log" "fs/proc/array.o: changed do_task_stat" \
	"fs/proc/array.o: changed proc_pid_status"
readelf -sW "$WORK/table.ko" | has -E ' OBJECT +LOCAL +DEFAULT +[0-9]+ task_state_array$' ||
	fail "the changed constant table is not the patch's own copy"

"$LPATCH" build --target "$TARGET" -o "$WORK/refused.ko" "$TOP/tests/vm/patches/static-data.patch" >"$WORK/refused.log" 2>&1
st=$?
[ $st -eq 2 ] || { cat "$WORK/refused.log"; fail "static-data patch: exit $st, expected 2"; }
expect_contains "$WORK/refused.log" "kernel/printk/printk.o: refused: the static variable 'console_msg_format' changes"
[ ! -e "$WORK/refused.ko" ] || fail "a refused patch wrote a module"

cat > "$WORK/guest.sh" <<'G'
. ./guest-lib.sh
grep -q lpatch /proc/version /proc/stat && die "patched before insmod"
grep -q '^ctxt ' /proc/stat || die "no ctxt line before insmod"
insmod new.ko || die "insmod new.ko failed"
lp_wait_transition livepatch_new
insmod table.ko || die "insmod table.ko failed"
lp_wait_transition livepatch_table
a=$(sed -n 's/^lpatch-reads //p' /proc/version)
b=$(sed -n 's/^lpatch-reads //p' /proc/version)
echo "reads: $a then $b"
[ -n "$a" ] && [ "$b" = $((a + 1)) ] || die "/proc/version does not count its reads"
head -1 /proc/version | grep -q '^Linux version ' || die "the banner line changed"
grep '^lpatch_ctxt ' /proc/stat || die "stat string not patched"
grep -q '^ctxt ' /proc/stat && die "old ctxt line still there"
grep -q '^btime ' /proc/stat && grep -q '^processes ' /proc/stat || die "the other stat lines changed"
echo "status: $(grep '^State:' /proc/self/status)"
grep -q '^State:.R (Running)$' /proc/self/status || die "table not patched"
lp_disable livepatch_table
lp_disable livepatch_new
grep -q lpatch /proc/version /proc/stat && die "still patched after disable"
grep -q '^State:.R (running)$' /proc/self/status || die "table not restored"
grep -q '^ctxt ' /proc/stat || die "ctxt not restored"
rmmod livepatch_table livepatch_new || die "rmmod failed"
echo GUEST-OK
G
in_vm "$WORK/out" "$WORK/guest.sh" "$WORK/new.ko" "$WORK/table.ko"
expect_contains "$WORK/out" "lpatch_ctxt "
expect_contains "$WORK/out" "status: State:	R (Running)"
expect_contains "$WORK/out" GUEST-OK
