#pragma once
// One dialog for an export: where, in which format, in which figure style and, for a PNG, at which
// size. The last choice (format, style, size, folder) is remembered in QSettings under "export/",
// so the next export of any view starts from it.
#include <QDialog>
#include <QSize>

#include "basin/widgets/figure_style.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSpinBox;

namespace basin::gui {

struct ExportChoice {
    QString path;                ///< with the format's extension
    widgets::FigureStyle style;  ///< the preset chosen (figures only)
    QSize size;                  ///< pixels of a PNG; empty for other formats
};

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    /// `view` names what is exported ("Spectrum"); `filter` is the view's QFileDialog filter
    /// ("PDF (*.pdf);;PNG (*.png);;..."), whose formats the dialog offers; `base_name` is the file
    /// name without extension suggested when nothing was exported before.
    ExportDialog(const QString& view, const QString& filter, const QString& base_name, QSettings& settings,
                 QWidget* parent = nullptr);

    ExportChoice choice() const;
    /// Sets the fields as a user would (tests; "png", "paper-2col", 1200 x 800).
    void setFormat(const QString& extension);
    void setStyle(const QString& preset);
    void setPixels(QSize size);
    void setPath(const QString& path);
    /// Remembers the choice for the next export (done when the dialog is accepted).
    void remember() const;

private:
    void formatChanged();
    void styleChanged();
    void browse();

    QSettings& settings_;
    QComboBox* format_ = nullptr;
    QComboBox* style_ = nullptr;
    QLineEdit* path_ = nullptr;
    QSpinBox* width_ = nullptr;
    QSpinBox* height_ = nullptr;
    QLabel* style_note_ = nullptr;
    QWidget* size_row_ = nullptr;
    QWidget* style_row_ = nullptr;
    QString filter_;
};

}  // namespace basin::gui
