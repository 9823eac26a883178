#pragma once
/// How a figure looks on paper or on screen: its size in inches, the resolution of its PNG, the font
/// and its size in points, line widths and the colour map. A figure is laid out in points (1/72 in),
/// so a PDF or SVG comes out at the physical size and a PNG is the same picture scaled to its
/// pixels. The presets are a journal's single column (3.5 in), double column (7 in) and the screen.
/// The settings travel with every exported figure (toJson), so it can be made again.
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <optional>

class QCustomPlot;

namespace basin::widgets {

struct FigureStyle {
    QString name = QStringLiteral("screen");
    double width_in = 9.375;  ///< figure width in inches (screen: 900 px at 96 dpi)
    double height_in = 6.25;  ///< figure height in inches
    double dpi = 96;          ///< pixels per inch of a PNG when no pixel width is asked for
    QString font_family = QStringLiteral("DejaVu Sans");
    double font_pt = 10;      ///< tick labels, legend, readout; axis labels and titles one point larger
    double line_scale = 1.0;  ///< multiplies every line width and marker size of the screen look
    QString colormap = QStringLiteral("viridis");  ///< viridis | grey (both readable without colour vision)
    bool transparent = false;  ///< no background fill (PNG with alpha; PDF/SVG without a white page)
    bool readout = true;       ///< the spectrum's readout column (left out of paper figures)
    bool titles = true;        ///< plot titles (a paper's caption usually replaces them)

    double widthPt() const { return width_in * 72.0; }
    double heightPt() const { return height_in * 72.0; }

    /// "paper-1col", "paper-2col" or "screen"; nullopt for another name.
    static std::optional<FigureStyle> preset(const QString& name);
    static QStringList presetNames();

    QJsonObject toJson() const;
    /// A preset (by "name") with every key present in `json` overriding it; unknown keys are ignored.
    static std::optional<FigureStyle> fromJson(const QJsonObject& json, QString* error = nullptr);
};

/// Fonts (in points, as pixels of the point-based layout), line widths and the background of every
/// axis, legend, title and plottable of `plot`, following `style`.
void applyStyle(QCustomPlot* plot, const FigureStyle& style);

}  // namespace basin::widgets
