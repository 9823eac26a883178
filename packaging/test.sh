#!/usr/bin/env bash
# Installs what Basin needs, builds it, and runs every test with ctest under a virtual X server.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/install-deps.sh"
"$root/packaging/build.sh"
cd "$root/build/release"
# Tests that draw need an X server; xvfb-run gives one with Mesa's llvmpipe (OpenGL 4.5 core).
xvfb-run -a -s "-screen 0 1600x1200x24" ctest --output-on-failure --timeout 600 "$@"
