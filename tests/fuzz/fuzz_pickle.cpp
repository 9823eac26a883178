// libFuzzer harness for checkPickleStream, the walk over a pickle's opcodes that decides whether
// LibTorch's unpickler may run it. Whatever the bytes: it returns or throws basin::Error.
#include <cstdint>

#include "basin/error.h"
#include "torch_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        basin::detail::checkPickleStream("fuzz.pkl", data, size);
    } catch (const basin::Error&) {
    }
    return 0;
}
