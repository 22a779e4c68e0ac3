# make check-layers: src/ as it is passes; a copy with a lower layer
# including a higher one, or calling libelf outside src/elf, or a folder
# outside the layer order, fails and names the file and line.
. "$(dirname "$0")/../lib.sh"
check="$TOP/scripts/check-layers.sh"

"$check" >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "check-layers refuses src/ as it is"; }

# planted: each must fail with its own message
plant() { # name: a fresh copy of src in $WORK/name/src
	rm -rf "${WORK:?}/$1"; mkdir -p "$WORK/$1"; cp -r "$TOP/src" "$WORK/$1/"
}
refused() { # name expected-text...: check-layers on $WORK/name/src exits 1 saying each text
	local name=$1; shift
	"$check" "$WORK/$name/src" >"$WORK/$name.out" 2>&1; st=$?
	[ $st -eq 1 ] || { cat "$WORK/$name.out"; fail "check-layers exited $st, not 1, on $name"; }
	for want in "$@"; do expect_contains "$WORK/$name.out" "$want"; done
}

plant up
sed -i '1a #include "kernel/build.h"' "$WORK/up/src/diff/diff.c"
refused up "$WORK/up/src/diff/diff.c:2: #include \"kernel/build.h\": diff may not include kernel" \
	"the layer order is broken"

plant relative	# the same include written relative to the file
sed -i '1a #include "../host/ops.h"' "$WORK/relative/src/elf/write.c"
refused relative "elf/write.c:2: #include \"../host/ops.h\": elf may not include host (it may include: util)"

plant sideways	# neither is below the other
sed -i '1a #include "user/session.h"' "$WORK/sideways/src/host/load.c"
refused sideways "host/load.c:2: #include \"user/session.h\": host may not include user"

plant libelf
printf 'static void peek(Elf *e) { (void)elf_getscn(e, 1); }\n' >>"$WORK/libelf/src/vm/accel.c"
refused libelf "vm/accel.c:" "calls libelf directly" "read ELF through src/elf/elf.h"

plant newdir
mkdir "$WORK/newdir/src/extra"; : >"$WORK/newdir/src/extra/a.c"
refused newdir "extra/a.c: folder 'extra' has no place in the layer order"

# allowed: cli includes anything, a layer includes a lower one and itself
plant fine
sed -i '1a #include "kernel/build.h"' "$WORK/fine/src/cli/info.c"
sed -i '1a #include "elf/elf.h"' "$WORK/fine/src/target/stamp.c"
"$check" "$WORK/fine/src" >"$WORK/fine.out" 2>&1 || { cat "$WORK/fine.out"; fail "check-layers refused allowed includes"; }
echo "PASS: src/ keeps its layers; planted violations are named by file and line"
