// libFuzzer harnesses for the array readers, one per format, chosen at compile time
// (BASIN_FUZZ_FORMAT: 1 .npy, 2 .npz, 3 IDX, 4 CSV). Whatever the bytes, a reader returns
// arrays that hold exactly what their shape says, or throws basin::Error; anything else (a
// crash, a sanitizer report, another exception, a leak of memory past libFuzzer's limit) is a bug.
#include <cstdint>
#include <cstdlib>

#include "arrays.h"
#include "basin/error.h"

using namespace basin::detail;

namespace {

void check(const RawArray& a) {
    if (a.bytes.size() != size_t(a.count()) * size_t(RawArray::elemSize(a.type))) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
#if BASIN_FUZZ_FORMAT == 1
        check(parseNpy("fuzz.npy", data, size));
#elif BASIN_FUZZ_FORMAT == 2
        for (const auto& [name, a] : parseNpz("fuzz.npz", data, size)) check(a);
#elif BASIN_FUZZ_FORMAT == 3
        check(parseIdx("fuzz-idx3-ubyte", data, size));
#elif BASIN_FUZZ_FORMAT == 4
        for (const auto& [name, a] : parseCsv("fuzz.csv", data, size)) check(a);
#else
#error "BASIN_FUZZ_FORMAT must be 1 to 4"
#endif
    } catch (const basin::Error&) {
    }
    return 0;
}
