// Pass 1 of recovery: the facts. See recovery_walk.h.
//
// Why the walk looks past an all-zero record header: a preallocated segment reads as zeros
// where nothing was written, so zeros usually mean "end of data". But a power loss may keep a
// later write and lose an earlier one (writeback reorders), leaving a hole of zeros before
// intact records. Only a search of the rest of the segment tells the two apart, and the torn-tail
// rule needs to know. The search skips zero runs cheaply and decodes only where bytes are set.
#include "recovery_walk.h"

#include <algorithm>

#include <fmt/format.h>

#include "recovery.h"
#include "mutant.h"
#include "recovery_chunk_reader.h"
#include "zero_bytes.h"

namespace wal::recovery {
namespace {

using format::DecodedRecord;
using format::DecodeStatus;
using format::kRecordAlign;
using format::kRecordHeaderBytes;
using format::kSegmentHeaderBytes;

std::uint64_t align_up(std::uint64_t value) {
  return (value + kRecordAlign - 1) / kRecordAlign * kRecordAlign;
}
std::uint64_t align_down(std::uint64_t value) { return value / kRecordAlign * kRecordAlign; }

using ::wal::detail::first_nonzero;

std::string header_problem(format::SegmentHeaderStatus status, std::uint64_t file_bytes) {
  using format::SegmentHeaderStatus;
  switch (status) {
    case SegmentHeaderStatus::kTooShort:
      return file_bytes == 0 ? "segment file is empty (no header)"
                             : fmt::format("segment file is {} bytes, shorter than its header",
                                           file_bytes);
    case SegmentHeaderStatus::kZero: return "segment header is all zeros (never written)";
    case SegmentHeaderStatus::kBadMagic: return "segment header has a wrong magic number";
    case SegmentHeaderStatus::kBadChecksum: return "segment header checksum mismatch";
    case SegmentHeaderStatus::kUnknownChecksum:
      return "segment header names an unknown checksum kind";
    case SegmentHeaderStatus::kBadCapacity:
      return "segment header claims a capacity above the 1 TiB a segment may have";
    case SegmentHeaderStatus::kUnsupportedVersion:
    case SegmentHeaderStatus::kOk: break;
  }
  return "segment header is damaged";
}

struct Resync {
  bool found = false;
  std::uint64_t offset = 0;
  Lsn lsn = kNoLsn;  // of the record found
  bool io_error = false;
  std::uint64_t io_offset = 0;
  Status io_status;
};

// Walks the records of one segment whose header is valid.
class RecordWalker {
 public:
  RecordWalker(Walk& walk, std::size_t index, ChunkReader& reader, const Options& options)
      : walk_(walk),
        index_(index),
        reader_(reader),
        kind_(walk.segments[index].header.checksum),
        salt_(walk.segments[index].header.salt),
        max_payload_(options.max_entry_bytes) {}

  // Returns the LSN expected after this segment; sets *clean when the segment ended at a
  // clean end of data (not at damage).
  Lsn walk(Lsn first_lsn, bool* clean) {
    std::uint64_t offset = kSegmentHeaderBytes;
    Lsn expected = first_lsn;
    note_written(offset);
    while (true) {
      if (offset >= reader_.file_bytes()) {
        close_run();
        *clean = true;
        return expected;
      }
      Status io_status;
      const DecodedRecord record = decode_at(offset, expected, &io_status);
      if (!io_status.is_ok()) {
        close_run();
        push_unreadable(offset, expected, io_status);
        *clean = false;
        return expected;
      }
      if (record.status == DecodeStatus::kOk) {
        if (record.meta.type != format::RecordType::kPadding) add_to_run(offset, record);
        offset += record.total_bytes;
        expected = record.meta.lsn + record.meta.count;
        note_written(offset);
        continue;
      }
      close_run();
      const Resync resync = find_next(offset, expected);
      if (record.status == DecodeStatus::kZero && !resync.found && !resync.io_error) {
        *clean = true;  // zeros to the end: the end of written data
        return expected;
      }
      push_damage(offset, expected, record, resync);
      if (resync.io_error) push_unreadable(resync.io_offset, expected, resync.io_status);
      if (!resync.found) {
        *clean = false;
        return expected;
      }
      // Reading goes on at the record found, with its LSN (the search decoded it: reading it
      // again could see other bytes if the file changes under a read-only walk).
      offset = resync.offset;
      expected = resync.lsn;
    }
  }

 private:
  DecodedRecord decode_at(std::uint64_t offset, Lsn expected, Status* io_status) {
    // Whatever the window already holds past a whole header is reused; a record running past
    // it comes back kTruncated and is re-read below at its checked length.
    Result<std::span<const std::byte>> view =
        reader_.view(offset, ChunkReader::kDefaultChunkBytes, kRecordHeaderBytes);
    // The read-ahead may reach a bad sector past this record: read just the header then.
    if (!view) view = reader_.view(offset, kRecordHeaderBytes);
    if (!view) {
      *io_status = view.error();
      return {};
    }
    DecodedRecord record = format::decode_record(kind_, salt_, expected, max_payload_, *view);
    if (record.status == DecodeStatus::kTruncated && record.total_bytes > view->size() &&
        offset + record.total_bytes <= reader_.file_bytes()) {
      // A record larger than the window: grow the window to it (bounded by the file's size and
      // by the header's checked length), never to what an unchecked length says.
      view = reader_.view(offset, record.total_bytes);
      if (!view) {
        *io_status = view.error();
        return {};
      }
      record = format::decode_record(kind_, salt_, expected, max_payload_, *view);
    }
    return record;
  }

  // Searches [from, end of segment) at record alignment for an intact record of this log with
  // an LSN at or above `expected_lsn`, the LSN the damage stands in place of (so no LSN is
  // ever accepted twice), and with room before it for the LSNs it would skip. Also notes how far
  // non-zero bytes reach.
  //
  // Room: records are written back to back, so a record with an LSN above `expected_lsn` that
  // starts less than one record header past `from` leaves no room for the LSNs in between: it
  // is out of place (a misdirected write's copy of a later record landed over the damaged one).
  // Resuming there would skip the intact records that follow, leaving them on disk unreturned,
  // for a later flip in the copy to bring back: the same directory would recover to two logs
  // (swarm seed 930085: a copy of LSN 22 16 bytes into LSN 11's place hid LSNs 13..21). A
  // record of `expected_lsn` itself needs no room: the bytes before it may hold no LSN at all,
  // as when a misdirected write put the records before it early (harness FaultKindTest,
  // misdirected_write under periodic sync, seed 10).
  Resync find_next(std::uint64_t from, Lsn expected_lsn) {
    Resync result;
    std::uint64_t pos = align_up(from);
    const std::uint64_t end = reader_.file_bytes();
    while (pos + kRecordHeaderBytes <= end) {
      Result<std::span<const std::byte>> view =
          reader_.view(pos, ChunkReader::kDefaultChunkBytes, kRecordHeaderBytes);
      if (!view) view = reader_.view(pos, kRecordHeaderBytes);
      if (!view) {
        result.io_error = true;
        result.io_offset = pos;
        result.io_status = view.error();
        return result;
      }
      if (view->size() < kRecordHeaderBytes) break;  // the file shrank under us
      const std::optional<std::size_t> nonzero = first_nonzero(*view);
      if (!nonzero) {
        // A preallocated or sparse segment is mostly zeros: ask the file where data resumes
        // rather than reading gigabytes of them.
        pos = align_down(pos + view->size());
        pos = std::max(pos, align_down(reader_.next_data(pos)));
        continue;
      }
      const std::uint64_t at = pos + *nonzero;
      note_written(align_up(at + 1));
      // The first header that can contain byte `at` starts at most 39 bytes before it.
      const std::uint64_t lowest = at >= kRecordHeaderBytes - 1 ? at - (kRecordHeaderBytes - 1) : 0;
      pos = std::max(pos, align_up(lowest));
      Status io_status;
      const DecodedRecord record = decode_at(pos, kNoLsn, &io_status);
      if (!io_status.is_ok()) {
        result.io_error = true;
        result.io_offset = pos;
        result.io_status = io_status;
        return result;
      }
      const bool room = record.meta.lsn == expected_lsn || pos - from >= kRecordHeaderBytes;
      if (record.status == DecodeStatus::kOk && record.meta.type != format::RecordType::kPadding &&
          record.meta.lsn >= expected_lsn && room) {
        result.found = true;
        result.offset = pos;
        result.lsn = record.meta.lsn;
        return result;
      }
      pos += kRecordAlign;
    }
    return result;
  }

  void add_to_run(std::uint64_t offset, const DecodedRecord& record) {
    if (!run_) {
      run_.emplace();
      run_->kind = Piece::Kind::kRun;
      run_->segment = index_;
      run_->begin = offset;
      run_->first = record.meta.lsn;
    }
    run_->end = offset + record.total_bytes;
    run_->last = record.meta.lsn + record.meta.count - 1;
    run_->records += 1;
    run_->max_durable_hint = std::max(run_->max_durable_hint, record.meta.durable_hint);
    if (record.meta.type == format::RecordType::kCheckpoint) {
      run_->checkpoints.push_back(record.meta.lsn);
    }
  }

  void close_run() {
    if (run_) walk_.pieces.push_back(std::move(*run_));
    run_.reset();
  }

  void note_written(std::uint64_t offset) {
    WalkedSegment& segment = walk_.segments[index_];
    segment.written_end = std::max(segment.written_end, offset);
  }

  void push_damage(std::uint64_t offset, Lsn expected, const DecodedRecord& record,
                   const Resync& resync) {
    Piece piece;
    piece.kind = Piece::Kind::kDamage;
    piece.segment = index_;
    piece.offset = offset;
    piece.length = (resync.found ? resync.offset : reader_.file_bytes()) - offset;
    piece.lsn = expected;
    const std::uint64_t remaining = reader_.file_bytes() - offset;
    switch (record.status) {
      case DecodeStatus::kZero:
        piece.damage = DamageKind::kBadHeader;
        piece.reason = fmt::format(
            "record header is all zeros but an intact record follows at offset {} (a lost write)",
            resync.offset);
        break;
      case DecodeStatus::kTruncated:
        piece.damage = DamageKind::kBadHeader;
        piece.reason =
            record.total_bytes == 0
                ? fmt::format("incomplete record header: only {} bytes before the end of the file",
                              remaining)
                : fmt::format("record of {} bytes runs past the end of the file ({} bytes left)",
                              record.total_bytes, remaining);
        break;
      case DecodeStatus::kBadHeaderCrc:
        piece.damage = DamageKind::kBadChecksum;
        piece.reason = "record header checksum mismatch";
        break;
      case DecodeStatus::kBadPayloadSum:
        piece.damage = DamageKind::kBadChecksum;
        piece.reason = fmt::format("payload checksum mismatch in a record of {} bytes",
                                   record.total_bytes);
        break;
      case DecodeStatus::kBadHeader:
        piece.damage = DamageKind::kBadHeader;
        piece.reason = "record header has impossible values (type, count, LSN or length)";
        break;
      case DecodeStatus::kStale:
        piece.damage = DamageKind::kStaleRecord;
        piece.reason =
            record.total_bytes == 0
                ? std::string("record belongs to another log or an older incarnation (salt "
                              "mismatch)")
                : fmt::format("intact record carries LSN {} where LSN {} was expected",
                              record.meta.lsn, expected);
        break;
      case DecodeStatus::kOk: WAL_ASSERT(false && "kOk is not damage"); break;
    }
    walk_.pieces.push_back(std::move(piece));
  }

  void push_unreadable(std::uint64_t offset, Lsn expected, const Status& status) {
    Piece piece;
    piece.kind = Piece::Kind::kDamage;
    piece.segment = index_;
    piece.offset = offset;
    piece.length = reader_.file_bytes() - offset;
    piece.lsn = expected;
    piece.damage = DamageKind::kUnreadable;
    piece.reason = fmt::format("read failed: {}", status.to_string());
    piece.never_tail = true;
    piece.io_error = true;
    piece.read_failed = true;
    piece.injected = status.injected();
    walk_.pieces.push_back(std::move(piece));
  }

  Walk& walk_;
  std::size_t index_;
  ChunkReader& reader_;
  ChecksumKind kind_;
  std::uint64_t salt_;
  std::uint32_t max_payload_;
  std::optional<Piece> run_;
};

Piece segment_damage(std::size_t index, Lsn lsn, std::uint64_t length, DamageKind kind,
                     std::string reason) {
  Piece piece;
  piece.kind = Piece::Kind::kDamage;
  piece.segment = index;
  piece.offset = 0;
  piece.length = length;
  piece.lsn = lsn;
  piece.damage = kind;
  piece.reason = std::move(reason);
  piece.drops_segment = true;
  return piece;
}

}  // namespace

Result<Walk> walk_segments(Fs& fs, std::string_view dir, const std::vector<std::string>& names,
                           Lsn front_lsn, const Options& options) {
  Walk walk;
  std::optional<std::uint64_t> log_salt;
  Lsn expected = front_lsn;  // kNoLsn: unknown until the first segment
  bool previous_clean = true;
  for (const std::string& name : names) {
    const std::size_t index = walk.segments.size();
    WalkedSegment& segment = walk.segments.emplace_back();
    segment.name = name;
    // A continuation (FORMAT.md 3.2) is walked under its temp name, "<segment name>.tmp".
    WAL_ASSERT(parse_segment_name(strip_temp_suffix(name), &segment.name_lsn));
    const Lsn damaged_lsn = expected != kNoLsn ? expected : segment.name_lsn;
    auto unreadable = [&](const Status& status, bool read_failed) {
      Piece piece = segment_damage(index, damaged_lsn, segment.file_bytes, DamageKind::kUnreadable,
                                   fmt::format("cannot read segment: {}", status.to_string()));
      piece.never_tail = true;
      piece.io_error = true;
      piece.read_failed = read_failed;
      piece.injected = status.injected();
      walk.pieces.push_back(std::move(piece));
      previous_clean = false;
    };

    Result<std::unique_ptr<File>> file = fs.open(join_path(dir, name), OpenMode::kReadOnly);
    if (!file) {
      unreadable(file.error(), false);  // not a regular file, permissions: it stays so
      continue;
    }
    Result<std::uint64_t> size = (*file)->size();
    if (!size) {
      unreadable(size.error(), true);
      continue;
    }
    segment.file_bytes = *size;
    ChunkReader reader(**file, segment.file_bytes);
    Result<std::span<const std::byte>> head = reader.view(0, kSegmentHeaderBytes + kRecordHeaderBytes);
    if (!head) {
      unreadable(head.error(), true);
      continue;
    }
    const format::SegmentHeaderResult header = format::decode_segment_header(*head);
    if (header.status == format::SegmentHeaderStatus::kUnsupportedVersion) {
      return Status::unsupported(fmt::format(
          "segment {} has format version {}; this build reads versions {} to {}", name,
          header.version, format::kOldestReadableVersion, format::kFormatVersion));
    }
    if (header.status != format::SegmentHeaderStatus::kOk) {
      // Bytes after a damaged header mean records may be behind it: never a harmless tail.
      const bool has_records =
          head->size() > kSegmentHeaderBytes && first_nonzero(head->subspan(kSegmentHeaderBytes));
      segment.written_end = has_records ? segment.file_bytes : 0;
      Piece piece = segment_damage(index, damaged_lsn, segment.file_bytes,
                                   DamageKind::kBadSegmentHeader,
                                   header_problem(header.status, segment.file_bytes));
      // Bug zoo: a damaged header is always taken for a torn creation, records behind it or not.
      piece.never_tail = has_records && !WAL_MUTANT("bad-header-is-tail");
      walk.pieces.push_back(std::move(piece));
      previous_clean = false;
      continue;
    }
    if (header.header.first_lsn != segment.name_lsn) {
      Piece piece = segment_damage(
          index, damaged_lsn, segment.file_bytes, DamageKind::kBadSegmentHeader,
          fmt::format("segment header names first LSN {} but the file name says {}",
                      header.header.first_lsn, segment.name_lsn));
      piece.never_tail = true;
      walk.pieces.push_back(std::move(piece));
      previous_clean = false;
      continue;
    }
    if (log_salt && header.header.salt != *log_salt) {
      walk.pieces.push_back(segment_damage(
          index, damaged_lsn, segment.file_bytes, DamageKind::kStaleRecord,
          fmt::format("segment belongs to another log (salt {:#018x}, the log's is {:#018x})",
                      header.header.salt, *log_salt)));
      continue;
    }
    const Lsn first_lsn = header.header.first_lsn;
    if (expected != kNoLsn && first_lsn < expected && index > 0) {
      walk.pieces.push_back(segment_damage(
          index, damaged_lsn, segment.file_bytes, DamageKind::kStaleRecord,
          fmt::format("segment starts at LSN {}, overlapping LSNs the log already holds "
                      "(expected {}): a stale leftover",
                      first_lsn, expected)));
      continue;
    }
    log_salt = header.header.salt;
    segment.header_ok = true;
    segment.header = header.header;
    if (expected != kNoLsn && previous_clean && first_lsn > expected) {
      Piece piece = segment_damage(
          index, expected, 0, DamageKind::kMissingSegment,
          fmt::format("no segment holds LSNs {}..{}", expected, first_lsn - 1));
      walk.pieces.push_back(std::move(piece));
    }
    Piece start;
    start.kind = Piece::Kind::kSegmentStart;
    start.segment = index;
    walk.pieces.push_back(std::move(start));
    RecordWalker walker(walk, index, reader, options);
    expected = walker.walk(first_lsn, &previous_clean);
  }
  return walk;
}

}  // namespace wal::recovery
