#!/usr/bin/env bash
# Processes that map the target of an installed process patch but cannot be
# patched as they start are listed by `lpatch ps` with the reason: a static
# binary (no dynamic loader, no hook), a setuid program, one under a seccomp
# filter, one with MemoryDenyWriteExecute. Each starts and runs unpatched.
source "$(dirname "$0")/install-lib.sh"
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/user-lib.sh"
private_etc

project later
user_build "$WORK/v2.lpatch" "$SRC/later" "$SRC/version2.patch"
user_build "$WORK/v2s.lpatch" "$SRC/later-static" "$SRC/version2.patch" --name version2static
lp_ok "$WORK/install.log" "install --user" install --user "$WORK/v2.lpatch"
lp_ok "$WORK/install-s.log" "install --user (static)" install --user "$WORK/v2s.lpatch"

start static "$SRC/later-static" wait; static=$PID
start seccomp "$SRC/confine" seccomp "$SRC/later" wait; seccomp=$PID
# setuid root, run by nobody: the loader runs it with AT_SECURE
mkdir -p "$WORK/suid"
cp "$SRC/later" "$WORK/suid/later"
chown root:root "$WORK/suid/later" && chmod 4755 "$WORK/suid/later"
chmod 755 "$WORK" "$WORK/suid"
start suid setpriv --reuid=65534 --regid=65534 --clear-groups "$WORK/suid/later" wait; suid=$PID
# a patched one beside them
start fine "$SRC/later" wait; fine=$PID
for n in static seccomp suid; do wait_line "$WORK/$n.out" "first call: version 1"; done
wait_line "$WORK/fine.out" "first call: version 2"
# MemoryDenyWriteExecute (PR_SET_MDWE) needs Linux 6.3
mdwe=
"$SRC/confine" mdwe /bin/true 2>/dev/null && {
	start mdwe "$SRC/confine" mdwe "$SRC/later" wait; mdwe=$PID
	wait_line "$WORK/mdwe.out" "first call: version 1"
}

"$LPATCH" ps >"$WORK/ps.txt" || fail "ps failed"
"$LPATCH" ps --json >"$WORK/ps.json" || fail "ps --json failed"
cat "$WORK/ps.txt"
expect_contains "$WORK/ps.txt" "process $static (later-static) maps later-static but is not patched with version2static: static binary"
expect_contains "$WORK/ps.txt" "process $seccomp (later) maps later but is not patched with version2: seccomp filter"
expect_contains "$WORK/ps.txt" "process $suid (later) maps later but is not patched with version2: setuid"
reason() { jq -r ".[] | select(.pid == $1) | .unpatched[] | select(.name == \"$2\") | .reason" "$WORK/ps.json"; }
case $(reason "$static" version2static) in "static binary"*) ;; *) fail "static: $(reason "$static" version2static)" ;; esac
case $(reason "$seccomp" version2) in "seccomp filter"*) ;; *) fail "seccomp: $(reason "$seccomp" version2)" ;; esac
case $(reason "$suid" version2) in "setuid"*) ;; *) fail "setuid: $(reason "$suid" version2)" ;; esac
if [ -n "$mdwe" ]; then
	case $(reason "$mdwe" version2) in "MemoryDenyWriteExecute"*) ;; *) fail "mdwe: $(reason "$mdwe" version2)" ;; esac
else
	echo "note: PR_SET_MDWE is not supported by this kernel; that case was not run"
fi
# the patched one is not listed as unpatched, and has the patch
json_is "$WORK/ps.json" "[.[] | select(.pid == $fine) | .unpatched | length]" '[0]'
json_is "$WORK/ps.json" "[.[] | select(.pid == $fine) | .patches[].name]" '["version2"]'
for p in "$static" "$seccomp" "$suid" "$fine" $mdwe; do alive "$p"; done

lp_ok "$WORK/un1.log" "uninstall" uninstall --user version2
lp_ok "$WORK/un2.log" "uninstall" uninstall --user version2static
host_untouched
echo "PASS: ps lists the processes that could not be patched at start, with the reason"
