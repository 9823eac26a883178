#!/usr/bin/env bash
# Builds Basin (Release) and its Debian package: build/release/package/basin_VERSION_amd64.deb.
# Install it on any Debian 12 machine with:  sudo apt install ./basin_VERSION_amd64.deb
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/install-deps.sh"
"$root/packaging/build.sh"
cd "$root/build/release"
cpack -G DEB > cpack.log || { cat cpack.log; exit 1; }
deb=$(ls -t package/basin_*_amd64.deb | head -1)
echo "package: $root/build/release/$deb ($(du -h "$deb" | cut -f1))"
echo "depends: $(dpkg-deb -f "$deb" Depends)"
