// Where media damage lands. Uniform damage (any byte of any file) almost never hits the few
// bytes that decide how a log is read: a record header's length, LSN, count or type, a segment
// header, the FRONT marker, the seam between two records, the last durable record. Aimed damage
// reads the durable image's layout (wal/FORMAT.md) and picks one of those, so recovery's
// handling of each is exercised in every run that asks for it, not once in ten thousand.
//
// The layout is read the way a hostile reader would: a file is a segment if its header has the
// segment magic, records are followed by their length field while it stays inside the file, and
// the walk stops at the first header of zeros or anything that does not fit. Nothing here trusts
// a checksum: damage from an earlier crash is a structure like any other.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace faults {

enum class MediaAim : std::uint8_t {
  kUniform,    // any byte of any file with durable bytes (the historic behaviour)
  kStructure,  // one of the structural ranges below, chosen uniformly by kind
  kMixed,      // half and half, per fault
};

std::string_view to_string(MediaAim aim);
std::optional<MediaAim> parse_media_aim(std::string_view text);

// A range of one file's durable bytes with a structural role.
struct AimedRange {
  enum class Role : std::uint8_t {
    kSegmentHeader,
    kRecordLength,    // payload_bytes
    kRecordLsn,
    kRecordCount,
    kRecordType,
    kRecordHeader,    // the rest of a record header (checksums, durable hint, salt tag)
    kRecordSeam,      // the last 8 bytes of one record and the first 8 of the next
    kLastRecord,      // the last record the walk found in the file
    kFront,           // the FRONT marker
  };
  Role role = Role::kRecordHeader;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

std::string_view to_string(AimedRange::Role role);

// The structural ranges of one file's durable image, named `name` in its directory.
std::vector<AimedRange> structure_of(std::string_view name, std::span<const std::byte> durable);

// The LSNs whose records a damage of [offset, offset + length) in this file's durable image
// touches, read from the image before the damage: a record's own LSNs, a whole segment's for
// its header, from the damaged record to the segment's last for bytes past where the walk could
// follow the records. Nullopt: no record of a log there (not a segment, zeros, FRONT).
// The oracle uses it to know which records an injected fault could have destroyed, so that a
// damaged record is never taken as the proof that an earlier one was durable.
struct LsnSpan {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};
std::optional<LsnSpan> lsns_hit(std::span<const std::byte> durable, std::uint64_t offset,
                                std::uint64_t length);
// A write of `data` meant for `offset` of `path` that never arrived there (a misdirected write)
// loses what it carried. Into a segment's header (a `<first lsn>.wal` file or its `.tmp`): the
// segment has none, and every LSN it holds or will hold goes with it, from its first (named by
// the file) to the end. Records (a write that starts with a record header): their LSNs.
// Nullopt for anything else.
std::optional<LsnSpan> lsns_of_lost_write(std::string_view path, std::uint64_t offset,
                                          std::span<const std::byte> data);
// " lsns 5..7" (" lsns 5..end" when open-ended), or "" without a hit: how a fault's trace detail
// carries it; parse_lsns_hit() reads it back from the detail.
std::string describe_lsns_hit(const std::optional<LsnSpan>& hit);
std::optional<LsnSpan> parse_lsns_hit(std::string_view detail);

}  // namespace faults
