#!/usr/bin/env bash
# Fails, listing the files, when a tracked C++ file is not as clang-format-14 writes it with the
# project's .clang-format. Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format-14 -i
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
bad=()
for f in "${files[@]}"; do
  clang-format-14 --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -ne 0 ]; then
  echo "format-check: ${#bad[@]} of ${#files[@]} files are not clang-formatted: ${bad[*]}" >&2
  echo "format-check: fix with: git ls-files '*.cpp' '*.h' | xargs clang-format-14 -i" >&2
  exit 1
fi
echo "format-check: all ${#files[@]} C++ files are clang-formatted"
