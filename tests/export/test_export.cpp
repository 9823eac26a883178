// Surface exports read back by the tools they are for: VTK's own reader for .vts, HDF5 for Li et
// al.'s layout (and h5py the way their plot_2D.py reads it), JSON and CSV round trips.
#include <QtTest/QtTest>

#include <QProcess>
#include <hdf5.h>
#include <vtkDataArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkStructuredGrid.h>
#include <vtkXMLStructuredGridReader.h>

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
