#!/usr/bin/env bash
# Fuzzes the readers of files from strangers (.npy, .npz, IDX, CSV, study and surface JSON, the
# pickles inside PyTorch archives) with clang's libFuzzer, AddressSanitizer and UBSan, each for a
# few seconds (about 40 s in all): build/fuzz, preset fuzz. A crash is saved as
# build/fuzz/crashes/<target>-crash-<sha1>; once fixed, move it into tests/fuzz/regressions/<target>/.
# Longer runs: build/fuzz/tests/fuzz/fuzz_npz -max_total_time=600 tests/fuzz/corpus/npz
# (torch.save and TorchScript containers are fuzzed by mutate_torch under the asan build: asan.sh.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/packaging/install-deps.sh"
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
[ -f build/fuzz/build.ninja ] || cmake --preset fuzz
cmake --build build/fuzz -j "$(nproc)"
ctest --preset fuzz "$@"
