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
  // skip-corrupted only: the damaged ranges recovery stepped over. The reader steps over
  // exactly these (each runs to the record where reading resumes); any other damage is still
  // an error, so salvage never hides damage that recovery did not report.
  std::vector<DamagedRange> skipped;
  // Segment files recovery did not keep but left on disk (a read-only open): never read.
  std::vector<std::string> ignored;
};

[[nodiscard]] Result<std::unique_ptr<Reader>> open_segment_reader(ReaderParams params);

}  // namespace wal::detail
