// Recovery, pass 1: reads every live segment once and writes down what is there, in log order,
// without deciding anything: intact runs of records, and damage events. Pass 2 (recovery.cc)
// applies the recovery mode to this list. Keeping the facts apart from the decisions lets one
// walk serve all four modes and makes each decision a small, testable rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <wal/fs.h>
#include <wal/options.h>
#include <wal/recovery_report.h>
#include <wal/status.h>

#include "record_format.h"

namespace wal::recovery {

struct WalkedSegment {
  std::string name;
  Lsn name_lsn = kNoLsn;
  std::uint64_t file_bytes = 0;
  std::uint64_t written_end = 0;  // just past the last non-zero byte seen (8-aligned)
  bool header_ok = false;
  format::SegmentHeader header;
};

// One entry of the walk, in log order.
struct Piece {
  enum class Kind : std::uint8_t {
    kSegmentStart,  // a segment with a valid header begins (holds its records from here on)
    kRun,           // consecutive intact records
    kDamage,        // something that is not an intact next record
  };
  Kind kind = Kind::kRun;
  std::size_t segment = 0;  // index into Walk::segments

  // kRun: [begin, end) bytes holding LSNs [first, last].
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  Lsn first = kNoLsn;
  Lsn last = kNoLsn;
  std::uint64_t records = 0;
  std::vector<Lsn> checkpoints;
  Lsn max_durable_hint = kNoLsn;

  // kDamage.
  std::uint64_t offset = 0;   // where the damage starts (the cut point)
  std::uint64_t length = 0;   // to where intact data resumes (or the end of the segment)
  Lsn lsn = kNoLsn;           // the LSN expected there
  DamageKind damage = DamageKind::kBadChecksum;
  std::string reason;
  bool drops_segment = false;  // the whole segment is unusable: a cut here keeps none of it
  bool never_tail = false;     // unreadable, or a damaged header over written data
  bool io_error = false;       // the read itself failed
  bool read_failed = false;    // ... on a segment that opened: an EIO, which may be transient
  bool injected = false;       // ... by a fault injector (Status::injected), kept for the error
};

struct Walk {
  std::vector<WalkedSegment> segments;
  std::vector<Piece> pieces;
};

// Walks the segments named in `names` (sorted by first LSN) in `dir`. `front_lsn` is the front
// marker's LSN (kNoLsn if none). Errors only for what no mode can get past: a segment of an
// unsupported format version.
[[nodiscard]] Result<Walk> walk_segments(Fs& fs, std::string_view dir,
                                         const std::vector<std::string>& names,
                                         Lsn front_lsn, const Options& options);

}  // namespace wal::recovery
