# dist/lpatch.service, as `make install` writes it, passes systemd-analyze
# verify (its ExecStart is an executable lpatch, its man page is found), runs
# `lpatch load --all` as a oneshot that stays active, and is skipped by
# lpatch.disable=1. A unit pointing at a missing lpatch fails verify, so the
# check can fail. No VM: this is about the unit file.
. "$(dirname "$0")/../lib.sh"
command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (scripts/deps.sh --test)"

make -s -C "$TOP" install DESTDIR="$WORK/dest" PREFIX=/usr >"$WORK/make.log" 2>&1 ||
	{ cat "$WORK/make.log"; fail "make install failed"; }
unit="$WORK/dest/usr/lib/systemd/system/lpatch.service"
[ -f "$unit" ] || fail "make install did not install lpatch.service"
expect_contains "$unit" "ExecStart=/usr/bin/lpatch load --all"
expect_contains "$unit" "Type=oneshot"
expect_contains "$unit" "RemainAfterExit=yes"
expect_contains "$unit" "ConditionKernelCommandLine=!lpatch.disable=1"
expect_not_contains "$unit" "@BINDIR@"

# verify with the installed paths made real: lpatch and its man page
mkdir -p "$WORK/verify" "$WORK/man/man1"
sed "s|^\(Exec[A-Za-z]*\)=/usr/bin/lpatch|\1=$WORK/dest/usr/bin/lpatch|" "$unit" >"$WORK/verify/lpatch.service"
cp "$WORK/dest/usr/share/man/man1/lpatch.1" "$WORK/man/man1/"
MANPATH="$WORK/man" systemd-analyze verify "$WORK/verify/lpatch.service" >"$WORK/verify.log" 2>&1 ||
	{ cat "$WORK/verify.log"; fail "systemd-analyze verify rejected lpatch.service"; }
cat "$WORK/verify.log"

# the check can fail: a unit whose lpatch is missing
mkdir -p "$WORK/bad"
sed "s|^ExecStart=/usr/bin/lpatch|ExecStart=$WORK/missing/lpatch|" "$unit" >"$WORK/bad/lpatch.service"
MANPATH="$WORK/man" systemd-analyze verify "$WORK/bad/lpatch.service" >"$WORK/bad.log" 2>&1 &&
	fail "systemd-analyze verify accepted a unit with a missing lpatch"
expect_contains "$WORK/bad.log" "is not executable"

# lpatch-hook.socket and its service (installed process patches at process start)
hunit="$WORK/dest/usr/lib/systemd/system/lpatch-hook.service"
hsock="$WORK/dest/usr/lib/systemd/system/lpatch-hook.socket"
[ -f "$hunit" ] && [ -f "$hsock" ] || fail "make install did not install lpatch-hook.service and .socket"
expect_contains "$hunit" "ExecStart=/usr/lib/lpatch/lpatch-hook serve --root /var/lib/lpatch"
expect_contains "$hsock" "ListenStream=/var/lib/lpatch/user/hook.sock"
expect_not_contains "$hunit" "@LIBDIR@"
[ -x "$WORK/dest/usr/lib/lpatch/lpatch-hook" ] || fail "make install did not install lpatch-hook"
sed "s|^ExecStart=/usr/lib/lpatch/lpatch-hook|ExecStart=$WORK/dest/usr/lib/lpatch/lpatch-hook|" "$hunit" \
	>"$WORK/verify/lpatch-hook.service"
cp "$hsock" "$WORK/verify/"
MANPATH="$WORK/man" systemd-analyze verify "$WORK/verify/lpatch-hook.socket" \
	"$WORK/verify/lpatch-hook.service" >"$WORK/verify-hook.log" 2>&1 ||
	{ cat "$WORK/verify-hook.log"; fail "systemd-analyze verify rejected lpatch-hook.socket or .service"; }
cat "$WORK/verify-hook.log"
echo "systemd-analyze verify: ok"
exit 0
