#pragma once
// What the GUI knows about an engine job. The controller owns these records on the GUI thread;
// the worker thread only posts changes to them.
#include <QString>
#include <QStringList>

namespace basin::gui {

/// Queued -> Running -> Done | Failed | Cancelled; Running -> Cancelling -> Cancelled when the user
/// cancels (the engine stops within one H·v product). A queued job cancelled never runs.
enum class JobState { Queued, Running, Cancelling, Cancelled, Done, Failed };

inline QString stateName(JobState s) {
    switch (s) {
        case JobState::Queued:
            return QStringLiteral("queued");
        case JobState::Running:
            return QStringLiteral("running");
        case JobState::Cancelling:
            return QStringLiteral("cancelling");
        case JobState::Cancelled:
            return QStringLiteral("cancelled");
        case JobState::Done:
            return QStringLiteral("done");
        case JobState::Failed:
            return QStringLiteral("failed");
    }
    return {};
}

/// What a job does; the Jobs panel, the views and the tests tell jobs apart by it.
enum class JobKind {
    Open,
    Spectrum,
    Surface,
    Sensitivity,
    Compare,
    CurvatureMap,
    Probe,
    Structure,
    Stability,
    BatchScaling,
    BatchSpectra,
    Resample
};

inline QString kindName(JobKind k) {
    switch (k) {
        case JobKind::Open:
            return QStringLiteral("open");
        case JobKind::Spectrum:
            return QStringLiteral("spectrum");
        case JobKind::Surface:
            return QStringLiteral("surface");
        case JobKind::Sensitivity:
            return QStringLiteral("sensitivity");
        case JobKind::Compare:
            return QStringLiteral("compare");
        case JobKind::CurvatureMap:
            return QStringLiteral("curvature map");
        case JobKind::Probe:
            return QStringLiteral("probe");
        case JobKind::Structure:
            return QStringLiteral("structure");
        case JobKind::Stability:
            return QStringLiteral("stability");
        case JobKind::BatchScaling:
            return QStringLiteral("batch scaling");
        case JobKind::BatchSpectra:
            return QStringLiteral("per-batch spectra");
        case JobKind::Resample:
            return QStringLiteral("sampling uncertainty");
    }
    return {};
}

inline bool isFinished(JobState s) { return s == JobState::Cancelled || s == JobState::Done || s == JobState::Failed; }

struct JobInfo {
    int id = 0;
    JobKind kind = JobKind::Open;
    QString title;  ///< what the user sees, e.g. "Open demo.basin.json"
    JobState state = JobState::Queued;
    QString stage;      ///< the engine's stage name, e.g. "lanczos (largest)"
    qint64 done = 0;    ///< units finished in the stage
    qint64 total = 0;   ///< units in the stage, 0 when unknown
    double eta_s = -1;  ///< seconds left in the stage, -1 when unknown
    QString error;      ///< the message when Failed
};

/// What the study panel shows after a study was opened.
struct StudySummary {
    QString path, name, model, data, loss;
    QStringList checkpoints;  ///< the study's checkpoints (absolute paths), for the compare view
    QStringList inputs;       ///< each array fed to forward(), "name: shape dtype" (e.g. "input_ids: 128 int64")
    QStringList groups;       ///< the model's layer groups, for one layer's landscape
    qint64 samples = 0, available = 0, batch = 0, parameters = 0, classes = 0;
    double loss_value = 0;
    double accuracy = -1;  ///< -1 when the loss has no accuracy
};

}  // namespace basin::gui
