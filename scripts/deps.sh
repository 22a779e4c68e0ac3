#!/usr/bin/env bash
# Install the Debian packages lpatch needs to build, run and test
# (--test: also what the tests use; --fuzz: also what `make fuzz` uses;
# --fleet: also what `make deb`, scripts/lpatch-repo.sh and `make fleet-test` use).
# As root it installs what is missing; otherwise it prints the exact apt-get line.
set -euo pipefail

pkgs=(build-essential pkg-config libelf-dev libdw-dev libunwind-dev zlib1g-dev libzydis-dev
      flex bison bc libssl-dev xz-utils cpio kmod rsync patch dwarves
      qemu-system-x86 busybox-static e2fsprogs)
[ "${1:-}" = "--test" ] && pkgs+=(systemd jq)
# make fuzz (docs/fuzzing.md): clang with libFuzzer and the sanitizers' runtimes
[ "${1:-}" = "--fuzz" ] && pkgs+=(clang libclang-rt-dev)
# docs/fleet.md: packages, the apt repository, the Debian 12 guests
[ "${1:-}" = "--fleet" ] && pkgs+=(dpkg-dev lintian reprepro gnupg mmdebstrap qemu-utils openssh-client curl python3)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

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
