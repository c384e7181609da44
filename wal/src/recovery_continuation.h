// Recovery, after the decisions: a continuation left by a rotation that was not yet published
// (wal/FORMAT.md 3.2). The writer appends into "<next segment>.tmp" while the finished segment
// syncs in the background, so a process crash can leave records there that the OS already has:
// they survive a crash without a power loss and must not be lost. A power loss may leave the
// finished segment without its tail; then the continuation does not continue the log (its first
// LSN is not the log's next one) and stays a leftover: nothing in it was ever acknowledged
// durable, because every sync ticket publishes it first.
#pragma once

#include <string_view>

#include <wal/fs.h>
#include <wal/options.h>
#include <wal/status.h>

#include "recovery.h"

namespace wal::recovery {

// Adds the continuation's intact records to `result` when one continues the log exactly: the
// newest kept segment holds a record, and a leftover "<segment name of result.next_lsn>.tmp"
// has a header that is valid, of version 2 or later, of this log's salt, and whose first LSN
// is result.next_lsn. Its records are judged
// alone, and the log ends at its first damage (absolute mode fails there instead; a writable
// open fails on a read error, as everywhere). Errors only for what the mode makes fatal.
[[nodiscard]] Status adopt_continuation(Fs& fs, std::string_view dir, const Options& options,
                                        ScanResult& result);

}  // namespace wal::recovery
