#!/usr/bin/env bash
# debsrc.sh PACKAGE VERSION: print the directory of Debian 12's source package
# PACKAGE=VERSION, unpacked and pristine. `apt-get source` runs through a private
# apt configuration with a deb-src line (its lists, cache and the unpacked trees
# under ${LPATCH_CACHE:-~/.cache/lpatch}/debsrc/), so the system's apt is left alone
# and a second run (CI) finds the tree without fetching. The tree is read-only to
# its users: tests copy it before building. Exit 77 when the source cannot be had.
set -euo pipefail
pkg=$1 ver=$2
root=${LPATCH_CACHE:-$HOME/.cache/lpatch}/debsrc
apt=$root/apt
tree=$root/${pkg}_${ver//:/_}
[ -f "$tree/.lpatch-unpacked" ] && { echo "$tree/src"; exit 0; }
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc/apt.conf.d" \
	"$apt/etc/preferences.d" "$apt/none"
cat >"$apt/sources.list" <<LIST
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
LIST
opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none"
	-o "Dir::Etc::Parts=$apt/etc/apt.conf.d" -o "Dir::Etc::PreferencesParts=$apt/etc/preferences.d"
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Acquire::Languages=none"
	-o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
exec 9>"$root/.lock"
flock 9
[ -f "$tree/.lpatch-unpacked" ] && { echo "$tree/src"; exit 0; }
if [ ! -f "$apt/.updated" ] || ! apt-get "${opts[@]}" -qq --print-uris source "$pkg=$ver" >/dev/null 2>&1; then
	apt-get "${opts[@]}" -qq update >"$root/update.log" 2>&1 ||
		{ cat "$root/update.log" >&2; echo "SKIP: apt-get update of the deb-src lists failed" >&2; exit 77; }
	touch "$apt/.updated"
fi
rm -rf "$tree.tmp"; mkdir -p "$tree.tmp"
(cd "$tree.tmp" && apt-get "${opts[@]}" -qq source "$pkg=$ver") >"$root/$pkg.log" 2>&1 ||
	{ cat "$root/$pkg.log" >&2; echo "SKIP: apt-get source $pkg=$ver failed" >&2; rm -rf "$tree.tmp"; exit 77; }
d=$(find "$tree.tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$d" ] || { echo "SKIP: apt-get source $pkg=$ver unpacked nothing" >&2; exit 77; }
mv "$d" "$tree.tmp/src"
touch "$tree.tmp/.lpatch-unpacked"
rm -rf "$tree"; mv "$tree.tmp" "$tree"
echo "$tree/src"
