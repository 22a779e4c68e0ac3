#!/usr/bin/env bash
# Install the Debian packages lpatch needs to build, run and test
# (--test: also what the tests use; --fuzz: also what `make fuzz` uses;
# --fleet: also what `make deb`, scripts/lpatch-repo.sh and `make fleet-test` use).
# As root it installs what is missing; otherwise it prints the exact apt-get line.
set -euo pipefail

pkgs=(build-essential pkg-config libelf-dev libdw-dev libunwind-dev zlib1g-dev libzydis-dev
      libcurl4-openssl-dev libjson-c-dev
      flex bison bc libssl-dev xz-utils cpio kmod rsync patch dwarves
      qemu-system-x86 busybox-static e2fsprogs mmdebstrap)
# the Secure Boot VM test (tests/vm/91): OVMF, openssl for test keys, virt-fw-vars' own needs
# tests/user/26 builds memcached (libevent), 26-27 run a python3 client, 39 builds
# serd with Meson and ninja; tests/vm/80 runs lintian on the packages `lpatch package` makes
[ "${1:-}" = "--test" ] && pkgs+=(systemd jq ovmf openssl python3-cryptography
				   python3-importlib-resources python3-pefile libevent-dev python3
				   meson ninja-build lintian)
# make fuzz (docs/fuzzing.md): clang with libFuzzer and the sanitizers' runtimes
[ "${1:-}" = "--fuzz" ] && pkgs+=(clang libclang-rt-dev)
# docs/fleet.md: packages, the apt repository, the Debian 12 guests
[ "${1:-}" = "--fleet" ] && pkgs+=(dpkg-dev lintian reprepro gnupg mmdebstrap qemu-utils openssh-client curl python3)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
done

# virt-fw-vars (python3-virt-firmware) writes MOKs into OVMF's variable store
# for `lpatch vm --mok`. Debian 12 lacks it; Debian 13's package (architecture
# all) installs on Debian 12. Fetched through a private apt configuration in
# lpatch's cache: the system's apt sources are never edited.
install_virt_firmware() {
	command -v virt-fw-vars >/dev/null && return 0
	[ "$(id -u)" -eq 0 ] || { echo "lpatch: as root, install python3-virt-firmware from Debian 13 (trixie)" >&2; return 1; }
	local cache=${LPATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lpatch}
	local d=$cache/apt/trixie-deps
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/debs"
	echo "deb http://deb.debian.org/debian trixie main" >"$d/sources.list"
	local apt=(-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		   -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" -o APT::Architecture=amd64)
	if ! ls "$d"/debs/python3-virt-firmware_*_all.deb >/dev/null 2>&1; then
		echo "lpatch: fetching python3-virt-firmware from Debian 13" >&2
		apt-get "${apt[@]}" update -qq &&
			(cd "$d/debs" && apt-get "${apt[@]}" download python3-virt-firmware 2>/dev/null) ||
			{ echo "lpatch: cannot fetch python3-virt-firmware" >&2; return 1; }
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 \
		"$(ls "$d"/debs/python3-virt-firmware_*_all.deb | tail -1)" >/dev/null
}

if [ ${#missing[@]} -eq 0 ]; then
	[ "${1:-}" = "--test" ] && install_virt_firmware
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "lpatch: these Debian packages are missing; as root, run:" >&2
	echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "lpatch: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when the package lists are empty or a package is unknown
if ! apt-cache show "${missing[0]}" >/dev/null 2>&1 || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
	apt-get update -qq
fi
apt-get install -y -qq "${missing[@]}" >/dev/null || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
[ "${1:-}" = "--test" ] && install_virt_firmware
exit 0
