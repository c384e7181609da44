// Small helpers for tests that append to and read back a wal::Log.
#pragma once

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <wal/log.h>

namespace testutil {

inline std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

inline std::string text_of(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

struct Seen {
  wal::Lsn lsn = wal::kNoLsn;
  wal::EntryType type = wal::EntryType::kData;
  std::string payload;
  friend bool operator==(const Seen&, const Seen&) = default;
};

inline void PrintTo(const Seen& seen, std::ostream* out) {
  *out << "{" << seen.lsn << ", " << static_cast<int>(seen.type) << ", \"" << seen.payload
       << "\"}";
}

// Reads to the reader's current end; a read error fails the test and ends the list.
inline std::vector<Seen> read_all(wal::Reader& reader) {
  std::vector<Seen> seen;
  for (;;) {
    wal::Result<std::optional<wal::Entry>> entry = reader.next();
    EXPECT_TRUE(entry.is_ok()) << entry.status().to_string();
    if (!entry || !entry->has_value()) return seen;
    seen.push_back({(*entry)->lsn, (*entry)->type, text_of((*entry)->payload)});
  }
}

inline std::vector<Seen> read_log(wal::Log& log, wal::Lsn from = 1) {
  wal::Result<std::unique_ptr<wal::Reader>> reader = log.reader(from);
  EXPECT_TRUE(reader.is_ok()) << reader.status().to_string();
  if (!reader) return {};
  return read_all(**reader);
}

}  // namespace testutil
