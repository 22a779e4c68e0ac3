#!/usr/bin/env bash
# Run every lpatch test (unit, VM, process) on a Debian 12 machine.
# Installs missing Debian packages first (as root), builds, runs tests/run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test
make -s -j"$(nproc)" lpatch unit-tests
exec tests/run "$@"
