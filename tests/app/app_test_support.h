#pragma once
// What the end-to-end app tests share: the small demo study, small analysis options, and a meter
// of how long the GUI thread could not answer.
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <array>
#include <functional>

#include "engine_controller.h"

using namespace basin;
using namespace basin::gui;

namespace basin::test {

constexpr int kJobTimeoutMs = 300000;  // a safety net only; nothing here asserts on speed

// Small enough for a test, still every part of the analysis.
inline QStringList readLines(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

inline QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline SpectrumOptions smallOptions() {
    SpectrumOptions o;
    o.eigen.top_k = 3;
    o.eigen.which = Which::Both;
    o.density = true;
    o.density_options.probes = 2;
    o.density_options.steps = 20;
    o.trace = true;
    o.trace_options.probes = 10;
    return o;
}

// The demo study as it is, with 256 of its 2,048 samples, so each H·v costs an eighth. Written anew
// for each test: the window stores its results in the study, and a test must not find another's.
inline QString writeSmallDemoStudy(const QTemporaryDir& dir, const QString& name = "demo-small.basin.json") {
    QFile in(BASIN_DEMO_STUDY);
    if (!in.open(QIODevice::ReadOnly)) return {};
    QJsonObject study = QJsonDocument::fromJson(in.readAll()).object();
    const QString demo_dir = QFileInfo(BASIN_DEMO_STUDY).absolutePath();
    study["model"] = demo_dir + "/" + study["model"].toString();
    study.remove("checkpoints");
    study["samples"] = 256;
    const QString path = dir.filePath(name);
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly)) return {};
    out.write(QJsonDocument(study).toJson());
    return path;
}

// The longest gap between ticks of a 10 ms timer while `active` holds: how long the GUI thread
// could not answer.
class StallMeter : public QObject {
public:
    explicit StallMeter(std::function<bool()> active) : active_(std::move(active)) {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(10);
        QObject::connect(&timer_, &QTimer::timeout, this, [this] {
            const qint64 now = clock_.elapsed();
            if (active_()) {
                if (last_ >= 0) max_gap_ = std::max(max_gap_, now - last_);
                last_ = now;
                ++ticks_;
            } else {
                last_ = -1;
            }
        });
        clock_.start();
        timer_.start();
    }
    qint64 maxGapMs() const { return max_gap_; }
    int ticks() const { return ticks_; }

private:
    std::function<bool()> active_;
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = -1, max_gap_ = 0;
    int ticks_ = 0;
};

inline SurfaceJobOptions surfaceOptions(int nx, int ny, double range) {
    SurfaceJobOptions o;
    o.nx = nx;
    o.ny = ny;
    o.range = std::array<double, 4>{-range, range, -range, range};
    return o;
}

// Compare options for the tests: the small spectrum, surfaces on the given grid, `path` points.
inline CompareOptions compareOptions(const SpectrumOptions& spectrum, const SurfaceJobOptions& surface, int path,
                                     bool same_directions = false) {
    CompareOptions o;
    o.spectrum = spectrum;
    o.surfaces = true;
    o.surface = surface;
    o.path_points = path;
    o.same_directions = same_directions;
    return o;
}

inline int idOf(const EngineController& c, JobKind kind) {
    for (const JobInfo& j : c.jobs())
        if (j.kind == kind) return j.id;
    return 0;
}

}  // namespace basin::test
