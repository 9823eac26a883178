#pragma once
// The texts of the Help menu: the keyboard shortcuts (from the window's own actions, so the list
// cannot drift from them), a short guide to each tab, and what About says (the versions of Basin,
// LibTorch, Qt and VTK).
#include <QList>
#include <QString>

class QAction;

namespace basin::gui {

/// An HTML table of every action with a shortcut (menu, text, keys), and the keys that belong to
/// a panel rather than a menu.
QString shortcutsHtml(const QList<QAction*>& menu_bar_actions);
/// A few lines per tab: what it shows, how to compute it, what can be done with the mouse.
QString guideHtml();
/// "Basin 0.2.0", then LibTorch, Qt (run time and build) and VTK versions, as HTML.
QString aboutHtml();

}  // namespace basin::gui
