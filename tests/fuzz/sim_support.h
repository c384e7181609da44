// What the SimFs-based targets share: a fixed clock, and reading a Reader to its end while
// checking each entry against the intact records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <wal/clock.h>
#include <wal/reader.h>

#include "fuzz_bytes.h"
#include "log_bytes.h"
#include "targets.h"

namespace wal_fuzz {

class FixedClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return 1'000'000; }
};

struct ReadEntry {
  wal::Lsn lsn = wal::kNoLsn;
  wal::EntryType type = wal::EntryType::kData;
  std::string payload;
  friend bool operator==(const ReadEntry&, const ReadEntry&) = default;
};

struct ReadResult {
  std::vector<ReadEntry> entries;
  bool error = false;  // next() failed (it ends the read)
  std::string error_text;
};

// Reads until nullopt or an error. Violation if an entry is not an intact record's, LSNs do not
// strictly increase, an LSN is below `from` or above `limit`, or there are more entries than
// intact records (a reader going round in circles).
Violation read_to_end(wal::Reader& reader, const IntactEntries& intact, wal::Lsn from,
                      wal::Lsn limit, ReadResult& out);

}  // namespace wal_fuzz
