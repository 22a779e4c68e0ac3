# Debian 13 (trixie, 6.12) targets: both flavours resolve through lpatch's
# private apt configuration (not /etc/apt) and boot in the VM; the generic
# flavour's modules (/usr/lib/modules in trixie's packages, .ko.xz) load
# with modprobe. Needs only the images (35 + 110 MB, downloaded once).
. "$(dirname "$0")/../lib.sh"
CLOUD=${LPATCH_TEST_TRIXIE:-debian13:cloud}
GENERIC=${LPATCH_TEST_TRIXIE_GENERIC:-debian13:amd64}
CACHE=${LPATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lpatch}

before=$(ls -l --time-style=full-iso /etc/apt /etc/apt/sources.list.d 2>/dev/null | md5sum)
for spec in "$CLOUD" "$GENERIC"; do
	"$LPATCH" target --json --need boot "$spec" >"$WORK/target.json" 2>"$WORK/target.err" ||
		{ cat "$WORK/target.err"; fail "lpatch target --need boot $spec failed"; }
	rel=$(target_field release) || exit 1
	case $rel in
	6.12.*+deb13-*) ;;
	*) fail "$spec resolved to $rel, not a Debian 13 6.12 release" ;;
	esac
	[ "$spec" = "$GENERIC" ] && case $rel in *-cloud-*) fail "$spec resolved to the cloud $rel";; esac
	modules=$(target_field modules) || exit 1
	[ -f "$modules/modules.dep" ] || fail "$spec: no modules.dep in $modules"
	cat >"$WORK/inside.sh" <<'G'
uname -r
modprobe xfs || echo "modprobe xfs failed"
grep '^xfs ' /proc/modules | cut -d' ' -f1 | sed 's/^/module=/'
grep -q '^livepatch ' /proc/modules && echo "livepatch is a module?"
[ -d /sys/kernel/livepatch ] && echo "livepatch=yes"
G
	"$LPATCH" vm --target "$spec" --copy "$WORK/inside.sh" -- sh inside.sh >"$WORK/out" 2>"$WORK/err" ||
		{ cat "$WORK/out" "$WORK/err"; fail "lpatch vm --target $spec failed"; }
	cat "$WORK/out"
	expect_contains "$WORK/out" "$rel"
	expect_not_contains "$WORK/out" "modprobe xfs failed"
	expect_contains "$WORK/out" "module=xfs"
	expect_contains "$WORK/out" "livepatch=yes"
done
# resolved through lpatch's own lists, which name trixie and nothing of the host
grep -q ' trixie-security main' "$CACHE/apt/trixie/sources.list" ||
	fail "no trixie-security in lpatch's $CACHE/apt/trixie/sources.list"
ls "$CACHE/apt/trixie/lists/" | has 'trixie_main.*Packages' ||
	fail "lpatch's trixie lists are not in $CACHE/apt/trixie/lists"
after=$(ls -l --time-style=full-iso /etc/apt /etc/apt/sources.list.d 2>/dev/null | md5sum)
[ "$before" = "$after" ] || fail "/etc/apt changed"
echo "ok: $CLOUD and $GENERIC boot"
