#include "recovery_continuation.h"

#include <algorithm>

#include <fmt/format.h>

#include "mutant.h"
#include "recovery_walk.h"

namespace wal::recovery {
namespace {

// The leftover that may continue the log, and the LSN its name gives.
struct Candidate {
  std::string name;
  Lsn lsn = kNoLsn;
};

std::optional<Candidate> find_candidate(const ScanResult& result) {
  for (const std::string& name : result.leftovers) {
    if (strip_temp_suffix(name).size() == name.size()) continue;
    Lsn lsn = kNoLsn;
    if (!parse_segment_name(strip_temp_suffix(name), &lsn)) continue;
    if (lsn == result.next_lsn) return Candidate{name, lsn};
    // Bug zoo: any continuation is taken, however far past the log's end it starts: after a
    // power loss that kept it but not the finished segment's tail, the log gets a hole.
    if (lsn > result.next_lsn && WAL_MUTANT("adopt-continuation-after-gap")) {
      return Candidate{name, lsn};
    }
  }
  return std::nullopt;
}

}  // namespace

Status adopt_continuation(Fs& fs, std::string_view dir, const Options& options,
                          ScanResult& result) {
  // A rotation only follows a segment holding a record: a continuation of an empty one would
  // start where that segment starts (a fuzzed directory: two segments of one first LSN).
  if (result.segments.empty()) return Status::ok();
  const SegmentInfo& newest = result.segments.back();
  if (newest.last_lsn < newest.first_lsn) return Status::ok();
  // Bug zoo: the continuation is deleted like any temp file, and with it the records a crash
  // without a power loss left in it, which the OS had accepted.
  if (WAL_MUTANT("continuation-is-leftover")) return Status::ok();
  const std::optional<Candidate> candidate = find_candidate(result);
  if (!candidate) return Status::ok();
  Result<Walk> walked = walk_segments(fs, dir, {candidate->name}, kNoLsn, options);
  if (!walked) return walked.error();  // a newer format version: refused, as for segments
  const Walk& walk = *walked;
  const WalkedSegment& segment = walk.segments.front();
  if (!segment.header_ok || segment.header.version < 2 ||
      segment.header.salt != result.header.salt || segment.header.first_lsn != candidate->lsn) {
    return Status::ok();  // not a continuation of this log: a leftover like any temp file
  }
  SegmentInfo info{.name = candidate->name,
                   .first_lsn = candidate->lsn,
                   .last_lsn = candidate->lsn - 1,
                   .end_offset = format::kSegmentHeaderBytes,
                   .file_bytes = segment.file_bytes,
                   .checkpoints = {}};
  std::vector<RecoveredRun> runs;
  RecoveryReport& report = result.report;
  std::uint64_t records = 0;
  for (const Piece& piece : walk.pieces) {
    if (piece.kind == Piece::Kind::kRun) {
      runs.push_back({.segment = info.name, .begin = piece.begin, .end = piece.end,
                      .first = piece.first, .last = piece.last});
      info.last_lsn = piece.last;
      info.end_offset = piece.end;
      info.checkpoints.insert(info.checkpoints.end(), piece.checkpoints.begin(),
                              piece.checkpoints.end());
      records += piece.records;
      continue;
    }
    if (piece.kind != Piece::Kind::kDamage) continue;
    // Nothing in a continuation was acknowledged durable (a sync publishes it first), so any
    // damage in it is where a crash stopped its writes: the end of the log.
    if (piece.read_failed && !options.read_only) {
      return Status::io_error(fmt::format(
          "cannot read the log: continuation {} at offset {}: {}; a writable open stops here "
          "rather than cut what it could not read", info.name, piece.offset, piece.reason));
    }
    if (records > 0 && options.recovery == RecoveryMode::kAbsolute) {
      return Status::corruption(fmt::format(
          "absolute consistency: torn tail in continuation {} at offset {} (LSN {}): {}",
          info.name, piece.offset, piece.lsn, piece.reason));
    }
    if (records > 0) {
      report.damage.push_back(DamagedRange{
          .segment = info.name, .offset = piece.offset,
          .length = segment.file_bytes - piece.offset, .lsn = piece.lsn,
          .kind = DamageKind::kTornTail,
          .reason = fmt::format("torn tail cut off: {}", piece.reason)});
      report.torn_tail = true;
      report.bytes_cut += segment.written_end > info.end_offset
                              ? segment.written_end - info.end_offset : 0;
    }
    break;
  }
  if (records == 0) return Status::ok();  // nothing to adopt: the temp file is a leftover
  result.leftovers.erase(
      std::find(result.leftovers.begin(), result.leftovers.end(), candidate->name));
  report.records_recovered += records;
  report.segments_scanned += 1;
  if (report.first_lsn == kNoLsn) report.first_lsn = info.first_lsn;
  report.last_good_lsn = info.last_lsn;
  if (!info.checkpoints.empty()) report.checkpoint_lsn = info.checkpoints.back();
  result.header = segment.header;
  result.next_lsn = info.last_lsn + 1;
  result.runs.insert(result.runs.end(), runs.begin(), runs.end());
  result.segments.push_back(std::move(info));
  result.continuation = candidate->name;
  return Status::ok();
}

}  // namespace wal::recovery
