#include "help_text.h"

#include <QAction>
#include <QMenu>
#include <QObject>

#include "basin/objective.h"
#include "basin/provenance.h"
#include "basin/widgets/vtk_widget.h"

namespace basin::gui {

namespace {

QString row(const QString& where, const QString& what, const QString& keys) {
    return QStringLiteral("<tr><td>%1</td><td>%2</td><td><b>%3</b></td></tr>")
        .arg(where.toHtmlEscaped(), what.toHtmlEscaped(), keys.toHtmlEscaped());
}

void addMenu(QString& html, QMenu* menu) {
    const QString where = menu->title().remove('&');
    for (QAction* a : menu->actions()) {
        if (a->menu()) addMenu(html, a->menu());
        else if (!a->shortcut().isEmpty())
            html += row(where, a->text().remove('&').remove(QStringLiteral("…")),
                        a->shortcut().toString(QKeySequence::NativeText));
    }
}

}  // namespace

QString shortcutsHtml(const QList<QAction*>& menu_bar_actions) {
    QString html = QObject::tr("<h3>Keyboard shortcuts</h3><table cellspacing=6>");
    for (QAction* a : menu_bar_actions)
        if (a->menu()) addMenu(html, a->menu());
    html += row(QObject::tr("Jobs panel"),
                QObject::tr("Cancel the focused job (every unfinished one when none is focused)"), QObject::tr("Esc"));
    html += row(QObject::tr("Study panel"), QObject::tr("Apply the settings from a field"), QObject::tr("Return"));
    html += row(QObject::tr("Surface"), QObject::tr("Turn / zoom / pan the 3D view"),
                QObject::tr("drag / wheel / Shift+drag"));
    html += row(QObject::tr("Spectrum"), QObject::tr("Move the bulk edge / put it back"),
                QObject::tr("drag / double-click the dashed line"));
    return html + "</table>";
}

QString guideHtml() {
    return QObject::tr(
        "<h3>Basin's tabs</h3>"
        "<p><b>Spectrum</b> (Ctrl+1): the Hessian's top eigenvalues at both ends (stems), its smoothed spectral "
        "density (SLQ), the trace, and the split into bulk and outliers. The dashed bulk edge can be dragged to "
        "split the spectrum by hand; double-click it (or Reset edge) to go back to Basin's rule. "
        "Analysis ▸ Run spectrum (Ctrl+R).</p>"
        "<p><b>Surface</b> (Ctrl+2): the loss on a plane (or a line) through the weights, in 3D beside the same grid "
        "seen from above. The ◆ marks the lowest loss on the grid, the ● the current weights (the origin), the "
        "orange line the checkpoints' trajectory. Choose directions, grid and range above it; Compute surface "
        "(Ctrl+L). Drag to turn the 3D view, wheel to zoom; Reset view puts it back.</p>"
        "<p><b>Layers</b> (Ctrl+3): each layer's top eigenvalue and mean trace (HAWQ, HAWQ-V2), and a "
        "mixed-precision proposal under a size budget with the measured loss of the choices around it. Set "
        "probes, bits and budget above it; Compute layers (Ctrl+Shift+L).</p>"
        "<p><b>Compare</b> (Ctrl+4): 2 to 4 checkpoints side by side, one shared camera and loss scale, their "
        "spectra, a table, and the straight path from the first to the last with its loss barrier. The "
        "comparison has its own surface grid. Compare (Ctrl+K).</p>"
        "<p><b>Structure</b> (Ctrl+5): where the curvature lives: OBD saliency and mean diag(H) per layer "
        "group, eigenvector localisation, the outliers against class-mean gradients, H against its "
        "block diagonal, and the least salient structures with the loss measured after zeroing them. "
        "Run curvature structure (Ctrl+Shift+T).</p>"
        "<p><b>Dynamics</b> (Ctrl+6): curvature and training. Each checkpoint's sharpness (λmax, or Adam's "
        "preconditioned λ1) against its optimizer's stability threshold, the dashed line (2/η for gradient "
        "descent, (2 + 2β)/η with momentum): Run stability across checkpoints (Ctrl+Shift+D); the optimizer "
        "states are the study's \"optimizers\", or its options.stability types the learning rate. And the "
        "mean λmax of mini-batch Hessians against the batch size on log-log axes, with the full-sample λmax "
        "and the fitted slope: Run batch-size scaling (Ctrl+Shift+B).</p>"
        "<p>Every result is stored in the study file: reopening a study shows it without computing. File ▸ "
        "Export current view (Ctrl+E) writes a figure (PNG, PDF, SVG) with its settings beside it, or the "
        "numbers (CSV, JSON).</p>");
}

QString aboutHtml() {
    return QObject::tr(
               "<h3>Basin %1</h3><p>Explore the loss landscape of a neural network: Hessian spectra, loss "
               "surfaces, per-layer sensitivity and checkpoints side by side.</p>"
               "<table cellspacing=4>"
               "<tr><td>Basin</td><td>%1</td></tr>"
               "<tr><td>LibTorch</td><td>%2</td></tr>"
               "<tr><td>Qt</td><td>%3 (built with %4)</td></tr>"
               "<tr><td>VTK</td><td>%5</td></tr></table>")
        .arg(QString::fromStdString(basinVersion()), QString::fromStdString(torchVersion()), QString(qVersion()),
             QStringLiteral(QT_VERSION_STR), QString::fromStdString(widgets::vtkVersionText()));
}

}  // namespace basin::gui
