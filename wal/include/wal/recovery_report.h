// What open() (or verify()) found on disk. Damage before the tail is listed here in every
// recovery mode: it is never silently treated as the end of the log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <wal/types.h>

namespace wal {

enum class DamageKind : std::uint8_t {
  kTornTail,        // incomplete last write(s): cut off (tolerate-tail, point-in-time)
  kBadChecksum,     // a record whose header or payload fails its checksum
  kBadHeader,       // impossible field values (length past the segment, unknown type, ...)
  kStaleRecord,     // bytes from an older segment or another log (salt or LSN mismatch)
  kBadSegmentHeader,
  kMissingSegment,  // a gap in the LSN sequence between segments
  kUnreadable,      // the read itself failed (EIO, latent sector)
};

struct DamagedRange {
  std::string segment;        // file name, e.g. "00000000000000000001.wal"
  std::uint64_t offset = 0;   // byte offset in the segment where the damage starts
  std::uint64_t length = 0;   // bytes affected (to the end of the segment for a tail cut)
  Lsn lsn = kNoLsn;           // the LSN expected at that point
  DamageKind kind = DamageKind::kBadChecksum;
  std::string reason;         // one human sentence
};

struct RecoveryReport {
  std::uint32_t segments_scanned = 0;
  Lsn first_lsn = kNoLsn;        // oldest entry still in the log
  Lsn last_good_lsn = kNoLsn;    // last entry recovered
  Lsn checkpoint_lsn = kNoLsn;   // last checkpoint recovered
  std::uint64_t records_recovered = 0;
  std::uint64_t records_skipped = 0;  // skip-corrupted only
  std::uint64_t bytes_cut = 0;        // torn tail cut off (and kept aside by walctl repair)
  bool torn_tail = false;
  std::vector<DamagedRange> damage;   // in log order; empty means clean

  bool clean() const { return damage.empty(); }
  // Multi-line human summary, as `walctl verify` prints it.
  std::string to_string() const;
};

std::string_view to_string(DamageKind kind);

}  // namespace wal
