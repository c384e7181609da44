// Human rendering of a RecoveryReport, as `walctl verify` prints it.
#include <fmt/format.h>
#include <wal/recovery_report.h>

namespace wal {

std::string_view to_string(DamageKind kind) {
  switch (kind) {
    case DamageKind::kTornTail: return "torn-tail";
    case DamageKind::kBadChecksum: return "bad-checksum";
    case DamageKind::kBadHeader: return "bad-header";
    case DamageKind::kStaleRecord: return "stale-record";
    case DamageKind::kBadSegmentHeader: return "bad-segment-header";
    case DamageKind::kMissingSegment: return "missing-segment";
    case DamageKind::kUnreadable: return "unreadable";
  }
  return "unknown";
}

std::string RecoveryReport::to_string() const {
  std::string text;
  const char* verdict = clean() ? "clean" : (torn_tail && damage.size() == 1 ? "torn tail" : "damaged");
  text += fmt::format("status: {}\n", verdict);
  text += fmt::format("segments scanned: {}\n", segments_scanned);
  if (last_good_lsn == kNoLsn) {
    text += "entries: none\n";
  } else {
    text += fmt::format("entries: {}..{}\n", first_lsn, last_good_lsn);
  }
  if (checkpoint_lsn != kNoLsn) text += fmt::format("checkpoint: {}\n", checkpoint_lsn);
  text += fmt::format("records recovered: {}\n", records_recovered);
  if (records_skipped != 0) text += fmt::format("records skipped: {}\n", records_skipped);
  if (bytes_cut != 0) text += fmt::format("bytes cut: {}\n", bytes_cut);
  for (const DamagedRange& range : damage) {
    text += fmt::format("damage: {} in {} at offset {} ({} bytes), lsn {}: {}\n",
                        wal::to_string(range.kind), range.segment, range.offset, range.length,
                        range.lsn, range.reason);
  }
  return text;
}

}  // namespace wal
