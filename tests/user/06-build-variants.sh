#!/usr/bin/env bash
# PIE and non-PIE, -fcf-protection=full (the jump goes after endbr64), and -O2
# builds where the patched function has a .cold part and calls an .isra clone.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"

variant() { # NAME CFLAGS LDFLAGS
	local name=$1 cflags="-O2 -g $2" ldflags=$3 make
	project clones CFLAGS="$cflags" LDFLAGS="$ldflags"
	mv "$SRC" "$WORK/$name"; SRC="$WORK/$name"
	nm "$SRC/clones" >"$WORK/$name.nm"
	grep -q " compute.cold$" "$WORK/$name.nm" || fail "$name: no compute.cold (the fixture must split)"
	grep -qE " weigh\..*isra" "$WORK/$name.nm" || fail "$name: no .isra clone of weigh"
	make="make CFLAGS='$cflags' LDFLAGS='$ldflags'"
	user_build "$WORK/$name.lpatch" "$SRC/clones" "$FIX/clones/compute.patch" --name "p-$name" \
		--make "$make"
	expect_contains "$WORK/$name.lpatch.log" "changed compute"

	start "$name" "$SRC/clones"
	wait_line "$WORK/$name.out" "^compute=1034$"
	lp_ok "$WORK/$name.log" "$name: apply" apply --pid "$PID" "$WORK/$name.lpatch"
	wait_line "$WORK/$name.out" "^compute=2034$"
	if [[ " $cflags " == *" -fcf-protection=full "* ]]; then
		# endbr64 stays first, the jump follows it
		"$LPATCH" ps --pid "$PID" --json >"$WORK/$name.ps.json" || fail "$name: ps failed"
		addr=$(json_get "$WORK/$name.ps.json" '.[0].patches[0].functions[0].old') || exit 1
		bytes=$(dd if="/proc/$PID/mem" bs=1 skip=$((addr)) count=5 iflag=skip_bytes 2>/dev/null |
			od -An -tx1 | tr -d ' \n')
		[ "$bytes" = "f30f1efae9" ] || fail "$name: entry bytes are $bytes, expected endbr64 then jmp"
	fi
	lp_ok "$WORK/$name.rlog" "$name: revert" revert --pid "$PID"
	wait_line "$WORK/$name.out" "^compute=1034$"
	alive "$PID"
	kill -9 "$PID"
	echo "$name: ok"
}

variant pie -fPIE -pie
variant nopie -fno-pie -no-pie
variant cet "-fPIE -fcf-protection=full" -pie
variant cet-nopie "-fno-pie -fcf-protection=full" -no-pie
echo "PASS: PIE, non-PIE and CET builds with .cold and .isra functions"
