// Every data reader and the model loader: valid files load with the right shapes and values;
// truncated, wrong-format, wrong-dtype, mismatched and missing files give an error naming the file.
#include <QtTest/QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "arrays.h"
#include "basin/error.h"
#include "basin/objective.h"
#include "fixtures.h"

using namespace basin;
namespace fs = std::filesystem;

class TestReaders : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

    std::string truncatedCopy(const std::string& name, double keep) {
        const auto bytes = detail::readFileBytes(fx::path(name));
        const std::string out = tmp_.path().toStdString() + "/trunc_" + name;
        std::ofstream(out, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size() * keep));
        return out;
    }

    std::string writeText(const std::string& name, const std::string& text) {
        const std::string out = tmp_.path().toStdString() + "/" + name;
        std::ofstream(out) << text;
        return out;
    }

    static std::vector<float> floats(const detail::RawArray& a) {
        std::vector<float> v(size_t(a.count()));
        std::memcpy(v.data(), a.bytes.data(), a.bytes.size());
        return v;
    }

    // Loads `spec` and returns the inputs' first values through the objective's data summary.
    static DataSummary summary(const StudySpec& s) { return Objective::open(s).data(); }

private Q_SLOTS:
    void npyValues() {
        const auto a = detail::readNpy(fx::path("arr_f32.npy"));
        QCOMPARE(a.shape, (std::vector<int64_t>{4, 3, 2}));
        QVERIFY(a.type == detail::ElemType::Float32);
        const auto& A = fx::expected()["arrays"]["A"];
        const auto v = floats(a);
        for (size_t i = 0; i < v.size(); ++i) QCOMPARE(double(v[i]), A[i].get<double>());
    }

    void npzValues() {
        const auto arrays = detail::readNpz(fx::path("arr.npz"));  // savez_compressed: deflated entries
        const auto* images = detail::findArray(arrays, "images");
        const auto* labels = detail::findArray(arrays, "labels");
        QVERIFY(images && labels);
        QCOMPARE(images->shape, (std::vector<int64_t>{4, 3, 2}));
        QCOMPARE(floats(*images)[5], 1.25f);
        int64_t l[4];
        std::memcpy(l, labels->bytes.data(), sizeof l);
        QCOMPARE(l[2], int64_t(4));
    }

    void idxPlainAndGzipped() {
        for (const char* name : {"arr-images-idx3-ubyte", "arr-images-idx3-ubyte.gz"}) {
            const auto a = detail::readIdx(fx::path(name));
            QCOMPARE(a.shape, (std::vector<int64_t>{4, 3, 2}));
            QVERIFY(a.type == detail::ElemType::UInt8);
            QCOMPARE(int(a.bytes[23]), 23);  // A * 4 = 0..23
        }
    }

    void csvColumns() {
        const auto cols = detail::readCsv(fx::path("arr.csv"));
        QCOMPARE(cols.size(), size_t(3));
        QCOMPARE(cols[0].first, std::string("a"));
        QCOMPARE(cols[2].first, std::string("label"));
        double v[4];
        std::memcpy(v, cols[1].second.bytes.data(), sizeof v);
        QCOMPARE(v[1], 6.0 / 4 + 0.25);  // A[1,0,1] = 7/4
    }

    void everyFormatThroughTheObjective() {
        // The same 4 samples, 3 ways: the objective reports their count, shape and classes.
        struct Case {
            std::string inputs, targets;
            std::vector<int64_t> shape;
        };
        const std::vector<Case> cases = {{"arr.npz", "", {3, 2}},
                                         {"arr_dict.pt", "", {3, 2}},
                                         {"arr-images-idx3-ubyte.gz", "arr-labels-idx1-ubyte.gz", {3, 2}},
                                         {"arr_f32.npy", "arr_i64.npy", {3, 2}}};
        for (const auto& c : cases) {
            const auto d = summary(fx::spec("mlp.pt", c.inputs, Loss::CrossEntropy, c.targets));
            QCOMPARE(d.samples, int64_t(4));
            QCOMPARE(d.available, int64_t(4));
            QCOMPARE(d.input_shape, c.shape);
            QCOMPARE(d.classes, int64_t(5));  // labels 3, 1, 4, 1
        }
        // The TorchScript data module and the torch.save dict feed the MLP for real.
        for (const char* data : {"mlp_data.pt", "mlp_data_module.pt"}) {
            const auto d = summary(fx::spec("mlp.pt", data, Loss::CrossEntropy));
            QCOMPARE(d.samples, int64_t(64));
            QCOMPARE(d.input_shape, (std::vector<int64_t>{6}));
            QCOMPARE(d.classes, int64_t(3));
        }
    }

    void csvThroughTheObjective() {
        // A 2-input CSV feeding the 2-input model with its own loss.
        std::string text = "x1,x2,y\n";
        for (int i = 0; i < 10; ++i)
            text += std::to_string(0.1 * i) + "," + std::to_string(-0.2 * i) + "," + std::to_string(0.05 * i) + "\n";
        StudySpec s = fx::spec("withloss.pt", "", Loss::ModelMethod);
        s.data.inputs = writeText("reg.csv", text);
        const auto d = summary(s);
        QCOMPARE(d.samples, int64_t(10));
        QCOMPARE(d.input_shape, (std::vector<int64_t>{2}));
    }

    void truncatedFiles() {
        BASIN_EXPECT_ERROR(detail::readNpy(truncatedCopy("arr_f32.npy", 0.6)), "trunc_arr_f32.npy", "truncated");
        BASIN_EXPECT_ERROR(detail::readIdx(truncatedCopy("arr-images-idx3-ubyte", 0.5)), "trunc_arr-images-idx3-ubyte",
                           "truncated");
        BASIN_EXPECT_ERROR(detail::readIdx(truncatedCopy("arr-images-idx3-ubyte.gz", 0.5)),
                           "trunc_arr-images-idx3-ubyte.gz");
        BASIN_EXPECT_ERROR(detail::readNpz(truncatedCopy("arr.npz", 0.5)), "trunc_arr.npz");
        StudySpec s = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy);
        s.data.inputs = truncatedCopy("mlp_data.pt", 0.5);
        BASIN_EXPECT_ERROR(Objective::open(s), "trunc_mlp_data.pt");
    }

    void wrongFormat() {
        const auto junk = writeText("junk.npy", "this is not numpy");
        BASIN_EXPECT_ERROR(detail::readNpy(junk), "junk.npy", "not a NumPy");
        const auto junk_idx = writeText("junk-idx3-ubyte", "\x08\x08\x08\x08garbage");
        BASIN_EXPECT_ERROR(detail::readIdx(junk_idx), "junk-idx3-ubyte", "not an IDX");
        BASIN_EXPECT_ERROR(detail::readNpz(junk), "junk.npy", "not a NumPy .npz");
        StudySpec s = fx::spec("mlp.pt", "", Loss::CrossEntropy);
        s.data.inputs = writeText("data.xyz", "hello");
        BASIN_EXPECT_ERROR(Objective::open(s), "data.xyz", "unknown data format");
    }

    void wrongDtype() {
        BASIN_EXPECT_ERROR(detail::readNpy(fx::path("arr_complex.npy")), "arr_complex.npy", "unsupported NumPy dtype");
        // Real-valued targets with a classification loss.
        StudySpec s = fx::spec("withloss.pt", "withloss.npz", Loss::CrossEntropy);
        BASIN_EXPECT_ERROR(Objective::open(s), "withloss.npz", "not whole numbers");
    }

    void badCsv() {
        BASIN_EXPECT_ERROR(detail::readCsv(writeText("ragged.csv", "a,b\n1,2\n3\n")), "ragged.csv", "line 3");
        BASIN_EXPECT_ERROR(detail::readCsv(writeText("text.csv", "a,b\n1,cat\n")), "text.csv", "'cat' is not a number");
        BASIN_EXPECT_ERROR(detail::readCsv(writeText("nohead.csv", "1,2\n3,4\n")), "nohead.csv", "header");
    }

    void mismatchedCounts() {
        StudySpec s = fx::spec("mlp.pt", "arr_mismatch.npz", Loss::CrossEntropy);
        BASIN_EXPECT_ERROR(Objective::open(s), "arr_mismatch.npz", "3 targets", "4 inputs");
        StudySpec t = fx::spec("mlp.pt", "arr_f32.npy", Loss::CrossEntropy, "logreg_y.npy");
        BASIN_EXPECT_ERROR(Objective::open(t), "logreg_y.npy", "40 targets", "4 inputs");
    }

    void shapesThatDoNotMatchTheModel() {
        StudySpec s = fx::spec("mlp.pt", "linreg.npz", Loss::MSE);  // 5 features into a 6-input model
        BASIN_EXPECT_ERROR(Objective::open(s).evaluate(), "mlp.pt", "[16, 5]");
    }

    void missingFiles() {
        BASIN_EXPECT_ERROR(detail::readNpy("/nonexistent/a.npy"), "/nonexistent/a.npy", "not found");
        BASIN_EXPECT_ERROR(detail::readIdx("/nonexistent/b-idx1-ubyte"), "/nonexistent/b-idx1-ubyte", "not found");
        StudySpec s = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy);
        s.data.inputs = "/nonexistent/data.pt";
        BASIN_EXPECT_ERROR(Objective::open(s), "/nonexistent/data.pt", "not found");
        s = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy);
        s.model = "/nonexistent/model.pt";
        BASIN_EXPECT_ERROR(Objective::open(s), "/nonexistent/model.pt", "not found");
        BASIN_EXPECT_ERROR(loadStudy("/nonexistent/study.json"), "/nonexistent/study.json", "not found");
    }

    void badModels() {
        StudySpec s = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy);
        s.model = fx::path("state_dict.pt");
        BASIN_EXPECT_ERROR(Objective::open(s), "state_dict.pt", "torch.save file", "not TorchScript");
        s.model = fx::path("newer_pytorch.pt");
        BASIN_EXPECT_ERROR(Objective::open(s), "newer_pytorch.pt", "newer PyTorch", "version 99", torchVersion());
        s.model = writeText("text_model.pt", "definitely not a model");
        BASIN_EXPECT_ERROR(Objective::open(s), "text_model.pt", "not a TorchScript file");
        s.model = truncatedCopy("mlp.pt", 0.5);
        BASIN_EXPECT_ERROR(Objective::open(s), "trunc_mlp.pt");
    }

    void tooBigForMemory() {
        // A sparse 4 TiB file: no disk used, but far more than any free memory.
        const std::string big = tmp_.path().toStdString() + "/huge_model.pt";
        std::ofstream(big).put('P');
        std::filesystem::resize_file(big, uintmax_t(1) << 42);
        StudySpec s = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy);
        s.model = big;
        BASIN_EXPECT_ERROR(Objective::open(s), "huge_model.pt", "more than the", "free memory");
        s = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy);
        s.data.inputs = big;
        BASIN_EXPECT_ERROR(Objective::open(s), "huge_model.pt", "free memory");
    }

    void badStudies() {
        BASIN_EXPECT_ERROR(loadStudy(writeText("a.json", "{not json")), "a.json", "not valid JSON");
        BASIN_EXPECT_ERROR(loadStudy(writeText("b.json", "{\"format\": \"basin-study\", \"version\": 7}")), "b.json",
                           "version 7");
        BASIN_EXPECT_ERROR(
            loadStudy(writeText("c.json", "{\"format\": \"basin-study\", \"version\": 1, \"loss\": \"hinge\"}")),
            "c.json", "hinge");
        BASIN_EXPECT_ERROR(loadStudy(writeText("d.json", "[1,2]")), "d.json", "not a Basin study");
    }

    void studyRoundTripAndAtomicWrite() {
        StudySpec s = fx::spec("mlp.pt", "mlp_data.pt", Loss::NLL);
        s.samples = 32;
        s.seed = 77;
        const std::string file = tmp_.path().toStdString() + "/study.json";
        writeFileAtomically(file, studyToJson(s));
        const auto back = loadStudy(file);
        QCOMPARE(back.model, s.model);
        QCOMPARE(back.samples, int64_t(32));
        QCOMPARE(back.seed, uint64_t(77));
        QVERIFY(back.loss == Loss::NLL);
        QVERIFY(back.dtype == DType::Float64);
        // A write into a folder that does not exist fails and leaves nothing behind.
        BASIN_EXPECT_ERROR(writeFileAtomically(tmp_.path().toStdString() + "/no/such/dir/s.json", "{}"), "s.json");
        QCOMPARE(loadStudy(file).seed, uint64_t(77));  // the earlier file is intact
    }
};

QTEST_APPLESS_MAIN(TestReaders)
#include "test_readers.moc"
