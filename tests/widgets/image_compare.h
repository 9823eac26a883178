#pragma once
// Baseline image comparison for the widget and app tests: the mean absolute difference per
// channel (0-255) over all pixels, so anti-aliasing noise passes and a moved curve does not.
#include <QDir>
#include <QImage>
#include <QString>
#include <QtGlobal>
#include <cmath>
#include <cstdio>

namespace basin::test {

/// Mean absolute channel difference of two images of the same size; -1 when sizes differ.
inline double meanAbsoluteDifference(const QImage& a, const QImage& b) {
    if (a.size() != b.size()) return -1;
    const QImage x = a.convertToFormat(QImage::Format_RGB32);
    const QImage y = b.convertToFormat(QImage::Format_RGB32);
    double sum = 0;
    for (int row = 0; row < x.height(); ++row) {
        const auto* p = reinterpret_cast<const QRgb*>(x.constScanLine(row));
        const auto* q = reinterpret_cast<const QRgb*>(y.constScanLine(row));
        for (int col = 0; col < x.width(); ++col)
            sum += std::abs(qRed(p[col]) - qRed(q[col])) + std::abs(qGreen(p[col]) - qGreen(q[col])) +
                   std::abs(qBlue(p[col]) - qBlue(q[col]));
    }
    return sum / (3.0 * x.width() * x.height());
}

struct BaselineResult {
    bool ok = false;
    double difference = -1;
    QString message;
};

/// Compares `image` with baseline_dir/name. A missing or different baseline fails, and the new
/// image is written to out_dir/name so it can be inspected and, if right, committed.
inline BaselineResult compareWithBaseline(const QImage& image, const QString& baseline_dir, const QString& out_dir,
                                          const QString& name, double threshold) {
    BaselineResult r;
    QDir().mkpath(out_dir);
    const QString out_path = out_dir + "/" + name;
    const QString baseline_path = baseline_dir + "/" + name;
    const QImage baseline(baseline_path);
    if (baseline.isNull()) {
        image.save(out_path);
        r.message = QString("no baseline %1; the new image is at %2").arg(baseline_path, out_path);
        return r;
    }
    r.difference = meanAbsoluteDifference(image, baseline);
    r.ok = r.difference >= 0 && r.difference <= threshold;
    if (!r.ok) {
        image.save(out_path);
        r.message = QString(
                        "%1 differs from its baseline %2 (mean |diff| %3 > %4, or size %5x%6 vs %7x%8); "
                        "the new image is at %9")
                        .arg(name, baseline_path)
                        .arg(r.difference)
                        .arg(threshold)
                        .arg(image.width())
                        .arg(image.height())
                        .arg(baseline.width())
                        .arg(baseline.height())
                        .arg(out_path);
    }
    return r;
}

}  // namespace basin::test
