// What a recovery produced, read back through the WAL's own API (for the invariant checker):
// the RecoveryReport, every entry from the first LSN on, the next LSN, and what
// reader_from_checkpoint() returns. Shared by the simulated runs and the real-disk runs.
#pragma once

#include <wal/log.h>
#include <wal/log_core.h>

#include "sim/harness/invariants.h"

namespace harness {

// Fills everything of `out` but open_status. `from_checkpoint` false: leaves
// out.from_checkpoint unset (not checked).
void read_recovery(wal::LogCore& core, bool from_checkpoint, Recovery& out);
void read_recovery(wal::Log& log, bool from_checkpoint, Recovery& out);

}  // namespace harness
