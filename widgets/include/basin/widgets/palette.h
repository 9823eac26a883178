#pragma once
/// The Okabe–Ito palette: eight colours that stay distinct under the common forms of colour
/// blindness, so every plot in Basin reads the same for every reader.
#include <QColor>

namespace basin::widgets::palette {

inline QColor black() { return QColor(0x00, 0x00, 0x00); }
inline QColor orange() { return QColor(0xE6, 0x9F, 0x00); }
inline QColor skyBlue() { return QColor(0x56, 0xB4, 0xE9); }
inline QColor bluishGreen() { return QColor(0x00, 0x9E, 0x73); }
inline QColor yellow() { return QColor(0xF0, 0xE4, 0x42); }
inline QColor blue() { return QColor(0x00, 0x72, 0xB2); }
inline QColor vermillion() { return QColor(0xD5, 0x5E, 0x00); }
inline QColor reddishPurple() { return QColor(0xCC, 0x79, 0xA7); }
/// The grid's minimum: vermillion, but reddish purple over the diverging map (blue to orange), on
/// whose orange end vermillion disappears. The 3D view and the map use the same rule.
inline QColor minimumMark(bool diverging) { return diverging ? reddishPurple() : vermillion(); }

inline QColor withAlpha(QColor c, int alpha) {
    c.setAlpha(alpha);
    return c;
}

}  // namespace basin::widgets::palette
