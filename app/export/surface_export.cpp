#include "surface_export.h"

#include <hdf5.h>
#include <vtkDoubleArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkStructuredGrid.h>
#include <vtkUnsignedCharArray.h>
#include <vtkXMLStructuredGridWriter.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "basin/atomic_file.h"
#include "basin/error.h"
#include "basin/study.h"

namespace fs = std::filesystem;

namespace basin::exporting {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// HDF5 handles closed on scope exit.
struct H5Id {
    hid_t id;
    herr_t (*close)(hid_t);
    ~H5Id() {
        if (id >= 0) close(id);
    }
};

void writeDataset(hid_t file, const char* name, const std::vector<double>& data, const std::vector<hsize_t>& dims) {
    H5Id space{H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose};
    H5Id set{H5Dcreate2(file, name, H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
    if (set.id < 0 || H5Dwrite(set.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
        throw Error(std::string("HDF5: could not write dataset ") + name);
}

std::vector<double> readDataset(hid_t file, const std::string& path, const char* name, bool required) {
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
        if (required)
            throw Error(path, std::string("has no dataset '") + name + "' (not a loss-landscape surface file)");
        return {};
    }
    H5Id set{H5Dopen2(file, name, H5P_DEFAULT), H5Dclose};
    H5Id space{H5Dget_space(set.id), H5Sclose};
    const hssize_t n = H5Sget_simple_extent_npoints(space.id);
    std::vector<double> out(size_t(std::max<hssize_t>(n, 0)));
    if (n > 0 && H5Dread(set.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
        throw Error(path, std::string("dataset '") + name + "' cannot be read");
    return out;
}

}  // namespace

void writeVts(const std::string& path, const SurfaceGrid& g) {
    vtkNew<vtkStructuredGrid> grid;
    grid->SetDimensions(g.nx(), g.ny(), 1);
    vtkNew<vtkPoints> points;
    vtkNew<vtkDoubleArray> loss, acc;
    vtkNew<vtkUnsignedCharArray> done;
    loss->SetName("loss");
    acc->SetName("accuracy");
    done->SetName("computed");
    for (int j = 0; j < g.ny(); ++j)
        for (int i = 0; i < g.nx(); ++i) {
            const size_t k = size_t(j) * size_t(g.nx()) + size_t(i);
            const double z = g.done[k] ? g.loss[k] : std::nan("");
            points->InsertNextPoint(g.xs[size_t(i)], g.ys[size_t(j)], std::isfinite(z) ? z : 0.0);
            loss->InsertNextValue(z);
            acc->InsertNextValue(g.done[k] ? g.accuracy[k] : std::nan(""));
            done->InsertNextValue(g.done[k]);
        }
    grid->SetPoints(points);
    grid->GetPointData()->AddArray(loss);
    grid->GetPointData()->AddArray(acc);
    grid->GetPointData()->AddArray(done);
    if (g.curvature) {
        // A curvature map's point fields, NaN where not computed (or not asked for).
        const GridCurvature& c = *g.curvature;
        auto field = [&](const char* name, auto value) {
            vtkNew<vtkDoubleArray> a;
            a->SetName(name);
            for (size_t k = 0; k < g.loss.size(); ++k) a->InsertNextValue(g.done[k] ? value(k) : std::nan(""));
            grid->GetPointData()->AddArray(a);
        };
        field("lambda_max", [&](size_t k) { return c.lambda_max[k]; });
        field("lambda_min", [&](size_t k) { return c.lambda_min[k]; });
        field("trace", [&](size_t k) { return c.trace[k]; });
        field("ratio", [&](size_t k) { return c.ratio(k); });
    }
    grid->GetPointData()->SetActiveScalars("loss");
    AtomicFile out(path);
    vtkNew<vtkXMLStructuredGridWriter> writer;
    writer->SetFileName(out.tempPath().c_str());
    writer->SetInputData(grid);
    writer->SetDataModeToBinary();
    if (writer->Write() != 1) throw Error(path, "could not be written as a VTK structured grid");
    out.commit();
}

void writeLossLandscapeH5(const std::string& path, const SurfaceGrid& g) {
    AtomicFile out(path);
    {
        H5Id file{H5Fcreate(out.tempPath().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
        if (file.id < 0) throw Error(path, "cannot be created (folder missing or not writable)");
        std::vector<double> loss(g.loss.size()), acc(g.loss.size());
        for (size_t k = 0; k < g.loss.size(); ++k) {
            loss[k] = g.done[k] ? g.loss[k] : -1.0;  // Li et al. mark unfinished points with -1
            acc[k] = g.done[k] && g.accuracy[k] >= 0 ? 100.0 * g.accuracy[k] : -1.0;
        }
        const std::vector<hsize_t> dims =
            g.is2D() ? std::vector<hsize_t>{hsize_t(g.ny()), hsize_t(g.nx())} : std::vector<hsize_t>{hsize_t(g.nx())};
        writeDataset(file.id, "xcoordinates", g.xs, {hsize_t(g.nx())});
        if (g.is2D()) writeDataset(file.id, "ycoordinates", g.ys, {hsize_t(g.ny())});
        writeDataset(file.id, "train_loss", loss, dims);
        writeDataset(file.id, "train_acc", acc, dims);
        if (g.curvature) {
            // plot_hessian_eigen.py's datasets, with its marks for points not computed: max_eig -1,
            // min_eig 1 (their plot_2D.plot_2d_eig_ratio reads both and draws |min_eig / max_eig|).
            const GridCurvature& c = *g.curvature;
            std::vector<double> max_eig(g.loss.size()), min_eig(g.loss.size()), trace(g.loss.size());
            bool any_trace = false;
            for (size_t k = 0; k < g.loss.size(); ++k) {
                const bool ok = g.done[k] && std::isfinite(c.lambda_max[k]);
                max_eig[k] = ok ? c.lambda_max[k] : -1.0;
                min_eig[k] = ok && std::isfinite(c.lambda_min[k]) ? c.lambda_min[k] : 1.0;
                trace[k] = g.done[k] && std::isfinite(c.trace[k]) ? c.trace[k] : std::nan("");
                any_trace = any_trace || std::isfinite(trace[k]);
            }
            writeDataset(file.id, "max_eig", max_eig, dims);
            writeDataset(file.id, "min_eig", min_eig, dims);
            if (any_trace) writeDataset(file.id, "trace", trace, dims);
        }
    }
    out.commit();
}

SurfaceGrid readLossLandscapeH5(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path, "file not found");
    if (H5Fis_hdf5(path.c_str()) <= 0) throw Error(path, "is not an HDF5 file");
    H5E_auto2_t old_func = nullptr;
    void* old_data = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &old_func, &old_data);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become messages, not stderr noise
    SurfaceGrid g;
    try {
        H5Id file{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
        if (file.id < 0) throw Error(path, "cannot be opened as HDF5 (damaged or truncated?)");
        g.xs = readDataset(file.id, path, "xcoordinates", true);
        g.ys = readDataset(file.id, path, "ycoordinates", false);
        if (g.ys.empty()) g.ys = {0.0};
        const auto loss = readDataset(file.id, path, "train_loss", true);
        auto acc = readDataset(file.id, path, "train_acc", false);
        const size_t n = g.xs.size() * g.ys.size();
        if (loss.size() != n)
            throw Error(path, "train_loss has " + std::to_string(loss.size()) + " values for a " +
                                  std::to_string(g.xs.size()) + " x " + std::to_string(g.ys.size()) + " grid");
        if (acc.size() != n) acc.assign(n, -1.0);
        // The values are in x-fastest order whether the dataset is declared (ny, nx) or, as
        // Li et al.'s own writer declares it, (nx, ny).
        g.loss = loss;
        g.accuracy.resize(n);
        g.done.resize(n);
        for (size_t k = 0; k < n; ++k) {
            g.done[k] = loss[k] != -1.0 && std::isfinite(loss[k]);
            g.accuracy[k] = acc[k] >= 0 ? acc[k] / 100.0 : -1.0;
        }
        const auto max_eig = readDataset(file.id, path, "max_eig", false);
        if (max_eig.size() == n) {
            const auto min_eig = readDataset(file.id, path, "min_eig", false);
            const auto trace = readDataset(file.id, path, "trace", false);
            GridCurvature c;
            c.settings.lambda_min = min_eig.size() == n;
            const double nan = std::nan("");
            c.lambda_max.assign(n, nan);
            c.lambda_min.assign(n, nan);
            c.trace.assign(n, nan);
            c.trace_stderr.assign(n, nan);
            c.hvp.assign(n, 0);
            c.converged.assign(n, 0);
            c.warm.assign(n, 0);
            for (size_t k = 0; k < n; ++k) {
                const bool computed = max_eig[k] != -1.0 || (c.settings.lambda_min && min_eig[k] != 1.0);
                if (!computed) continue;
                c.lambda_max[k] = max_eig[k];
                if (c.settings.lambda_min) c.lambda_min[k] = min_eig[k];
                if (trace.size() == n) c.trace[k] = trace[k];
            }
            g.curvature = std::move(c);
        }
    } catch (...) {
        H5Eset_auto2(H5E_DEFAULT, old_func, old_data);
        throw;
    }
    H5Eset_auto2(H5E_DEFAULT, old_func, old_data);
    return g;
}

void checkSurfacePath(const std::string& path) {
    const std::string ext = lower(fs::path(path).extension().string());
    if (ext != ".vts" && ext != ".h5" && ext != ".hdf5" && ext != ".csv" && ext != ".json")
        throw Error(path, "unknown surface format '" + ext + "' (choose .vts, .h5, .csv or .json)");
    const auto dir = fs::absolute(path).parent_path();
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error(path, "cannot be written: the folder " + dir.string() + " does not exist");
}

void writeSurface(const std::string& path, const SurfaceGrid& g) {
    const std::string ext = lower(fs::path(path).extension().string());
    if (ext == ".vts") writeVts(path, g);
    else if (ext == ".h5" || ext == ".hdf5") writeLossLandscapeH5(path, g);
    else if (ext == ".csv") writeFileAtomically(path, surfaceCsv(g));
    else if (ext == ".json") writeFileAtomically(path, surfaceJson(g));
    else throw Error(path, "unknown surface format '" + ext + "' (choose .vts, .h5, .csv or .json)");
}

}  // namespace basin::exporting
