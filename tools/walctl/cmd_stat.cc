// walctl stat: the shape of a log from a read-only recovery scan. It needs per-segment detail
// (LSN ranges, used bytes) that the public RecoveryReport does not carry, hence the internal
// recovery header.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>

#include "recovery.h"
#include "commands.h"
#include "exit_codes.h"
#include "log_dir.h"

namespace walctl {
namespace {

// The version written in a segment's header, or 0 if it cannot be read.
std::uint32_t on_disk_version(wal::Fs& fs, const std::string& path) {
  auto file = fs.open(path, wal::OpenMode::kReadOnly);
  if (!file) return 0;
  std::array<std::byte, wal::format::kSegmentHeaderBytes> bytes{};
  auto n = (*file)->read_at(0, bytes);
  if (!n || *n != bytes.size()) return 0;
  return wal::format::decode_segment_header(bytes).version;
}

std::string range_text(const wal::recovery::SegmentInfo& segment) {
  if (segment.last_lsn < segment.first_lsn) return "(empty)";
  return fmt::format("{}..{}", segment.first_lsn, segment.last_lsn);
}

}  // namespace

int run_stat(const StatArgs& args) {
  wal::Fs& fs = fs_or_posix(args.fs);
  if (auto code = check_log_dir(fs, "stat", args.dir)) return *code;
  if (auto code = check_holds_log(fs, "stat", args.dir)) return *code;
  // Salvage mode: show everything readable even in a damaged log; the damage is summarised.
  wal::Result<wal::recovery::ScanResult> scanned = wal::recovery::scan(
      fs, args.dir, read_only_options(wal::RecoveryMode::kSkipCorrupted));
  if (!scanned) return report_failure("stat", scanned.error());
  const wal::recovery::ScanResult& scan = *scanned;
  const wal::RecoveryReport& report = scan.report;

  std::uint64_t total_bytes = 0;
  for (const auto& segment : scan.segments) total_bytes += segment.file_bytes;
  const std::uint32_t version =
      scan.segments.empty()
          ? 0
          : on_disk_version(fs, wal::join_path(args.dir, scan.segments.back().name));

  if (args.json) {
    nlohmann::json segments = nlohmann::json::array();
    for (const auto& segment : scan.segments) {
      segments.push_back({{"name", segment.name},
                          {"file_bytes", segment.file_bytes},
                          {"used_bytes", segment.end_offset},
                          {"first_lsn", segment.first_lsn},
                          {"last_lsn", segment.last_lsn}});
    }
    nlohmann::json out{{"segments", segments},
                       {"first_lsn", report.first_lsn},
                       {"last_lsn", report.last_good_lsn},
                       {"checkpoint_lsn", report.checkpoint_lsn},
                       {"format_version", version},
                       {"checksum", scan.empty ? "" : wal::to_string(scan.header.checksum)},
                       {"total_bytes", total_bytes},
                       {"damaged_ranges", report.damage.size()}};
    fmt::print("{}\n", out.dump());
    return kExitOk;
  }

  std::string out;
  if (scan.empty) {
    out += "empty log: no segments\n";
  } else {
    out += fmt::format("{:<28} {:>14} {:>14}  {}\n", "segment", "file bytes", "used bytes", "lsns");
    for (const auto& segment : scan.segments) {
      out += fmt::format("{:<28} {:>14} {:>14}  {}\n", segment.name, segment.file_bytes,
                         segment.end_offset, range_text(segment));
    }
  }
  auto lsn_text = [](wal::Lsn lsn) { return lsn == wal::kNoLsn ? std::string("none") : fmt::format("{}", lsn); };
  out += fmt::format("first lsn: {}\n", lsn_text(report.first_lsn));
  out += fmt::format("last lsn: {}\n", lsn_text(report.last_good_lsn));
  out += fmt::format("checkpoint: {}\n", lsn_text(report.checkpoint_lsn));
  if (!scan.empty) {
    out += fmt::format("format version: {}\n", version);
    out += fmt::format("checksum: {}\n", wal::to_string(scan.header.checksum));
  }
  out += fmt::format("total bytes: {}\n", total_bytes);
  if (!report.clean()) {
    out += fmt::format("damaged ranges: {} (run `walctl verify` for details)\n",
                       report.damage.size());
  }
  fmt::print("{}", out);
  return kExitOk;
}

}  // namespace walctl
