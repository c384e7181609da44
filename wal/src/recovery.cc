// Pass 2 of recovery: the decisions. The walk (recovery_walk.cc) lists intact runs and damage
// events in log order; here each event is classified as tail or not, and the recovery mode says
// what happens to it:
//
//   event is tail (no intact later record proves it durable, no intact data in a later segment)
//     absolute: fail      tolerate-tail: cut      point-in-time: cut      skip-corrupted: cut
//   event is not tail (durable, or followed by intact data in a later segment, or unreadable)
//     absolute: fail      tolerate-tail: fail     point-in-time: cut      skip-corrupted: skip
//
// skip-corrupted never cuts at a tail whose later records prove earlier skipped damage durable:
// the cut would take the proof away and a second recovery would judge differently (see
// settle_skip_corrupted).
//
// "Cut" keeps everything before the event and discards the rest (listed in leftovers);
// "skip" reports the event and carries on at the next intact record. Every event that is
// acted on is in the report, so damage before the tail is never silently the end of the log.
#include "recovery.h"

#include <algorithm>

#include <fmt/format.h>

#include "mutant.h"
#include "recovery_continuation.h"
#include "recovery_walk.h"

namespace wal::recovery {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

struct Listing {
  std::vector<std::string> segments;  // sorted by first LSN
  bool has_front = false;
  std::vector<std::string> temps;
};

Listing classify(const std::vector<std::string>& names) {
  Listing listing;
  std::vector<std::pair<Lsn, std::string>> segments;
  for (const std::string& name : names) {
    Lsn first_lsn = kNoLsn;
    if (name == kLockName) continue;
    if (name == kFrontMarkerName) {
      listing.has_front = true;
    } else if (ends_with(name, kTempSuffix)) {
      listing.temps.push_back(name);
    } else if (parse_segment_name(name, &first_lsn)) {
      segments.emplace_back(first_lsn, name);
    }
    // Anything else is not ours: left alone.
  }
  std::sort(segments.begin(), segments.end());
  for (auto& [lsn, name] : segments) listing.segments.push_back(std::move(name));
  return listing;
}

// The front marker, or a damage entry saying why it could not be used (then it is ignored:
// without it every remaining segment counts, which loses nothing).
// `io_error`: set when the marker could not be read at all (an I/O error, not damage).
Lsn read_front(Fs& fs, std::string_view dir, std::optional<DamagedRange>* damage,
               std::optional<Status>* io_error) {
  auto fail = [&](DamageKind kind, std::string reason) {
    DamagedRange& range = damage->emplace();
    range.segment = std::string(kFrontMarkerName);
    range.kind = kind;
    range.reason = std::move(reason);
    return kNoLsn;
  };
  Result<std::unique_ptr<File>> file = fs.open(join_path(dir, kFrontMarkerName), OpenMode::kReadOnly);
  if (!file) {
    *io_error = file.error();
    return fail(DamageKind::kUnreadable, "cannot open: " + file.error().to_string());
  }
  std::array<std::byte, kFrontMarkerBytes + 1> bytes{};
  std::size_t have = 0;
  while (have < bytes.size()) {
    Result<std::size_t> got = (*file)->read_at(have, std::span(bytes).subspan(have));
    if (!got) {
      *io_error = got.error();
      return fail(DamageKind::kUnreadable, "cannot read: " + got.error().to_string());
    }
    if (*got == 0) break;
    have += *got;
  }
  const std::optional<Lsn> front = decode_front_marker(std::span(bytes).first(have));
  if (!front) return fail(DamageKind::kBadHeader, "front marker is damaged; it is ignored");
  return *front;
}

struct Verdict {
  std::vector<bool> tail;        // per piece (meaningful for damage pieces)
  std::vector<Lsn> proven_up_to;  // per piece: max durable_hint of intact records after it
  std::vector<bool> followed;    // per piece: intact records in a later segment
  std::vector<bool> holds_proof;  // per piece: not tail because a cut would drop a proof (below)
};

// Classifies the damage among walk.pieces[0, end): what the log holds if everything from `end`
// on is cut. A piece marked in `holds_proof` is not tail.
Verdict classify_damage(const Walk& walk, std::size_t end, const std::vector<bool>& holds_proof) {
  const std::size_t n = walk.pieces.size();
  Verdict verdict{std::vector<bool>(n), std::vector<Lsn>(n), std::vector<bool>(n),
                  std::vector<bool>(n)};
  Lsn max_hint = kNoLsn;
  std::optional<std::size_t> last_run_segment;
  bool nontail_after = false;
  for (std::size_t i = end; i-- > 0;) {
    const Piece& piece = walk.pieces[i];
    if (piece.kind == Piece::Kind::kRun) {
      max_hint = std::max(max_hint, piece.max_durable_hint);
      if (!last_run_segment) last_run_segment = piece.segment;
      continue;
    }
    if (piece.kind != Piece::Kind::kDamage) continue;
    const bool followed =
        last_run_segment && (*last_run_segment > piece.segment ||
                             (piece.drops_segment && *last_run_segment == piece.segment));
    const bool proven = max_hint >= piece.lsn;
    verdict.proven_up_to[i] = max_hint;
    verdict.followed[i] = followed;
    verdict.holds_proof[i] = i < holds_proof.size() && holds_proof[i];
    // Tails are a suffix of the events: damage before non-tail damage is not tail either.
    verdict.tail[i] = !piece.never_tail && !proven && !followed && !nontail_after &&
                      !verdict.holds_proof[i];
    // Bug zoo: any damage is taken for a torn tail and silently becomes the end of the log.
    if (WAL_MUTANT("mid-log-damage-is-end")) verdict.tail[i] = true;
    if (!verdict.tail[i]) nontail_after = true;
  }
  return verdict;
}

std::optional<std::size_t> first_tail(const Walk& walk, const Verdict& verdict, std::size_t end) {
  for (std::size_t i = 0; i < end; ++i) {
    if (walk.pieces[i].kind == Piece::Kind::kDamage && verdict.tail[i]) return i;
  }
  return std::nullopt;
}

// skip-corrupted keeps damage that later records prove durable (or that later segments' data
// follows) and cuts at the first tail. But the proof of an earlier skip may lie in records
// after that tail, which the cut discards: the next recovery of the same directory no longer
// sees the proof, takes the earlier damage for the tail and cuts there, dropping entries the
// first recovery kept, intact and maybe acknowledged durable (swarm seed 5500: a batch at LSN
// 41 flipped, LSNs 46..47 kept on the proof of LSN 49's durable_hint, then the cut at LSN 48,
// also flipped, took LSN 49 away; the second recovery cut at LSN 41). Recovery must give the
// same log however often it runs, so a cut must leave a log in which the same rules find no
// tail before it. Where one would, the tail is not cut but skipped like other non-tail damage
// (its piece "holds proof"), so the proving records stay: judging the earlier damage without
// the proof instead would throw away intact entries that are proven durable. What is kept
// past it is intact records only (checksums, salt, LSN order all pass), never garbage.
Verdict settle_skip_corrupted(const Walk& walk, Verdict verdict) {
  const std::size_t n = walk.pieces.size();
  std::vector<bool> holds_proof(n);
  // Each round marks one more piece, so this ends (damage events are few).
  while (const std::optional<std::size_t> cut = first_tail(walk, verdict, n)) {
    const Verdict after_cut = classify_damage(walk, *cut, {});
    if (!first_tail(walk, after_cut, *cut)) break;  // the cut log judges the same: cut
    holds_proof[*cut] = true;
    verdict = classify_damage(walk, n, holds_proof);
  }
  return verdict;
}

std::string why_not_tail(const Piece& piece, const Verdict& verdict, std::size_t i) {
  if (piece.io_error) return "";
  if (verdict.proven_up_to[i] >= piece.lsn) {
    return fmt::format("; later records show LSNs up to {} were durable",
                       verdict.proven_up_to[i]);
  }
  if (verdict.followed[i]) return "; intact records follow in later segments";
  if (verdict.holds_proof[i]) {
    return "; intact records after it prove earlier damage durable, which a cut here would lose";
  }
  if (piece.never_tail) return "; written data lies behind it";
  return "; damage follows it";
}

Status fatal(const Walk& walk, const Piece& piece, std::string_view what) {
  std::string message =
      fmt::format("{}: {} in segment {} at offset {} (LSN {}): {}", what, to_string(piece.damage),
                  walk.segments[piece.segment].name, piece.offset, piece.lsn, piece.reason);
  if (!piece.io_error) return Status::corruption(std::move(message));
  Status status = Status::io_error(std::move(message));
  if (piece.injected) status.mark_injected();  // the harness tells a fault's EIO from the WAL's
  return status;
}

DamagedRange range_of(const Walk& walk, const Piece& piece) {
  return DamagedRange{.segment = walk.segments[piece.segment].name,
                      .offset = piece.offset,
                      .length = piece.length,
                      .lsn = piece.lsn,
                      .kind = piece.damage,
                      .reason = piece.reason};
}

class ResultBuilder {
 public:
  ResultBuilder(const Walk& walk, ScanResult& result) : walk_(walk), result_(result) {}

  void add(const Piece& piece) {
    if (piece.kind == Piece::Kind::kSegmentStart) {
      const WalkedSegment& segment = walk_.segments[piece.segment];
      SegmentInfo& info = result_.segments.emplace_back();
      info.name = segment.name;
      info.first_lsn = segment.header.first_lsn;
      info.last_lsn = segment.header.first_lsn - 1;
      info.end_offset = format::kSegmentHeaderBytes;
      info.file_bytes = segment.file_bytes;
      result_.header = segment.header;
      kept_.push_back(piece.segment);
      return;
    }
    WAL_ASSERT(piece.kind == Piece::Kind::kRun);
    WAL_ASSERT(!kept_.empty() && kept_.back() == piece.segment);
    if (skipped_from_ != kNoLsn && piece.first > skipped_from_) {
      result_.report.records_skipped += piece.first - skipped_from_;
    }
    skipped_from_ = kNoLsn;
    SegmentInfo& info = result_.segments.back();
    result_.runs.push_back(
        {.segment = info.name, .begin = piece.begin, .end = piece.end, .first = piece.first,
         .last = piece.last});
    info.last_lsn = piece.last;
    info.end_offset = piece.end;
    info.checkpoints.insert(info.checkpoints.end(), piece.checkpoints.begin(),
                            piece.checkpoints.end());
    RecoveryReport& report = result_.report;
    report.records_recovered += piece.records;
    if (report.first_lsn == kNoLsn) report.first_lsn = piece.first;
    report.last_good_lsn = piece.last;
    if (!piece.checkpoints.empty()) report.checkpoint_lsn = piece.checkpoints.back();
  }

  // Discards the event at `index` and everything after it.
  void cut(std::size_t index, const Verdict& verdict) {
    skipped_from_ = kNoLsn;  // what follows a skip that a cut ends was cut, not skipped
    const Piece& piece = walk_.pieces[index];
    const WalkedSegment& segment = walk_.segments[piece.segment];
    std::uint64_t records_after = 0;
    Lsn first_after = kNoLsn;
    Lsn last_after = kNoLsn;
    for (std::size_t i = index + 1; i < walk_.pieces.size(); ++i) {
      const Piece& later = walk_.pieces[i];
      if (later.kind != Piece::Kind::kRun) continue;
      records_after += later.records;
      if (first_after == kNoLsn) first_after = later.first;
      last_after = later.last;
    }
    DamagedRange range = range_of(walk_, piece);
    range.length = segment.file_bytes - piece.offset;
    if (verdict.tail[index]) {
      // A whole segment cut off keeps its own kind (a bad header says more than "torn").
      if (!piece.drops_segment) range.kind = DamageKind::kTornTail;
      range.reason = fmt::format("torn tail cut off: {}", piece.reason);
      result_.report.torn_tail = true;
    } else {
      range.reason = fmt::format("{}{}; the log ends before it", piece.reason,
                                 why_not_tail(piece, verdict, index));
    }
    if (records_after > 0) {
      range.reason += fmt::format("; {} intact records after it (LSNs {}..{}) discarded",
                                  records_after, first_after, last_after);
    }
    result_.report.damage.push_back(std::move(range));

    std::uint64_t bytes_cut = 0;
    if (piece.drops_segment) {
      bytes_cut += segment.written_end;
      result_.leftovers.push_back(segment.name);
    } else {
      WAL_ASSERT(!kept_.empty() && kept_.back() == piece.segment);
      // The walk steps over padding records without making them part of a run, so intact
      // padding may lie between the last kept record and the damage (a data record retyped as
      // padding is one way). The log ends at its last record, as after a clean end: the
      // padding goes with the cut, so a repair of the repaired log finds nothing to cut.
      const std::uint64_t end = result_.segments.back().end_offset;
      WAL_ASSERT(end <= piece.offset);
      bytes_cut += segment.written_end > end ? segment.written_end - end : 0;
    }
    for (std::size_t s = piece.segment + 1; s < walk_.segments.size(); ++s) {
      bytes_cut += walk_.segments[s].written_end;
      result_.leftovers.push_back(walk_.segments[s].name);
    }
    result_.report.bytes_cut = bytes_cut;
  }

  // Reports a skipped event (skip-corrupted); the LSNs it loses are counted when the next kept
  // run shows where reading resumes.
  void skip(std::size_t index) {
    const Piece& piece = walk_.pieces[index];
    result_.report.damage.push_back(range_of(walk_, piece));
    if (piece.drops_segment && piece.damage != DamageKind::kMissingSegment) {
      result_.unkept.push_back(walk_.segments[piece.segment].name);
    }
    if (skipped_from_ == kNoLsn) skipped_from_ = piece.lsn;
  }

 private:
  const Walk& walk_;
  ScanResult& result_;
  std::vector<std::size_t> kept_;  // walk segment index of each result segment
  Lsn skipped_from_ = kNoLsn;      // first LSN of skipped damage not yet followed by a kept run
};

Lsn next_lsn_of(const ScanResult& result, const Walk& walk, Lsn front_lsn) {
  // Bug zoo: the next LSN is counted from the newest segment's records; with none (a crash
  // right after a rotation) the LSNs start over.
  if (!result.segments.empty() && WAL_MUTANT("lsn-restart-empty-segment") &&
      result.segments.back().last_lsn < result.segments.back().first_lsn) {
    return 1;
  }
  if (!result.segments.empty()) return result.segments.back().last_lsn + 1;
  // Nothing kept (every segment damaged from its start): the log starts over past every LSN a
  // segment's name shows was handed out, not at the oldest name, which would hand LSNs out a
  // second time. It also makes the choice survive the repair: LogCore::open keeps the segment of
  // that name until the new one replaces it, so a crash in the repair (any of its unlinks lost)
  // leaves the same evidence and the next recovery makes the same choice.
  Lsn next = std::max<Lsn>(1, front_lsn);
  for (const WalkedSegment& segment : walk.segments) next = std::max(next, segment.name_lsn);
  return next;
}

}  // namespace

Result<ScanResult> scan(Fs& fs, std::string_view dir, const Options& options) {
  Result<std::vector<std::string>> names = fs.list(dir);
  if (!names) {
    if (names.error().code() == Code::kNotFound) {
      return Status::not_found(fmt::format("log directory {} does not exist", dir));
    }
    Status status = names.error();
    return status.with_context(fmt::format("list log directory {}", dir));
  }
  const Listing listing = classify(*names);
  // Bug zoo: a temp file left by an interrupted segment creation is taken for foreign debris
  // and refuses the open, instead of being deleted as a leftover.
  if (!listing.temps.empty() && WAL_MUTANT("tmp-file-blocks-open")) {
    return Status::corruption(
        fmt::format("log directory {} holds an unexpected file {}", dir, listing.temps.front()));
  }
  ScanResult result;
  result.leftovers = listing.temps;
  std::optional<DamagedRange> front_damage;
  std::optional<Status> front_error;
  const Lsn front_lsn =
      listing.has_front ? read_front(fs, dir, &front_damage, &front_error) : kNoLsn;
  if (front_damage) {
    // A marker that cannot be read is an I/O failure, not damage: absolute mode fails the open
    // with that error (its code and its injected mark intact: swarm seeds 1017783, 1082889).
    if (options.recovery == RecoveryMode::kAbsolute && front_error) {
      return Status(*front_error).with_context(fmt::format("absolute consistency: read {}",
                                                           kFrontMarkerName));
    }
    if (options.recovery == RecoveryMode::kAbsolute) {
      return Status::corruption(fmt::format("absolute consistency: {}: {}", kFrontMarkerName,
                                            front_damage->reason));
    }
    result.report.damage.push_back(*front_damage);
  }

  // Segments holding only entries below the front marker: truncate_front was interrupted
  // between writing the marker and unlinking them.
  std::vector<std::string> live;
  for (std::size_t i = 0; i < listing.segments.size(); ++i) {
    Lsn next_first = kNoLsn;
    const bool below_front = front_lsn != kNoLsn && i + 1 < listing.segments.size() &&
                             parse_segment_name(listing.segments[i + 1], &next_first) &&
                             next_first <= front_lsn;
    (below_front ? result.leftovers : live).push_back(listing.segments[i]);
  }

  Result<Walk> walked = walk_segments(fs, dir, live, front_lsn, options);
  if (!walked) return walked.error();
  const Walk& walk = *walked;
  Verdict verdict = classify_damage(walk, walk.pieces.size(), {});
  if (options.recovery == RecoveryMode::kSkipCorrupted) {
    verdict = settle_skip_corrupted(walk, std::move(verdict));
  }

  // A read that failed (EIO) says nothing about the bytes: they may read fine tomorrow. A
  // writable open never cuts, skips or deletes what it could not read, nor hands out LSNs the
  // unread bytes may hold: it fails, and a retry (or an operator's walctl repair) decides.
  // Read-only opens (verify, dump) report it as unreadable damage. (Swarm seed 3163: a
  // point-in-time open cut at a transient EIO, deleted the later segments and reused their
  // durable LSNs.)
  if (!options.read_only) {
    for (const Piece& piece : walk.pieces) {
      if (piece.kind == Piece::Kind::kDamage && piece.read_failed) {
        return fatal(walk, piece, "cannot read the log; a writable open stops here rather than "
                                  "cut, skip or overwrite what it could not read");
      }
      // A segment name that cannot even be opened (a directory, a symlink loop, no
      // permission) can be neither removed nor replaced by the log: skipping it only moved the
      // failure to the first rotation onto its name, after the open had said yes (hostile
      // corpus, last-segment-is-a-directory under skip-corrupted: a flaky test, the rotation
      // timing).
      if (piece.kind == Piece::Kind::kDamage && piece.io_error && !piece.read_failed) {
        return fatal(walk, piece, "a segment cannot be opened; a writable open stops here "
                                  "rather than leave in the log's way what it cannot remove");
      }
    }
  }

  std::optional<std::size_t> cut;
  for (std::size_t i = 0; i < walk.pieces.size(); ++i) {
    const Piece& piece = walk.pieces[i];
    if (piece.kind != Piece::Kind::kDamage) continue;
    const bool tail = verdict.tail[i];
    switch (options.recovery) {
      case RecoveryMode::kAbsolute:
        return fatal(walk, piece, tail ? "absolute consistency: torn tail"
                                       : "absolute consistency: corruption");
      case RecoveryMode::kTolerateTail:
        if (!tail) {
          Piece described = piece;
          described.reason += why_not_tail(piece, verdict, i);
          return fatal(walk, described, "damage before the end of the log");
        }
        cut = i;
        break;
      case RecoveryMode::kPointInTime: cut = i; break;
      case RecoveryMode::kSkipCorrupted:
        if (tail) cut = i;
        break;
    }
    if (cut) break;
  }

  ResultBuilder builder(walk, result);
  for (std::size_t i = 0; i < walk.pieces.size(); ++i) {
    if (cut && i == *cut) {
      builder.cut(i, verdict);
      break;
    }
    if (walk.pieces[i].kind == Piece::Kind::kDamage) {
      builder.skip(i);  // only skip-corrupted gets here with damage
    } else {
      builder.add(walk.pieces[i]);
    }
  }

  for (const std::string& name : result.leftovers) {
    if (Lsn lsn = kNoLsn; parse_segment_name(name, &lsn)) result.unkept.push_back(name);
  }
  RecoveryReport& report = result.report;
  report.segments_scanned = static_cast<std::uint32_t>(walk.segments.size());
  if (front_lsn != kNoLsn && report.first_lsn != kNoLsn && front_lsn > report.first_lsn &&
      front_lsn <= report.last_good_lsn) {
    report.first_lsn = front_lsn;
  }
  result.empty = result.segments.empty();
  result.next_lsn = next_lsn_of(result, walk, front_lsn);
  // Bug zoo: after cutting a torn tail the writer resumes at the last intact record's LSN
  // instead of past it, so one LSN is handed out twice.
  if (report.torn_tail && result.next_lsn > 1 && WAL_MUTANT("reuse-lsn-after-torn-tail")) {
    result.next_lsn -= 1;
  }
  // A rotation's records not yet published (FORMAT.md 3.2), when they continue the log exactly.
  WAL_RETURN_IF_ERROR(adopt_continuation(fs, dir, options, result));
  if (!result.segments.empty()) {
    // Where the writer goes on: an empty run at the newest segment's end, so that a reader
    // goes from the last kept record to what is appended next even when the two lie in
    // different segments (damage skipped at the end of one, a kept empty segment after it).
    const SegmentInfo& newest = result.segments.back();
    result.runs.push_back({.segment = newest.name, .begin = newest.end_offset,
                           .end = newest.end_offset, .first = result.next_lsn,
                           .last = result.next_lsn - 1});
  }
  return result;
}

}  // namespace wal::recovery
