#include "jobs_panel.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QToolButton>
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
    outer->setContentsMargins(0, 0, 0, 0);
    scroll_ = new QScrollArea(this);
    scroll_->setObjectName("jobsScroll");
    scroll_->setWidgetResizable(true);
    scroll_->setFrameShape(QFrame::NoFrame);
    auto* content = new QWidget(scroll_);
    auto* column = new QVBoxLayout(content);
    column->setContentsMargins(4, 4, 4, 4);
    column->setSpacing(2);
    empty_ = new QLabel(tr("No jobs yet: opening a study computes its spectrum and a loss surface."), content);
    empty_->setStyleSheet("color: palette(mid);");
    column->addWidget(empty_);
    active_ = new QVBoxLayout;
    active_->setSpacing(2);
    column->addLayout(active_);

    auto* header = new QHBoxLayout;
    fold_ = new QToolButton(content);
    fold_->setObjectName("jobsHistoryFold");
    fold_->setCheckable(true);
    fold_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    fold_->setAutoRaise(true);
    clear_ = new QPushButton(tr("Clear history"), content);
    clear_->setObjectName("jobsHistoryClear");
    clear_->setToolTip(tr("Forget the finished jobs (their results stay)"));
    header->addWidget(fold_);
    header->addStretch(1);
    header->addWidget(clear_);
    column->addLayout(header);
    history_box_ = new QWidget(content);
    history_ = new QVBoxLayout(history_box_);
    history_->setContentsMargins(0, 0, 0, 0);
    history_->setSpacing(2);
    column->addWidget(history_box_);
    column->addStretch(1);
    scroll_->setWidget(content);
    outer->addWidget(scroll_);

    connect(fold_, &QToolButton::toggled, this, &JobsPanel::setHistoryShown);
    connect(clear_, &QPushButton::clicked, this, [this] {
        clearHistory();
        Q_EMIT clearRequested();
    });
    // Esc belongs to this panel alone: elsewhere it closes drop-downs and dialogs as it should.
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    escape->setContext(Qt::WidgetWithChildrenShortcut);
    connect(escape, &QShortcut::activated, this, &JobsPanel::cancelFocused);
    setHistoryShown(false);
}

QSize JobsPanel::sizeHint() const {
    // A few rows tall: the rest scrolls, the dock does not grow with the jobs.
    return QSize(800, 4 * fontMetrics().height() * 2);
}

void JobsPanel::addJob(const JobInfo& job) {
    auto* row = new JobRow(job, this);
    by_id_.insert(job.id, row);
    // Newest first: the job the user just asked for is the one they look for.
    active_->insertWidget(0, row);
    empty_->hide();
    connect(row, &JobRow::cancelClicked, this, [this, id = job.id] { Q_EMIT cancelRequested(id); });
    updateJob(job);
}

void JobsPanel::updateJob(const JobInfo& job) {
    JobRow* r = row(job.id);
    if (!r) return;
    const bool was_finished = r->finished();
    r->update(job);
    if (was_finished || !r->finished()) return;
    // Finished: into the history, newest first.
    active_->removeWidget(r);
    history_->insertWidget(0, r);
    finished_.prepend(job.id);
    while (finished_.size() > kMaxHistory) {
        const int oldest = finished_.takeLast();
        delete by_id_.take(oldest);
    }
    updateHistoryHeader();
}

JobRow* JobsPanel::row(int id) const { return by_id_.value(id, nullptr); }
int JobsPanel::historyCount() const { return int(finished_.size()); }
bool JobsPanel::historyShown() const { return fold_->isChecked(); }

void JobsPanel::setHistoryShown(bool shown) {
    if (fold_->isChecked() != shown) fold_->setChecked(shown);  // comes back here through toggled()
    history_box_->setVisible(shown);
    updateHistoryHeader();
}

void JobsPanel::clearHistory() {
    for (int id : finished_) delete by_id_.take(id);
    finished_.clear();
    updateHistoryHeader();
}

void JobsPanel::updateHistoryHeader() {
    int failed = 0;
    for (int id : finished_)
        if (const JobRow* r = row(id); r && r->stateText() == stateName(JobState::Failed)) ++failed;
    const int n = int(finished_.size());
    QString text = n == 1 ? tr("History: 1 finished job") : tr("History: %1 finished jobs").arg(n);
    if (failed) text += tr(", %1 failed").arg(failed);
    fold_->setText(text);
    fold_->setArrowType(historyShown() ? Qt::DownArrow : Qt::RightArrow);
    fold_->setToolTip(historyShown() ? tr("Fold the finished jobs away") : tr("Show the finished jobs"));
    fold_->setVisible(!finished_.isEmpty());
    clear_->setVisible(!finished_.isEmpty());
    empty_->setVisible(by_id_.isEmpty());
}

void JobsPanel::cancelFocused() {
    for (QWidget* w = QApplication::focusWidget(); w && w != this; w = w->parentWidget())
        if (auto* r = qobject_cast<JobRow*>(w)) {
            if (r->cancelEnabled()) Q_EMIT cancelRequested(r->jobId());
            return;
        }
    Q_EMIT cancelAllRequested();
}

JobRow::JobRow(const JobInfo& job, QWidget* parent) : QWidget(parent), id_(job.id) {
    setObjectName(QStringLiteral("job-%1").arg(job.id));
    setFocusPolicy(Qt::StrongFocus);  // a click on the row gives it the focus, for Esc
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(2, 1, 2, 1);
    title_ = new QLabel(this);
    // Fixed widths keep the progress bars of all rows aligned, whatever the job's name.
    title_->setFixedWidth(240);
    stage_ = new QLabel(this);
    // Takes the width the row has to spare and no more (a long stage is cut, whole in its tooltip),
    // so a row never grows wider than the dock.
    stage_->setMinimumWidth(200);
    stage_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    progress_ = new QProgressBar(this);
    progress_->setMinimumWidth(220);
    eta_ = new QLabel(this);
    eta_->setMinimumWidth(110);
    state_ = new QLabel(this);
    state_->setMinimumWidth(80);
    cancel_ = new QPushButton(tr("Cancel"), this);
    layout->addWidget(title_);
    layout->addWidget(stage_, 1);
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
    stage_->setToolTip(job.stage);
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
    cancel_->setToolTip(tr("Cancel this job (or Esc while it has the focus)"));
    finished_ = isFinished(job.state);
    if (job.state == JobState::Failed) setToolTip(job.error);
}

QString JobRow::stateText() const { return state_->text(); }
QString JobRow::stageText() const { return stage_->text(); }
int JobRow::progressValue() const { return progress_->value(); }
bool JobRow::cancelEnabled() const { return cancel_->isEnabled(); }

}  // namespace basin::gui
