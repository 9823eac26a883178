// libFuzzer harness for PyTorch zip containers: torch.save files and TorchScript data modules,
// read as readTensors reads a data file (checkPyTorchArchive first, then LibTorch), and the
// storage check loadModel makes on a model. The readers take a path, so the bytes go to a file.
// Whatever the bytes: tensors that lie inside their storages, or basin::Error.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "basin/error.h"
#include "torch_archive.h"
#include "torch_io.h"

namespace {

const std::string& scratchFile() {
    static const std::string path = [] {
        const char* dir = std::getenv("TMPDIR");
        return std::string(dir && *dir ? dir : "/tmp") + "/basin-fuzz-torch-" + std::to_string(::getpid()) + ".pt";
    }();
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = scratchFile();
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    } else {
        std::abort();
    }
    try {
        basin::detail::checkPyTorchArchive(path);
    } catch (const basin::Error&) {
    }
    try {
        for (const auto& [name, t] : basin::detail::readTensors(path))
            if (t.numel() > 0) (void)t.sum().item<double>();  // every element is read: ASan sees any overread
    } catch (const basin::Error&) {
    }
    return 0;
}
