#!/usr/bin/env bash
# lpatch-repo: the signed apt repository of a fleet's livepatches, kept with
# reprepro (docs/fleet.md). Channels are suites (canary, stable) of one
# repository; hosts pick theirs in /etc/apt/sources.list.d/lpatch.sources.
#
#   lpatch-repo init DIR KEYID [CHANNEL...]   create it (default channels: canary stable),
#                                             Release files signed with gpg key KEYID
#   lpatch-repo publish DIR CHANNEL PKG.deb... add packages (`lpatch package`) to a channel
#   lpatch-repo promote DIR PACKAGE [FROM [TO]] copy PACKAGE's version in FROM (canary)
#                                             to TO (stable), as it is
#   lpatch-repo withdraw DIR PACKAGE VERSION [WHY]  publish, in every channel that has
#                                             PACKAGE, version VERSION that unloads it
#   lpatch-repo key DIR FILE                  the public key, for hosts' Signed-By
#   lpatch-repo list DIR                      every channel's packages and versions
#
# gpg uses $GNUPGHOME; the key must sign without a passphrase prompt (a
# dedicated signing key, or gpg-agent with the passphrase preset).
set -euo pipefail
die() { echo "lpatch-repo: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: lpatch-repo init|publish|promote|withdraw|key|list DIR ... (see the script's header)"
cmd=$1 dir=$2; shift 2
rr() { reprepro --silent -b "$dir" "$@"; }
channels() { sed -n 's/^Codename: //p' "$dir/conf/distributions"; }
need_repo() { [ -f "$dir/conf/distributions" ] || die "$dir is no lpatch repository (lpatch-repo init $dir KEYID)"; }
case $cmd in
init)
	[ $# -ge 1 ] || die "init DIR KEYID [CHANNEL...]"
	key=$1; shift
	[ $# -gt 0 ] || set -- canary stable
	gpg --batch --list-secret-keys "$key" >/dev/null 2>&1 ||
		die "no secret key $key in ${GNUPGHOME:-~/.gnupg} (gpg --list-secret-keys)"
	mkdir -p "$dir/conf"
	: >"$dir/conf/distributions.new"
	for c in "$@"; do
		printf 'Origin: lpatch\nLabel: lpatch\nSuite: %s\nCodename: %s\nArchitectures: amd64\nComponents: main\nDescription: lpatch livepatches, channel %s\nSignWith: %s\n\n' \
			"$c" "$c" "$c" "$key" >>"$dir/conf/distributions.new"
	done
	mv "$dir/conf/distributions.new" "$dir/conf/distributions"
	rr export
	echo "lpatch-repo: $dir with channels $*, signed by $key"
	;;
publish)
	need_repo
	[ $# -ge 2 ] || die "publish DIR CHANNEL PKG.deb..."
	ch=$1; shift
	channels | grep -x "$ch" >/dev/null || die "no channel $ch in $dir (channels: $(channels | xargs))"
	for deb in "$@"; do
		rr includedeb "$ch" "$deb"
		echo "published $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version) in $ch"
	done
	;;
promote)
	need_repo
	[ $# -ge 1 ] || die "promote DIR PACKAGE [FROM [TO]]"
	pkg=$1 from=${2:-canary} to=${3:-stable}
	v=$(rr -T deb --list-format '${version}' list "$from" "$pkg")
	[ -n "$v" ] || die "no package $pkg in $from"
	rr copy "$to" "$from" "$pkg"
	echo "promoted $pkg $v from $from to $to"
	;;
withdraw)
	need_repo
	[ $# -ge 2 ] || die "withdraw DIR PACKAGE VERSION [WHY]"
	pkg=$1 ver=$2 why=${3:-withdrawn}
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	deb=$(lpatch package --withdraw --package "$pkg" --version "$ver" --description "$why" -o "$tmp")
	n=0
	for ch in $(channels); do
		[ -n "$(rr list "$ch" "$pkg")" ] || continue
		rr includedeb "$ch" "$deb"
		echo "withdrew $pkg in $ch (version $ver)"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || die "no channel of $dir has $pkg"
	;;
key)
	need_repo
	[ $# -ge 1 ] || die "key DIR FILE"
	key=$(sed -n 's/^SignWith: //p' "$dir/conf/distributions" | head -1)
	gpg --batch --export "$key" >"$1.new" && [ -s "$1.new" ] || die "cannot export key $key"
	mv "$1.new" "$1"
	;;
list)
	need_repo
	for ch in $(channels); do rr list "$ch" | sed "s/^/$ch: /"; done
	;;
*) die "unknown command $cmd" ;;
esac
