#pragma once
// The rows above the Compare tab: which checkpoints (2 to 4, from the study or added from files),
// on a row of their own that wraps so every one stays in view; then the comparison's own surface
// grid (not the Surface tab's), how many points on the path between the first and last, and
// "Compare".
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
    void setPathPoints(int points);
    /// Points per side of each checkpoint's surface (a square grid); 0 when surfaces are off.
    int gridPoints() const;
    void setGridPoints(int points);
    /// The first checkpoint's directions for every surface, instead of each normalised at its own.
    bool sameDirections() const;
    void setSameDirections(bool on);
    /// Why Compare is disabled (empty when it is enabled).
    QString problem() const;
    /// The list of checkpoints (its geometry is checked by the layout tests).
    QListWidget* checkpointList() const { return list_; }

Q_SIGNALS:
    void runRequested(const QStringList& checkpoints, int path_points, bool same_directions);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void validate();
    void fitListHeight();
    QListWidget* list_ = nullptr;
    QSpinBox* grid_ = nullptr;
    QSpinBox* path_ = nullptr;
    QCheckBox* same_ = nullptr;
    QPushButton* run_ = nullptr;
    QLabel* message_ = nullptr;
};

}  // namespace basin::gui
