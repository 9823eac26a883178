#!/usr/bin/env bash
# The engine, export and CLI tests under AddressSanitizer + UndefinedBehaviorSanitizer (gcc, preset
# asan, build/asan, no GUI), then the torch-container mutation fuzzer under the same sanitizers.
# LibTorch, Qt and VTK are Debian's, not built with ASan; what that needs (CMakePresets.json):
#   detect_leaks=0          LibTorch and Qt keep one-off allocations until exit (not ours to report)
#   protect_shadow_gap=0    LibTorch's allocator maps memory where ASan would reserve its gap
#   detect_odr_violation=0  Debian's libraries and ours both carry some inline globals
#   alloc_dealloc_mismatch=0  LibTorch frees with free() some memory new'd in its headers
# UBSan halts on the first error (-fno-sanitize-recover=undefined), so any report fails the test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/packaging/install-deps.sh"
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
[ -f build/asan/build.ninja ] || cmake --preset asan
cmake --build build/asan -j "$(nproc)"
ctest --preset asan --timeout 1200 "$@"
# The structure-aware fuzzer of torch.save/TorchScript containers, with ASan watching LibTorch's reads.
ASAN_OPTIONS=detect_leaks=0:protect_shadow_gap=0:detect_odr_violation=0:alloc_dealloc_mismatch=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan -R '^fuzz\.torch$' --output-on-failure
