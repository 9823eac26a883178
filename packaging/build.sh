#!/usr/bin/env bash
# Configures and builds Basin in Release (build/release), with ccache so rebuilds are quick.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# ccache: paths relative to the checkout, so another clone on this machine reuses the objects.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
[ -f build/release/build.ninja ] || cmake --preset release
cmake --build build/release -j "$(nproc)"
