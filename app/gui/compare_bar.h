#pragma once
// The row above the Compare tab: which checkpoints (2 to 4, from the study or added from files),
// how many points on the path between the first and last, and "Compare".
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace basin::gui {

class CompareBar : public QWidget {
    Q_OBJECT
public:
    explicit CompareBar(QWidget* parent = nullptr);

    /// The study's checkpoints; the first, last and up to two between them are ticked.
    void setCheckpoints(const QStringList& paths);
    /// Adds a model file (of the same architecture) to the list, ticked.
    void addCheckpoint(const QString& path);
    /// The ticked checkpoints in list order.
    QStringList chosen() const;
    void setChosen(const QStringList& paths);
    int pathPoints() const;
    /// The first checkpoint's directions for every surface, instead of each normalised at its own.
    bool sameDirections() const;
    void setSameDirections(bool on);
    void setPathPoints(int points);
    /// Why Compare is disabled (empty when it is enabled).
    QString problem() const;

Q_SIGNALS:
    void runRequested(const QStringList& checkpoints, int path_points, bool same_directions);

private:
    void validate();
    QListWidget* list_ = nullptr;
    QSpinBox* path_ = nullptr;
    QCheckBox* same_ = nullptr;
    QPushButton* run_ = nullptr;
    QLabel* message_ = nullptr;
};

}  // namespace basin::gui
