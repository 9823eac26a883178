// libFuzzer harness for the JSON Basin reads from files: a study (parseStudy, then written back
// as basin-cli --cache and the GUI do) and a partial surface (surfaceFromJson, then written back
// as --resume does). Whatever the bytes: a value, or basin::Error; never a crash or a stack overflow.
#include <cstdint>
#include <string>

#include "basin/error.h"
#include "basin/study.h"
#include "basin/surface.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const basin::StudySpec s = basin::parseStudy(text, "/base", "fuzz.basin.json");
        (void)basin::studyToJson(s);
        basin::validateStudy(s);
    } catch (const basin::Error&) {
    }
    try {
        const basin::SurfaceGrid g = basin::surfaceFromJson(text, "fuzz.surface.json");
        (void)basin::surfaceJson(g);
        (void)basin::surfaceCsv(g);
    } catch (const basin::Error&) {
    }
    return 0;
}
