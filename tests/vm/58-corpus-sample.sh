# The real-fix corpus's CI sample (tests/corpus/sample.txt): fixes of
# Debian's 6.1.187-1 -> 6.1.190-1 update built for 6.1.0-53-cloud-amd64,
# which lacks them; each module built goes live in the VM. The whole corpus:
# make corpus (docs/corpus.md).
. "$(dirname "$0")/../lib.sh"
"$LPATCH" target --need boot debian:6.1.0-53-cloud-amd64 >"$WORK/t.log" 2>&1 ||
	{ grep -q "Debian has no kernel" "$WORK/t.log" && skip "LOUDLY: apt has no 6.1.0-53-cloud-amd64"; cat "$WORK/t.log"; fail "cannot fetch 6.1.0-53-cloud-amd64"; }
LPATCH="$LPATCH" bash "$TOP/tests/corpus/run.sh" --sample "$WORK/c" | tee "$WORK/out"
r="$WORK/c/results.tsv"
[ "$(wc -l <"$r")" = 7 ] || fail "not 7 results"
res() { awk -F'\t' -v f="$1" '$1 == f {print $2}' "$r"; }
for f in kernel/sys.c kernel/workqueue.c; do
	[ "$(res $f)" = live ] || { cat "$WORK/c/logs/"*; fail "$f: $(res $f), not live"; }
done
grep -q "prctl_set_auxv,1" "$r" || fail "kernel/sys.c's fix did not patch prctl_set_auxv"
[ "$(res kernel/time/timer.c)" = no-change ] || fail "kernel/time/timer.c: $(res kernel/time/timer.c), not no-change"
[ "$(res fs/ocfs2/acl.c)" = refused ] || fail "fs/ocfs2/acl.c: $(res fs/ocfs2/acl.c), not refused"
grep -q "fs/ocfs2/acl.c is not built into" "$r" || fail "fs/ocfs2/acl.c refused for another reason"
# drivers/ata has modules (libata), but its Makefile builds ahci.o only with
# an option the cloud config leaves off: refused before compiling (it was a
# compile failure, "CONFIG_SATA_MOBILE_LPM_POLICY undeclared")
[ "$(res drivers/ata/ahci.c)" = refused ] || fail "drivers/ata/ahci.c: $(res drivers/ata/ahci.c), not refused"
grep -q "ahci.o only with CONFIG_SATA_AHCI" "$r" || fail "drivers/ata/ahci.c refused without naming CONFIG_SATA_AHCI"
# a .bpf.c is user space's BPF program (it failed in kbuild: "No rule to make target")
bpf=drivers/hid/bpf/progs/Huion__Inspiroy-Frego-M.bpf.c
[ "$(res $bpf)" = refused ] || fail "$bpf: $(res $bpf), not refused"
grep -q "is the source of a BPF program" "$r" || fail "$bpf refused for another reason"
# an export of a symbol namespace (efivar_query_variable_info, EFIVAR): the
# module imports it (modpost refused it: "does not import it"); efivarfs does
# not load without EFI firmware, so the patch loads but that part is untested
[ "$(res fs/efivarfs/super.c)" = untested ] || { cat "$WORK/c/logs/"*; fail "fs/efivarfs/super.c: $(res fs/efivarfs/super.c), not untested"; }
grep -q "efivarfs: the module does not load in this VM" "$r" || fail "fs/efivarfs/super.c untested for another reason"
exit 0
