// The Reader over a log directory: streams records segment by segment through the Fs with
// its own read handles, one buffer sized to the largest record seen, views into it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <wal/fs.h>
#include <wal/reader.h>
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
};

[[nodiscard]] Result<std::unique_ptr<Reader>> open_segment_reader(ReaderParams params);

}  // namespace wal::detail
