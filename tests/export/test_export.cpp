// Surface exports read back by the tools they are for: VTK's own reader for .vts, HDF5 for Li et
// al.'s layout (and h5py the way their plot_2D.py reads it), JSON and CSV round trips.
#include <QtTest/QtTest>

#include <hdf5.h>
#include <vtkDataArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkStructuredGrid.h>
#include <vtkXMLStructuredGridReader.h>
#include <QProcess>

#include <cmath>
#include <fstream>
#include <sstream>

#include "basin/error.h"
#include "basin/surface.h"
#include "surface_export.h"

using namespace basin;

namespace {

// A non-square grid with values that identify their point: loss = 10 * i + j + 0.5.
SurfaceGrid knownGrid(bool partial = false) {
    SurfaceOptions o;
    o.nx = 5;
    o.ny = 3;
    o.x0 = -1;
    o.x1 = 1;
    o.y0 = 0;
    o.y1 = 2;
    auto g = makeGrid(o);
    for (int j = 0; j < g.ny(); ++j)
        for (int i = 0; i < g.nx(); ++i) {
            const size_t k = size_t(j * g.nx() + i);
            if (partial && k % 2) continue;
            g.loss[k] = 10.0 * i + j + 0.5;
            g.accuracy[k] = 0.01 * (i + j);
            g.done[k] = 1;
        }
    g.x_label = "dx";
    g.y_label = "dy";
    return g;
}

// The known grid as a curvature map: lambda_max = i + 1 + 0.1 j, lambda_min = -(i + 1) / 4, trace = 10 j.
SurfaceGrid knownMap(bool partial = false) {
    SurfaceGrid g = knownGrid(partial);
    GridCurvature c;
    const size_t n = g.loss.size();
    c.lambda_max.assign(n, std::nan(""));
    c.lambda_min.assign(n, std::nan(""));
    c.trace.assign(n, std::nan(""));
    c.trace_stderr.assign(n, std::nan(""));
    c.hvp.assign(n, 0);
    c.converged.assign(n, 0);
    c.warm.assign(n, 0);
    for (size_t k = 0; k < n; ++k) {
        if (!g.done[k]) continue;
        const int i = int(k % 5), j = int(k / 5);
        c.lambda_max[k] = i + 1 + 0.1 * j;
        c.lambda_min[k] = -(i + 1) / 4.0;
        c.trace[k] = 10.0 * j;
        c.trace_stderr[k] = 0.5;
        c.hvp[k] = 20 + i;
        c.converged[k] = 1;
    }
    g.curvature = c;
    return g;
}

}  // namespace

class TestExport : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    std::string file(const char* name) { return tmp_.filePath(name).toStdString(); }

private Q_SLOTS:
    void vtsReadsBackWithVtk() {
        const auto g = knownGrid();
        exporting::writeVts(file("s.vts"), g);
        vtkNew<vtkXMLStructuredGridReader> reader;
        reader->SetFileName(file("s.vts").c_str());
        reader->Update();
        vtkStructuredGrid* out = reader->GetOutput();
        int dims[3];
        out->GetDimensions(dims);
        QCOMPARE(dims[0], 5);
        QCOMPARE(dims[1], 3);
        vtkDataArray* loss = out->GetPointData()->GetArray("loss");
        QVERIFY(loss);
        for (int j = 0; j < 3; ++j)
            for (int i = 0; i < 5; ++i) {
                const vtkIdType id = j * 5 + i;
                QCOMPARE(loss->GetTuple1(id), 10.0 * i + j + 0.5);
                double p[3];
                out->GetPoint(id, p);
                QCOMPARE(p[0], g.xs[size_t(i)]);
                QCOMPARE(p[1], g.ys[size_t(j)]);
                QCOMPARE(p[2], 10.0 * i + j + 0.5);
            }
        QCOMPARE(out->GetPointData()->GetArray("accuracy")->GetTuple1(7), 0.01 * (2 + 1));
    }

    void h5HasTheLossLandscapeLayout() {
        const auto g = knownGrid();
        exporting::writeLossLandscapeH5(file("s.h5"), g);
        hid_t f = H5Fopen(file("s.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        QVERIFY(f >= 0);
        hid_t d = H5Dopen2(f, "train_loss", H5P_DEFAULT);
        hid_t s = H5Dget_space(d);
        hsize_t dims[2];
        QCOMPARE(H5Sget_simple_extent_ndims(s), 2);
        H5Sget_simple_extent_dims(s, dims, nullptr);
        QCOMPARE(dims[0], hsize_t(3));  // ny rows ...
        QCOMPARE(dims[1], hsize_t(5));  // ... of nx values: x varies along the last axis
        double v[15];
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
        QCOMPARE(v[1 * 5 + 4], 10.0 * 4 + 1 + 0.5);  // row y_1, column x_4
        H5Sclose(s);
        H5Dclose(d);
        H5Fclose(f);
        const auto back = exporting::readLossLandscapeH5(file("s.h5"));
        QCOMPARE(back.xs, g.xs);
        QCOMPARE(back.ys, g.ys);
        QCOMPARE(back.loss, g.loss);
        for (size_t k = 0; k < g.accuracy.size(); ++k) QVERIFY(std::abs(back.accuracy[k] - g.accuracy[k]) < 1e-15);
    }

    void h5ReadsAsTheirPlotScriptDoes() {
        exporting::writeLossLandscapeH5(file("p.h5"), knownGrid());
        // plot_2D.py: X, Y = np.meshgrid(x, y); Z = f['train_loss'][:]; contour(X, Y, Z).
        const QString script =
            "import h5py, numpy as np, sys\n"
            "f = h5py.File(sys.argv[1], 'r')\n"
            "x = np.array(f['xcoordinates'][:]); y = np.array(f['ycoordinates'][:])\n"
            "X, Y = np.meshgrid(x, y); Z = np.array(f['train_loss'][:])\n"
            "assert Z.shape == X.shape, (Z.shape, X.shape)\n"
            "i, j = 3, 2\n"
            "assert X[j, i] == x[i] and Y[j, i] == y[j]\n"
            "assert abs(Z[j, i] - (10 * i + j + 0.5)) < 1e-12, Z[j, i]\n"
            "assert abs(f['train_acc'][j, i] - 100 * 0.01 * (i + j)) < 1e-9\n"
            "print('ok')\n";
        QProcess p;
        p.start("/usr/bin/python3", {"-c", script, QString::fromStdString(file("p.h5"))});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QCOMPARE(p.readAllStandardOutput().trimmed(), QByteArray("ok"));
    }

    void partialGridMarksMissingPoints() {
        const auto g = knownGrid(true);
        exporting::writeLossLandscapeH5(file("partial.h5"), g);
        const auto back = exporting::readLossLandscapeH5(file("partial.h5"));
        QCOMPARE(back.computed(), g.computed());
        QCOMPARE(back.done, g.done);
    }

    void jsonAndCsvRoundTrip() {
        const auto g = knownGrid(true);
        exporting::writeSurface(file("s.json"), g);
        std::ifstream in(file("s.json"));
        std::stringstream ss;
        ss << in.rdbuf();
        const auto back = surfaceFromJson(ss.str(), "s.json");
        QCOMPARE(back.done, g.done);
        for (size_t k = 0; k < g.loss.size(); ++k)
            if (g.done[k]) QCOMPARE(back.loss[k], g.loss[k]);
        QCOMPARE(back.x_label, std::string("dx"));
        exporting::writeSurface(file("s.csv"), knownGrid());
        std::ifstream csv(file("s.csv"));
        std::string header, row;
        std::getline(csv, header);
        QCOMPARE(header, std::string("x,y,loss,accuracy"));
        int rows = 0;
        double x = 0, y = 0, l = 0;
        while (std::getline(csv, row)) {
            ++rows;
            if (rows == 7) std::sscanf(row.c_str(), "%lf,%lf,%lf", &x, &y, &l);  // j = 1, i = 1
        }
        QCOMPARE(rows, 15);
        QCOMPARE(l, 10.0 * 1 + 1 + 0.5);
        QCOMPARE(x, -0.5);
        QCOMPARE(y, 1.0);
    }

    void aMapsVtsArraysReadBackWithVtk() {
        const auto g = knownMap();
        exporting::writeVts(file("m.vts"), g);
        vtkNew<vtkXMLStructuredGridReader> reader;
        reader->SetFileName(file("m.vts").c_str());
        reader->Update();
        vtkPointData* pd = reader->GetOutput()->GetPointData();
        for (const char* name : {"lambda_max", "lambda_min", "trace", "ratio", "loss"})
            QVERIFY2(pd->GetArray(name), name);
        const vtkIdType id = 1 * 5 + 3;  // i = 3, j = 1
        QCOMPARE(pd->GetArray("lambda_max")->GetTuple1(id), 4.1);
        QCOMPARE(pd->GetArray("lambda_min")->GetTuple1(id), -1.0);
        QCOMPARE(pd->GetArray("trace")->GetTuple1(id), 10.0);
        QCOMPARE(pd->GetArray("ratio")->GetTuple1(id), 1.0 / 4.1);
    }

    void aMapsH5IsReadAsTheirEigenRatioPlotReadsIt() {
        exporting::writeLossLandscapeH5(file("m.h5"), knownMap(true));
        // plot_2D.plot_2d_eig_ratio: Z1 = f['min_eig'][:], Z2 = f['max_eig'][:], |Z1 / Z2| on meshgrid(x, y).
        const QString script =
            "import h5py, numpy as np, sys\n"
            "f = h5py.File(sys.argv[1], 'r')\n"
            "x = np.array(f['xcoordinates'][:]); y = np.array(f['ycoordinates'][:])\n"
            "X, Y = np.meshgrid(x, y)\n"
            "Z1 = np.array(f['min_eig'][:]); Z2 = np.array(f['max_eig'][:])\n"
            "assert Z1.shape == (3, 5) and Z2.shape == (3, 5) and X.shape == Z2.shape, (Z1.shape, Z2.shape)\n"
            "r = np.absolute(np.divide(Z1, Z2))\n"
            "i, j = 2, 0\n"
            "assert Z2[j, i] == i + 1 + 0.1 * j and Z1[j, i] == -(i + 1) / 4, (Z2[j, i], Z1[j, i])\n"
            "assert abs(r[j, i] - (i + 1) / 4 / (i + 1 + 0.1 * j)) < 1e-15\n"
            "assert Z2[0, 1] == -1 and Z1[0, 1] == 1, 'points not computed are marked as their code marks them'\n"
            "assert f['trace'][1, 3] == 10\n"
            "print('ok')\n";
        QProcess p;
        p.start("/usr/bin/python3", {"-c", script, QString::fromStdString(file("m.h5"))});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QCOMPARE(p.readAllStandardOutput().trimmed(), QByteArray("ok"));
        const auto back = exporting::readLossLandscapeH5(file("m.h5"));
        QVERIFY(back.curvature);
        const auto want = knownMap(true);
        for (size_t k = 0; k < want.loss.size(); ++k) {
            if (!want.done[k]) {
                QVERIFY(std::isnan(back.curvature->lambda_max[k]));
                continue;
            }
            QCOMPARE(back.curvature->lambda_max[k], want.curvature->lambda_max[k]);
            QCOMPARE(back.curvature->lambda_min[k], want.curvature->lambda_min[k]);
            QCOMPARE(back.curvature->trace[k], want.curvature->trace[k]);
        }
    }

    void aMapsCsvAndJsonHoldItsFields() {
        const auto g = knownMap();
        exporting::writeSurface(file("m.csv"), g);
        std::ifstream csv(file("m.csv"));
        std::string header, row;
        std::getline(csv, header);
        QCOMPARE(header, std::string("x,y,loss,accuracy,lambda_max,lambda_min,ratio,trace,trace_stderr,hvp"));
        for (int r = 0; r < 9; ++r) std::getline(csv, row);  // the 9th point: i = 3, j = 1
        double x, y, l, a, lmax, lmin, ratio, tr, se;
        int hvp;
        QCOMPARE(std::sscanf(row.c_str(), "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%d", &x, &y, &l, &a, &lmax, &lmin,
                             &ratio, &tr, &se, &hvp),
                 10);
        QCOMPARE(lmax, 4.1);
        QCOMPARE(lmin, -1.0);
        QVERIFY(std::abs(ratio - 1.0 / 4.1) < 1e-15);
        QCOMPARE(hvp, 23);
        exporting::writeSurface(file("m.json"), g);
        std::ifstream in(file("m.json"));
        std::stringstream ss;
        ss << in.rdbuf();
        const auto back = surfaceFromJson(ss.str(), "m.json");
        QVERIFY(back.curvature);
        QCOMPARE(back.curvature->lambda_max, g.curvature->lambda_max);
        QCOMPARE(back.curvature->hvp, g.curvature->hvp);
        QCOMPARE(surfaceJson(back), surfaceJson(g));
    }

    void badFilesGiveClearErrors() {
        try {
            exporting::writeSurface(file("s.xyz"), knownGrid());
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("unknown surface format") != std::string::npos);
        }
        try {
            exporting::readLossLandscapeH5(file("s.json_missing"));
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("not found") != std::string::npos);
        }
        std::ofstream(file("junk.h5")) << "not hdf5";
        try {
            exporting::readLossLandscapeH5(file("junk.h5"));
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("junk.h5: is not an HDF5 file") != std::string::npos);
        }
        // A failed write into a missing folder leaves no file behind.
        QVERIFY_THROWS_EXCEPTION(Error, exporting::writeSurface(file("no/such/dir/s.h5"), knownGrid()));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
