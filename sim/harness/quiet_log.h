// Silences the WAL's own log for runs whose verdicts say what broke. The WAL logs through a spdlog
// logger named "wal" (wal/src/logger.h), created at its first use with level warn whatever
// spdlog's global level is then; every injected EIO or simulated power cut would print a line.
#pragma once

namespace harness {

// Registers a silent "wal" logger, or silences the one already there.
void quiet_wal_log();

}  // namespace harness
