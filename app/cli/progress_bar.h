#pragma once
// A text progress bar on stderr, drawn only when stderr is a terminal.
#include "basin/progress.h"

namespace basin::cli {

/// A JobContext callback that draws "stage [#####     ] 12/40  ETA 3s" on stderr.
JobContext::Callback textProgressBar();

}  // namespace basin::cli
