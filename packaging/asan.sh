#!/usr/bin/env bash
# The engine, export and CLI tests under AddressSanitizer + UndefinedBehaviorSanitizer (gcc, preset
# asan, build/asan, no GUI), then the torch-container mutation fuzzer under the same sanitizers.
# Built at -O1 with UBSan's null, alignment, object-size and vptr checks left out: those four
# instrument every pointer use inside LibTorch's inline headers and made each engine file take 35 s
# instead of 17 s (ASan itself reports a null dereference). CI runs this after test.sh and fuzz.sh.
# LibTorch, Qt and VTK are Debian's, not built with ASan. The tests need no ASAN_OPTIONS at all
# (leak detection on, every default kept); the fuzzer suppresses one leak inside LibTorch's zip
# reader on damaged archives (tests/fuzz/lsan.supp). UBSan halts on its first report, so any
# report fails the test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/packaging/install-deps.sh"
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
[ -f build/asan/build.ninja ] || cmake --preset asan
cmake --build build/asan -j "$(nproc)"
ctest --preset asan --timeout 1200 -j "$(nproc)" "$@"
# The structure-aware fuzzer of torch.save/TorchScript containers, with ASan watching LibTorch's reads.
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --test-dir build/asan -R '^fuzz\.torch$' --output-on-failure
