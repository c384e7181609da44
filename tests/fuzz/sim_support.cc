#include "sim_support.h"

#include <fmt/format.h>

namespace wal_fuzz {

Violation read_to_end(wal::Reader& reader, const IntactEntries& intact, wal::Lsn from,
                      wal::Lsn limit, ReadResult& out) {
  for (;;) {
    wal::Result<std::optional<wal::Entry>> next = reader.next();
    if (!next) {
      out.error = true;
      out.error_text = next.error().to_string();
      return std::nullopt;
    }
    if (!next->has_value()) return std::nullopt;
    const wal::Entry& entry = **next;
    if (!intact.contains(entry.lsn, entry.type, entry.payload)) {
      return fmt::format("reader returned lsn {} ({} bytes) that no intact record holds",
                         entry.lsn, entry.payload.size());
    }
    if (!out.entries.empty() && entry.lsn <= out.entries.back().lsn) {
      return fmt::format("reader returned lsn {} after lsn {}", entry.lsn, out.entries.back().lsn);
    }
    if (entry.lsn < from || entry.lsn > limit) {
      return fmt::format("reader returned lsn {} outside [{}, {}]", entry.lsn, from, limit);
    }
    out.entries.push_back({entry.lsn, entry.type, to_string(entry.payload)});
    if (out.entries.size() > intact.size()) return "reader returned more entries than exist";
  }
}

}  // namespace wal_fuzz
