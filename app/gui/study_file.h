#pragma once
// Saving the study panel's settings into a study file without losing what the file already holds.
#include <QString>

#include "basin/study.h"

namespace basin::gui {

/// Writes `spec` to `target` atomically. The JSON of `source` (the study file the spec came from;
/// it may be `target` itself, or empty or missing for a new study) is kept: its "results" section
/// and any key Basin does not know stay as they were; only the spec's keys are replaced. Paths
/// inside the target's folder are written relative to it, so the folder can be moved as a whole.
/// Returns an empty string on success, else a message naming the file and the problem; on failure
/// the target is unchanged.
QString saveStudyFile(const StudySpec& spec, const QString& source, const QString& target);

}  // namespace basin::gui
