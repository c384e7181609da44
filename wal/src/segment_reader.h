// The Reader over a log directory: streams records segment by segment through the Fs with
// its own read handles, one buffer sized to the largest record seen, views into it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <wal/fs.h>
#include <wal/reader.h>
#include <wal/recovery_report.h>
#include <wal/status.h>
#include <wal/types.h>

#include "recovery.h"

namespace wal::detail {

struct ReaderParams {
  Fs* fs = nullptr;
  std::string dir;
  std::uint64_t salt = 0;
  std::uint32_t max_entry_bytes = 0;
  // Entries above it are not yielded yet: the live log's durable_lsn (or, once it is closed,
  // its last LSN), read at every next().
  std::shared_ptr<const std::atomic<Lsn>> watermark;
  Lsn front_lsn = kNoLsn;  // oldest entry of the log; segments below it are ignored
  Lsn from_lsn = 1;        // first entry to yield (raised to front_lsn)
  // What recovery kept at open, in log order. The reader walks these runs and nothing between
  // them, so every kept entry is readable from any LSN whatever damage recovery stepped over
  // (skip-corrupted), and no byte recovery did not accept is ever judged again. Past the last
  // run the log is what the writer appended since: contiguous, segment after segment.
  std::vector<recovery::RecoveredRun> runs;
  Lsn open_next_lsn = 1;  // the first LSN the writer handed out after recovery
  // Segment files recovery looked at and did not keep, left on disk (skipped whole, or a
  // read-only open's leftovers): never read. A name at or above open_next_lsn may since have
  // been replaced by the writer's own segment of that name, so those are read only if their
  // header belongs to this log.
  std::vector<std::string> unkept;
};

[[nodiscard]] Result<std::unique_ptr<Reader>> open_segment_reader(ReaderParams params);

}  // namespace wal::detail
