// Figures as files: styles, sizes, vector text, the off-screen 3D surface, linked 3D cameras and
// the compare plots.
#include <qcustomplot.h>
#include <QApplication>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "basin/widgets/compare_plots.h"
#include "basin/widgets/figure.h"
#include "basin/widgets/figure_style.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/surface_math.h"
#include "basin/widgets/surface_view.h"
#include "image_compare.h"

using namespace basin::widgets;

namespace {

SurfacePlotData bowl(double shift = 0) {
    SurfacePlotData d;
    d.title = "bowl";
    for (int i = 0; i <= 20; ++i) d.x.push_back(-1 + i / 10.0);
    for (int j = 0; j <= 20; ++j) d.y.push_back(-1 + j / 10.0);
    for (double y : d.y)
        for (double x : d.x) d.values.push_back(shift + 0.3 + (x - 0.2) * (x - 0.2) + 2 * y * y);
    d.minimum = 10 * 21 + 12;  // (0.2, 0)
    return d;
}

SpectrumPlotData spectrum(const std::string& title = "spectrum", double scale = 1) {
    SpectrumPlotData d;
    d.title = title;
    d.top_eigenvalues = {16 * scale, 6 * scale, 4 * scale, -0.5};
    for (int i = 0; i <= 100; ++i) {
        const double x = -1 + 0.18 * i * scale;
        d.density_grid.push_back(x);
        d.density_values.push_back(std::exp(-x * x * 4));
    }
    d.bulk_edge = 6 * scale;
    d.outlier_count = 1;
    return d;
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Distinct colours among the pixels: a blank or flat picture has a handful.
int distinctColours(const QImage& image) {
    QSet<QRgb> seen;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2) seen.insert(image.pixel(x, y));
    return int(seen.size());
}

}  // namespace

class TestFigure : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void presetsHaveJournalSizes() {
        const auto one = FigureStyle::preset("paper-1col");
        const auto two = FigureStyle::preset("paper-2col");
        QVERIFY(one && two && FigureStyle::preset("screen"));
        QCOMPARE(one->width_in, 3.5);
        QCOMPARE(two->width_in, 7.0);
        QCOMPARE(one->dpi, 300.0);
        QCOMPARE(one->font_pt, 8.0);
        QVERIFY(!FigureStyle::preset("poster"));
        // 3.5 in at 300 dpi is 1050 px; the height keeps the aspect.
        QCOMPARE(figurePixels(*one), QSize(1050, 780));
        QCOMPARE(figurePixels(*one, 700), QSize(700, 520));
    }

    void settingsGoThroughJson() {
        FigureStyle s = *FigureStyle::preset("paper-2col");
        s.transparent = true;
        s.colormap = "grey";
        s.font_pt = 9;
        const auto back = FigureStyle::fromJson(s.toJson());
        QVERIFY(back.has_value());
        QCOMPARE(back->toJson(), s.toJson());
        QString error;
        QVERIFY(!FigureStyle::fromJson(QJsonObject{{"style", "poster"}}, &error));
        QVERIFY2(error.contains("poster") && error.contains("paper-1col"), qPrintable(error));
        QVERIFY(!FigureStyle::fromJson(QJsonObject{{"style", "screen"}, {"colormap", "jet"}}, &error));
        QVERIFY2(error.contains("jet"), qPrintable(error));
    }

    void pngHasTheAskedSize() {
        SpectrumView view;
        view.setData(spectrum());
        applyStyle(view.plot(), *FigureStyle::preset("paper-1col"));
        QTemporaryDir dir;
        const QString path = dir.filePath("s.png");
        QCOMPARE(writeFigure({{view.plot(), {}}}, *FigureStyle::preset("paper-1col"), path), QString());
        QCOMPARE(QImage(path).size(), QSize(1050, 780));
        QCOMPARE(writeFigure({{view.plot(), {}}}, *FigureStyle::preset("paper-1col"), path, 640), QString());
        QCOMPARE(QImage(path).size(), QSize(640, 475));
        QVERIFY(distinctColours(QImage(path)) > 20);
    }

    void pdfIsVectorAtThePhysicalSize() {
        SpectrumView view;
        view.setData(spectrum());
        const FigureStyle style = *FigureStyle::preset("paper-1col");
        applyStyle(view.plot(), style);
        QTemporaryDir dir;
        const QString path = dir.filePath("s.pdf");
        QCOMPARE(writeFigure({{view.plot(), {}}}, style, path), QString());
        const QByteArray pdf = readAll(path);
        // 3.5 x 2.6 in = 252 x 187.2 points.
        const QRegularExpression box(R"(/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\])");
        const auto m = box.match(QString::fromLatin1(pdf));
        QVERIFY2(m.hasMatch(), "no MediaBox");
        QVERIFY(std::abs(m.captured(1).toDouble() - 252) < 0.5);
        QVERIFY(std::abs(m.captured(2).toDouble() - 187.2) < 0.5);
        // Text is text: fonts are embedded (with a map back to Unicode) and no page is an image.
        QVERIFY(pdf.contains("/FontFile"));
        QVERIFY(pdf.contains("/ToUnicode"));
        QVERIFY(!pdf.contains("/Subtype /Image"));
    }

    void svgKeepsTextAsText() {
        SpectrumView view;
        view.setData(spectrum());
        const FigureStyle style = *FigureStyle::preset("paper-2col");
        applyStyle(view.plot(), style);
        QTemporaryDir dir;
        const QString path = dir.filePath("s.svg");
        QCOMPARE(writeFigure({{view.plot(), {}}}, style, path), QString());
        const QByteArray svg = readAll(path);
        QVERIFY(svg.contains("<text"));
        QVERIFY(svg.contains("eigenvalue"));
        QVERIFY(svg.contains("viewBox=\"0 0 504 201.6\""));
    }

    void anUnknownFormatIsRefusedAndNothingIsWritten() {
        QTemporaryDir dir;
        const QString error = writeFigure({}, FigureStyle(), dir.filePath("s.bmp"));
        QVERIFY2(error.contains("s.bmp") && error.contains(".png"), qPrintable(error));
        QVERIFY(!QFile::exists(dir.filePath("s.bmp")));
    }

    void theSurfaceIsRenderedAtTheAskedSize() {
        const FigureStyle style = *FigureStyle::preset("paper-1col");
        QString error;
        const QImage small = renderSurfaceImage(bowl(), QSize(400, 300), style, 400 / style.widthPt(), {}, &error);
        QVERIFY2(!small.isNull(), qPrintable(error));
        QCOMPARE(small.size(), QSize(400, 300));
        // Rendered at 1600 x 1200, not scaled up: many more colours than the small one has.
        const QImage large = renderSurfaceImage(bowl(), QSize(1600, 1200), style, 1600 / style.widthPt());
        QCOMPARE(large.size(), QSize(1600, 1200));
        QVERIFY(distinctColours(small) > 200);
        QVERIFY2(distinctColours(large) > distinctColours(small), "the large render has no more detail than the small");
        // A grid that cannot be drawn says why.
        SurfacePlotData bad = bowl();
        bad.values.resize(3);
        QVERIFY(renderSurfaceImage(bad, QSize(100, 100), style, 1, {}, &error).isNull());
        QVERIFY2(error.contains("3 values"), qPrintable(error));
    }

    void greyPrintsInGrey() {
        FigureStyle style;
        style.colormap = "grey";
        const QImage image = renderSurfaceImage(bowl(), QSize(400, 300), style, 400 / style.widthPt());
        int coloured = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QColor c = image.pixelColor(x, y);
                if (std::max({c.red(), c.green(), c.blue()}) - std::min({c.red(), c.green(), c.blue()}) > 40)
                    ++coloured;
            }
        // Only the marks (minimum, current weights) are in colour.
        QVERIFY2(coloured < image.width() * image.height() / 100, qPrintable(QString::number(coloured)));
    }

    void aFigureWithTheSurfaceBesideAPlot() {
        SpectrumView view;
        view.setData(spectrum());
        const FigureStyle style = *FigureStyle::preset("paper-2col");
        applyStyle(view.plot(), style);
        const SurfacePlotData data = bowl();
        FigurePanel surface{nullptr, [&](QSize px, double k) { return renderSurfaceImage(data, px, style, k); }};
        bool complete = false;
        const QImage image = drawFigure({surface, {view.plot(), {}}}, style, 1400, 0, &complete);
        QVERIFY(complete);
        QCOMPARE(image.size(), QSize(1400, 560));
        QVERIFY(distinctColours(image.copy(0, 0, 700, 560)) > 100);   // the surface
        QVERIFY(distinctColours(image.copy(700, 0, 700, 560)) > 20);  // the plot
    }

    void aPaperFigureMatchesItsBaseline() {
        // A double-column figure of known data: the 3D surface beside the spectrum, 1000 px wide.
        SpectrumView view;
        view.setData(spectrum());
        const FigureStyle style = *FigureStyle::preset("paper-2col");
        applyStyle(view.plot(), style);
        const SurfacePlotData data = bowl();
        FigurePanel surface{nullptr, [&](QSize px, double k) { return renderSurfaceImage(data, px, style, k); }};
        const QImage image = drawFigure({surface, {view.plot(), {}}}, style, 1000);
        const auto r = basin::test::compareWithBaseline(image, BASIN_BASELINE_DIR, BASIN_IMAGE_OUT_DIR,
                                                        "figure_paper_2col.png", 1.5);
        QVERIFY2(r.ok, qPrintable(r.message));
    }

    void marksShowTheMinimumTheWeightsAndTheTrajectory() {
        SurfaceView view;
        SurfacePlotData d = bowl();
        d.trajectory = {{-0.8, 0.6}, {-0.3, 0.2}, {0, 0}};
        d.trajectory_labels = {"init", "epoch 1", "final"};
        view.setData(d);
        QCOMPARE(view.markCount(), 1 + 1 + 3);
        d.trajectory.push_back({5, 5});  // outside the grid: left out
        view.setData(d);
        QCOMPARE(view.markCount(), 1 + 1 + 3 + 1);  // clamped to the edge, still on the surface
    }

    void linkedCamerasMoveTogether() {
        QWidget window;
        auto* a = new SurfaceView(&window);
        auto* b = new SurfaceView(&window);
        a->setGeometry(0, 0, 400, 300);
        b->setGeometry(400, 0, 400, 300);
        window.resize(800, 300);
        a->setData(bowl());
        b->setData(bowl(1));
        b->linkCamera(a);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const SurfaceCamera before = a->camera();
        // Drag in the second view: both turn.
        QTest::mousePress(b, Qt::LeftButton, {}, QPoint(200, 150));
        for (int i = 1; i <= 10; ++i) QTest::mouseMove(b, QPoint(200 + 10 * i, 150 + 3 * i));
        QTest::mouseRelease(b, Qt::LeftButton, {}, QPoint(300, 180));
        const SurfaceCamera after_a = a->camera(), after_b = b->camera();
        QVERIFY(std::abs(after_a.position[0] - before.position[0]) +
                    std::abs(after_a.position[1] - before.position[1]) >
                1e-3);
        for (int k = 0; k < 3; ++k) {
            QCOMPARE(after_a.position[k], after_b.position[k]);
            QCOMPARE(after_a.view_up[k], after_b.view_up[k]);
        }
    }

    void aSharedScaleCoversEveryGrid() {
        const SurfacePlotData a = bowl(0), b = bowl(2.5);
        const auto shared = sharedRange({&a.values, &b.values});
        const auto ra = finiteRange(a.values), rb = finiteRange(b.values);
        QCOMPARE(shared[0], std::min(ra[0], rb[0]));
        QCOMPARE(shared[1], std::max(ra[1], rb[1]));
        QCOMPARE(shared[0], 0.3);
        QVERIFY(std::abs(shared[1] - (2.5 + 0.3 + 1.2 * 1.2 + 2)) < 1e-12);
        SurfacePlotData c = a;
        c.value_range = shared;
        QCOMPARE(scaleRange(c), shared);
    }

    void overlaidSpectraHaveOneLinePerCheckpoint() {
        SpectraOverlayView view;
        view.setData({spectrum("ckpt_0.pt"), spectrum("ckpt_5.pt", 2)});
        int lines = 0;
        for (int i = 0; i < view.plot()->graphCount(); ++i)
            if (view.plot()->graph(i)->lineStyle() != QCPGraph::lsNone) ++lines;
        QCOMPARE(lines, 2);
        QCOMPARE(view.plot()->legend->itemCount(), 2);
        // The x range covers both spectra's largest eigenvalue.
        QVERIFY(view.plot()->xAxis->range().upper >= 32);
    }

    void thePathStatesItsBarrier() {
        PathView view;
        PathPlotData p;
        p.t = {0, 0.5, 1};
        p.loss = {0.3, 0.9, 0.2};
        p.top_eigenvalue = {16, 30, 12};
        p.barrier_over_ends = 0.6;
        p.barrier_over_line = 0.65;
        p.t_max = 0.5;
        view.setData(p);
        QCOMPARE(view.barrierText(), QString("barrier 0.6 above the higher end, 0.65 above the line, at t = 0.50"));
        QCOMPARE(view.plot()->graphCount(), 3);  // loss, the chord, the top eigenvalue
    }
};

int main(int argc, char** argv) {
    QSurfaceFormat::setDefaultFormat(defaultVtkSurfaceFormat());
    QApplication app(argc, argv);
    TestFigure t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_figure.moc"
