#include "report_json.h"

namespace walctl {

nlohmann::json to_json(const wal::DamagedRange& range) {
  return nlohmann::json{{"segment", range.segment}, {"offset", range.offset},
                        {"length", range.length},   {"lsn", range.lsn},
                        {"kind", wal::to_string(range.kind)}, {"reason", range.reason}};
}

std::string_view verdict(const wal::RecoveryReport& report) {
  if (report.clean()) return "clean";
  for (const wal::DamagedRange& range : report.damage) {
    if (range.kind != wal::DamageKind::kTornTail) return "corrupt";
  }
  return "torn-tail";
}

nlohmann::json to_json(const wal::RecoveryReport& report) {
  nlohmann::json damage = nlohmann::json::array();
  for (const wal::DamagedRange& range : report.damage) damage.push_back(to_json(range));
  return nlohmann::json{{"status", verdict(report)},
                        {"segments_scanned", report.segments_scanned},
                        {"first_lsn", report.first_lsn},
                        {"last_good_lsn", report.last_good_lsn},
                        {"checkpoint_lsn", report.checkpoint_lsn},
                        {"records_recovered", report.records_recovered},
                        {"records_skipped", report.records_skipped},
                        {"bytes_cut", report.bytes_cut},
                        {"torn_tail", report.torn_tail},
                        {"damage", damage}};
}

}  // namespace walctl
