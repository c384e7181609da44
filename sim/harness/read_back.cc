#include "sim/harness/read_back.h"

#include <memory>
#include <optional>

namespace harness {
namespace {

// Every entry `reader` returns, until the end (true) or an error (false, in `status`).
bool drain(wal::Reader& reader, std::vector<RecoveredEntry>& out, wal::Status& status) {
  for (;;) {
    wal::Result<std::optional<wal::Entry>> next = reader.next();
    if (!next) {
      status = next.error();
      return false;
    }
    if (!next->has_value()) return true;
    out.push_back(RecoveredEntry::from(**next));
  }
}

// wal::LogCore and wal::Log answer the same questions under the same names.
template <typename Log>
void read_from(Log& core, bool from_checkpoint, Recovery& out) {
  out.report = core.recovery_report();
  out.next_lsn = core.last_lsn() + 1;
  const wal::Lsn first = core.first_lsn();
  if (first != wal::kNoLsn) {
    wal::Result<std::unique_ptr<wal::Reader>> reader = core.reader(first);
    if (!reader) {
      out.read_status = reader.error();
    } else {
      drain(**reader, out.entries, out.read_status);
    }
  }
  if (!from_checkpoint) return;
  wal::Result<std::unique_ptr<wal::Reader>> reader = core.reader_from_checkpoint();
  if (!reader) {
    out.from_checkpoint_status = reader.error();
    return;
  }
  std::vector<RecoveredEntry> entries;
  if (drain(**reader, entries, out.from_checkpoint_status)) out.from_checkpoint = std::move(entries);
}

}  // namespace

void read_recovery(wal::LogCore& core, bool from_checkpoint, Recovery& out) {
  read_from(core, from_checkpoint, out);
}
void read_recovery(wal::Log& log, bool from_checkpoint, Recovery& out) {
  read_from(log, from_checkpoint, out);
}

}  // namespace harness
