#include "jobs_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

namespace basin::gui {

QString formatEta(double seconds) {
    if (seconds < 0 || !std::isfinite(seconds)) return {};
    const auto s = static_cast<qint64>(std::llround(seconds));
    if (s < 60) return QStringLiteral("%1 s").arg(s);
    return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

JobsPanel::JobsPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    rows_ = new QVBoxLayout;
    rows_->setSpacing(2);
    outer->addLayout(rows_);
    outer->addStretch(1);
}

void JobsPanel::addJob(const JobInfo& job) {
    auto* row = new JobRow(job, this);
    by_id_.insert(job.id, row);
    // Newest first: the job the user just asked for is the one they look for.
    rows_->insertWidget(0, row);
    connect(row, &JobRow::cancelClicked, this, [this, id = job.id] { Q_EMIT cancelRequested(id); });
}

void JobsPanel::updateJob(const JobInfo& job) {
    if (JobRow* r = row(job.id)) r->update(job);
}

JobRow* JobsPanel::row(int id) const { return by_id_.value(id, nullptr); }

JobRow::JobRow(const JobInfo& job, QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("job-%1").arg(job.id));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(2, 1, 2, 1);
    title_ = new QLabel(this);
    // Fixed widths keep the progress bars of all rows aligned, whatever the job's name.
    title_->setFixedWidth(240);
    stage_ = new QLabel(this);
    stage_->setFixedWidth(200);
    progress_ = new QProgressBar(this);
    progress_->setMinimumWidth(220);
    eta_ = new QLabel(this);
    eta_->setMinimumWidth(110);
    state_ = new QLabel(this);
    state_->setMinimumWidth(80);
    cancel_ = new QPushButton(tr("Cancel"), this);
    layout->addWidget(title_);
    layout->addWidget(stage_);
    layout->addWidget(progress_, 1);
    layout->addWidget(eta_);
    layout->addWidget(state_);
    layout->addWidget(cancel_);
    connect(cancel_, &QPushButton::clicked, this, &JobRow::cancelClicked);
    update(job);
}

void JobRow::update(const JobInfo& job) {
    title_->setText(QStringLiteral("<b>%1</b>").arg(job.title.toHtmlEscaped()));
    title_->setToolTip(job.title);
    stage_->setText(job.stage);
    if (job.total > 0) {
        progress_->setRange(0, 1000);
        progress_->setValue(static_cast<int>(1000.0 * std::min(job.done, job.total) / job.total));
        progress_->setFormat(QStringLiteral("%1 / %2").arg(job.done).arg(job.total));
    } else if (job.state == JobState::Running) {
        progress_->setRange(0, 0);  // busy indicator: the stage's length is unknown
    } else {
        progress_->setRange(0, 1000);
        progress_->setValue(job.state == JobState::Done ? 1000 : 0);
        progress_->setFormat(job.state == JobState::Done ? tr("done") : QString());
    }
    const QString eta = formatEta(job.eta_s);
    eta_->setText(eta.isEmpty() || isFinished(job.state) ? QString() : tr("ETA %1").arg(eta));
    state_->setText(stateName(job.state));
    state_->setToolTip(job.error);
    QString colour = "palette(text)";
    if (job.state == JobState::Failed) colour = "#C0392B";
    else if (job.state == JobState::Done) colour = "#009E73";
    else if (job.state == JobState::Cancelled || job.state == JobState::Cancelling) colour = "#D55E00";
    state_->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(colour));
    cancel_->setEnabled(job.state == JobState::Queued || job.state == JobState::Running);
    if (job.state == JobState::Failed) setToolTip(job.error);
}

QString JobRow::stateText() const { return state_->text(); }
QString JobRow::stageText() const { return stage_->text(); }
int JobRow::progressValue() const { return progress_->value(); }
bool JobRow::cancelEnabled() const { return cancel_->isEnabled(); }

}  // namespace basin::gui
