// Streaming reader: O(1) memory in the size of the log, zero-copy views.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include <wal/status.h>
#include <wal/types.h>

namespace wal {

struct Entry {
  Lsn lsn = kNoLsn;
  EntryType type = EntryType::kData;
  // Points into the reader's buffer: valid until the next call to next() or the reader dies.
  std::span<const std::byte> payload;
};

class Reader {
 public:
  virtual ~Reader() = default;
  // The next entry in LSN order, or nullopt at the current end: the durable watermark of a
  // live log (call again later to tail new entries), or the end of a closed log.
  // Damage is an error (kCorruption naming segment, offset and LSN), never an early end.
  [[nodiscard]] virtual Result<std::optional<Entry>> next() = 0;
};

}  // namespace wal
