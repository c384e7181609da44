// Log sequence numbers and entry kinds, shared by every part of the WAL API.
#pragma once

#include <cstdint>

namespace wal {

// Every entry gets the next LSN; the first entry of a new log is 1. 0 means "none".
using Lsn = std::uint64_t;
inline constexpr Lsn kNoLsn = 0;

struct LsnRange {
  Lsn first = kNoLsn;  // inclusive
  Lsn last = kNoLsn;   // inclusive
  friend bool operator==(const LsnRange&, const LsnRange&) = default;
};

enum class EntryType : std::uint8_t {
  kData = 1,        // append()
  kBatch = 2,       // one entry of an append_batch(); all or none of the batch is recovered
  kCheckpoint = 3,  // checkpoint()
};

}  // namespace wal
