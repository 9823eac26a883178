#!/usr/bin/env bash
# Installs what Basin needs, builds it, and opens the Basin window on the demo study.
#   ./packaging/demo.sh                      open the window (needs a display)
#   ./packaging/demo.sh --screenshot out.png run the demo's default analyses unattended, save a
#                                            screenshot of the main window, exit 0 (no display needed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/install-deps.sh"
"$root/packaging/build.sh"
basin="$root/build/release/app/gui/basin"
study="$root/resources/demo/demo.basin.json"
if [ "${1:-}" = "--screenshot" ]; then
  [ -n "${2:-}" ] || { echo "demo.sh: --screenshot needs a file name" >&2; exit 2; }
  out=$(realpath -m "$2")
  if [ -z "${DISPLAY:-}" ]; then
    exec xvfb-run -a -s "-screen 0 1600x1200x24" "$basin" "$study" --screenshot "$out"
  fi
  exec "$basin" "$study" --screenshot "$out"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo.sh: no display; run './packaging/demo.sh --screenshot demo.png' to run the demo without one" >&2
  exit 1
fi
exec "$basin" "$study" "$@"
