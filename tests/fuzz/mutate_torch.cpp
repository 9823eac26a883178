// A structure-aware mutation fuzzer for PyTorch zip containers, driving the harness of
// fuzz_torch.cpp (LibTorch cannot go into a clang libFuzzer binary here: see CMakeLists.txt).
//   mutate_torch [--seconds N] [--runs N] [--seed S] [--crashes DIR] SEED_FILE_OR_FOLDER...
// With --seed and --runs the inputs are the same on every machine (ctest fuzz.torch runs so, as a
// check a failure of which anyone can rerun); without --seed each run explores new ones.
// Most mutations change a record inside the archive (the pickle above all: its integers, which
// are sizes, offsets, strides and element counts) and write the zip again with correct CRCs, so
// they get past the zip layer into the unpickler and Basin's checks; some damage the zip itself.
// Before each run the input is saved as DIR/last-input.pt, so a crash leaves it behind; an
// exception other than basin::Error is saved as DIR/exception-N.pt. Exit 0 when nothing broke.
#include <zip.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;
struct Record {
    std::string name;
    Bytes data;
};
using Archive = std::vector<Record>;

Bytes readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool unzip(const Bytes& file, Archive& out) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(file.data(), file.size(), 0, &err);
    zip_t* z = src ? zip_open_from_source(src, ZIP_RDONLY, &err) : nullptr;
    zip_error_fini(&err);
    if (!z) {
        if (src) zip_source_free(src);
        return false;
    }
    for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
        zip_stat_t st;
        zip_file_t* f =
            zip_stat_index(z, zip_uint64_t(i), 0, &st) == 0 ? zip_fopen_index(z, zip_uint64_t(i), 0) : nullptr;
        if (!f) continue;
        Record r{st.name, Bytes(size_t(st.size))};
        const bool ok = zip_fread(f, r.data.data(), st.size) == zip_int64_t(st.size);
        zip_fclose(f);
        if (ok) out.push_back(std::move(r));
    }
    zip_discard(z);
    return !out.empty();
}

// The archive as a stored (uncompressed) zip, as PyTorch writes them.
Bytes zipUp(const Archive& a, const fs::path& scratch) {
    int code = 0;
    zip_t* z = zip_open(scratch.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!z) return {};
    for (const auto& r : a) {
        zip_source_t* s = zip_source_buffer(z, r.data.data(), r.data.size(), 0);
        const zip_int64_t i = s ? zip_file_add(z, r.name.c_str(), s, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) : -1;
        if (i < 0) {
            if (s) zip_source_free(s);
            continue;
        }
        zip_set_file_compression(z, zip_uint64_t(i), ZIP_CM_STORE, 0);
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        return {};
    }
    return readAll(scratch);
}

class Mutator {
public:
    explicit Mutator(uint64_t seed) : rng_(seed) {}

    size_t below(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

    // Byte-level damage: flips, overwrites, inserts, deletes, truncation.
    void bytes(Bytes& b) {
        const int ops = 1 + int(below(4));
        for (int k = 0; k < ops; ++k) {
            const size_t at = below(b.size() + 1);
            switch (below(6)) {
                case 0:
                    if (at < b.size()) b[at] ^= uint8_t(1u << below(8));
                    break;
                case 1:
                    if (at < b.size()) b[at] = kInteresting[below(sizeof kInteresting)];
                    break;
                case 2:
                    b.insert(b.begin() + std::ptrdiff_t(at), 1 + below(8), uint8_t(below(256)));
                    break;
                case 3:
                    if (at < b.size())
                        b.erase(b.begin() + std::ptrdiff_t(at),
                                b.begin() + std::ptrdiff_t(std::min(b.size(), at + 1 + below(8))));
                    break;
                case 4:
                    b.resize(at);
                    break;
                default:
                    if (at < b.size()) b[at] = uint8_t(below(256));
            }
        }
    }

    // A pickle's integers (BININT1 'K', BININT2 'M', BININT 'J') set to edge values: they are the
    // element counts, sizes, strides and offsets the checks must hold against the records.
    void pickleIntegers(Bytes& b) {
        std::vector<size_t> at;
        for (size_t i = 0; i + 1 < b.size(); ++i)
            if (b[i] == 'K' || b[i] == 'M' || b[i] == 'J') at.push_back(i);
        if (at.empty()) return bytes(b);
        const int ops = 1 + int(below(3));
        for (int k = 0; k < ops; ++k) {
            const size_t i = at[below(at.size())];
            const size_t width = b[i] == 'K' ? 1 : b[i] == 'M' ? 2 : 4;
            if (i + width >= b.size()) continue;
            static const int64_t values[] = {0, 1, 2, -1, 7, 100, 127, 255, 256, 65535, 1 << 20, INT32_MAX, INT32_MIN};
            const int64_t v = chance(0.5) ? values[below(std::size(values))] : int64_t(below(1u << 20));
            for (size_t w = 0; w < width; ++w) b[i + 1 + w] = uint8_t(uint64_t(v) >> (8 * w));
        }
    }

    void archive(Archive& a) {
        // TorchScript code (and its debug ranges) is mutated rarely: LibTorch's compiler is not
        // Basin's, and only a few of its failures can be headed off by a check before loading.
        size_t r = below(a.size());
        for (int tries = 0; tries < 4 && isCode(a[r].name) && !chance(0.05); ++tries) r = below(a.size());
        switch (below(10)) {
            case 0:
            case 1:
            case 2:
            case 3: {  // the pickle's integers
                size_t p = r;
                for (size_t i = 0; i < a.size(); ++i)
                    if (a[i].name.ends_with("data.pkl") || (a[i].name.ends_with(".pkl") && chance(0.3))) p = i;
                pickleIntegers(a[p].data);
                break;
            }
            case 4:
            case 5:  // bytes of any record, the pickle's opcodes included
                bytes(a[r].data);
                break;
            case 6:  // a weight record cut short or grown
                a[r].data.resize(chance(0.7) ? below(a[r].data.size() + 1) : a[r].data.size() + 1 + below(64));
                break;
            case 7:  // a record dropped, or one copied under another record's name
                if (chance(0.5) && a.size() > 1) a.erase(a.begin() + std::ptrdiff_t(r));
                else a.push_back({a[below(a.size())].name, a[r].data});
                break;
            case 8:  // the format version
                for (auto& rec : a)
                    if (rec.name.ends_with("/version")) {
                        static const char* versions[] = {"0\n",  "1\n", "3\n", "10\n", "99999999999999999999\n",
                                                         "-1\n", "x"};
                        const std::string v = versions[below(std::size(versions))];
                        rec.data.assign(v.begin(), v.end());
                    }
                break;
            default: {  // two records' contents swapped
                const size_t o = below(a.size());
                if (!isCode(a[o].name) || chance(0.05)) std::swap(a[r].data, a[o].data);
            }
        }
    }

private:
    static bool isCode(const std::string& name) { return name.find("/code/") != std::string::npos; }
    static constexpr unsigned char kInteresting[] = {0, 1, 0x7f, 0x80, 0xff, 'K', 'M', 'J', '(', 't', 'R', 'b', '.'};
    std::mt19937_64 rng_;
};

}  // namespace

int main(int argc, char** argv) {
    double seconds = 20;
    int64_t runs = -1;  // mutants to run; -1: as many as the seconds allow
    // A new seed each run (printed first, and the failing input is saved either way).
    uint64_t seed = uint64_t(std::chrono::system_clock::now().time_since_epoch().count());
    fs::path crashes = fs::temp_directory_path();
    std::vector<Bytes> files;
    std::vector<Archive> seeds;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
        else if (arg == "--seed" && i + 1 < argc) seed = std::stoull(argv[++i]);
        else if (arg == "--runs" && i + 1 < argc) runs = std::stoll(argv[++i]);
        else if (arg == "--crashes" && i + 1 < argc) crashes = argv[++i];
        else if (fs::is_directory(arg)) {
            std::vector<fs::path> in;  // in name order: the same seed makes the same inputs anywhere
            for (const auto& e : fs::directory_iterator(arg))
                if (e.is_regular_file()) in.push_back(e.path());
            std::sort(in.begin(), in.end());
            for (const auto& p : in) files.push_back(readAll(p));
        } else if (fs::is_regular_file(arg)) {
            files.push_back(readAll(arg));
        }
    }
    for (const auto& f : files) {
        Archive a;
        if (unzip(f, a)) seeds.push_back(std::move(a));
    }
    if (seeds.empty()) {
        std::fprintf(stderr, "mutate_torch: no seed archive given\n");
        return 2;
    }
    fs::create_directories(crashes);
    const fs::path last = crashes / "last-input.pt";
    const fs::path scratch = crashes / ("scratch-" + std::to_string(seed) + ".zip");
    Mutator m(seed);
    // The seed first: a sanitizer that aborts the process leaves only what was printed before.
    if (runs >= 0)
        std::printf("mutate_torch: seed %llu, %lld mutants, inputs saved to %s\n", (unsigned long long)seed,
                    (long long)runs, last.c_str());
    else
        std::printf("mutate_torch: seed %llu, %.0f s, inputs saved to %s\n", (unsigned long long)seed, seconds,
                    last.c_str());
    std::fflush(stdout);
    // Every seed once as it is, then mutants until the time is up.
    auto run = [&](const Bytes& input, int64_t n) {
        std::ofstream(last, std::ios::binary)
            .write(reinterpret_cast<const char*>(input.data()), std::streamsize(input.size()));
        try {
            LLVMFuzzerTestOneInput(input.data(), input.size());
        } catch (const std::exception& e) {
            const fs::path saved = crashes / ("exception-" + std::to_string(n) + ".pt");
            fs::copy_file(last, saved, fs::copy_options::overwrite_existing);
            std::fprintf(stderr, "mutate_torch: input %lld threw %s (saved as %s)\n", (long long)n, e.what(),
                         saved.c_str());
            return false;
        }
        return true;
    };
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    int64_t n = 0;
    bool ok = true;
    for (const auto& f : files) ok &= run(f, n++);
    const int64_t first_mutant = n;
    while (ok && (runs >= 0 ? n - first_mutant < runs : elapsed() < seconds)) {
        Archive a = seeds[m.below(seeds.size())];
        m.archive(a);
        if (m.chance(0.3)) m.archive(a);
        Bytes input = zipUp(a, scratch);
        if (m.chance(0.1)) m.bytes(input);  // damage below the zip layer too
        ok = run(input, n++);
    }
    fs::remove(scratch);
    if (ok) fs::remove(last);
    std::printf("mutate_torch: %lld inputs in %.1f s (%.0f exec/s), seed %llu, %s\n", (long long)n, elapsed(),
                double(n) / elapsed(), (unsigned long long)seed, ok ? "no failure" : "FAILED");
    std::fflush(stdout);  // before LeakSanitizer's report at exit
    return ok ? 0 : 1;
}
