// The on-disk format as pure functions over spans: no Fs, no state. wal/FORMAT.md is the prose
// spec of the same bytes; keep them in step (and bump kFormatVersion on any change).
//
// Segment = SegmentHeader (kSegmentHeaderBytes) + records, each record 8-byte aligned. A
// preallocated segment is zero-filled past its last record: an all-zero record header marks
// the end of written data.
//
// Segment header layout (kSegmentHeaderBytes = 64, little-endian):
//   0  u64 magic          kSegmentMagic ("WALSEGMT")
//   8  u32 version        kFormatVersion when written; kOldestReadableVersion..kFormatVersion
//                         read (wal/FORMAT.md 8: version 2 changed the directory protocol,
//                         not these bytes)
//  12  u8  checksum_kind  ChecksumKind of every record in the segment
//  13  u8[3] zero
//  16  u64 salt           per-log random value, the same in every segment of a log
//  24  u64 first_lsn      LSN of the first record (also the file name)
//  32  u64 capacity_bytes the segment's planned size (preallocation)
//  40  u8[20] zero
//  60  u32 header_crc     crc32c(seed 0) of bytes[0..60)
//
// Record layout (little-endian):
//   0  u32 header_crc     crc32c(seed 0) of bytes[4..32)  -- checked BEFORE any field is trusted
//   4  u32 payload_bytes
//   8  u64 lsn            first LSN carried by this record
//  16  u64 durable_hint   the log's durable_lsn when the record was encoded (< lsn; see recovery)
//  24  u32 count          entries in the record (1, the batch size, or 0 for padding)
//  28  u8  type           RecordType
//  29  u8[3] salt_tag     24 bits derived from the log's salt (salt_tag()): a record of another
//                         log or an older incarnation is recognised as stale, not as damage
//  32  u64 payload_sum    checksum(kind, seed = salt) over bytes[0..32) || bytes[40..end)
//                         (payload AND the zero padding: every byte of a record is covered)
//  40  payload, then zero padding to a multiple of 8
// A batch payload is count u32 lengths, then the entries' bytes back to back.
// A record of `count` entries consumes LSNs [lsn, lsn + count); padding consumes none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <wal/assert.h>
#include <wal/options.h>
#include <wal/types.h>

namespace wal::format {

// Version 2: a rotation may write records into the next segment before it is published
// (wal/FORMAT.md 3.2); recovery adopts such a continuation. A version-1 reader would delete it
// as a temp file, so segments written under version 2 say so and version-1 readers refuse them.
inline constexpr std::uint32_t kFormatVersion = 2;
inline constexpr std::uint32_t kOldestReadableVersion = 1;
inline constexpr std::size_t kSegmentHeaderBytes = 64;
// No segment is larger: a header claiming more is damage (a reopen would try to preallocate it).
inline constexpr std::uint64_t kMaxSegmentBytes = std::uint64_t{1} << 40;
inline constexpr std::size_t kRecordHeaderBytes = 40;
inline constexpr std::size_t kRecordAlign = 8;
inline constexpr std::uint64_t kSegmentMagic = 0x544d4745534c4157ull;  // "WALSEGMT" in LE bytes
static_assert(kSegmentHeaderBytes % kRecordAlign == 0);
static_assert(kRecordHeaderBytes % kRecordAlign == 0);

enum class RecordType : std::uint8_t {
  kData = 1,
  kBatch = 2,
  kCheckpoint = 3,
  kPadding = 4,  // reserved: skipped by readers
};

struct SegmentHeader {
  ChecksumKind checksum = ChecksumKind::kCrc32c;
  std::uint64_t salt = 0;         // per-log random value, the same in every segment of a log
  Lsn first_lsn = kNoLsn;         // LSN of the first record in this segment
  std::uint64_t capacity_bytes = 0;
  // What is written (new segments: kFormatVersion) or was read (a reopened version-1 segment
  // keeps its header: its bytes are copied, never rewritten).
  std::uint32_t version = kFormatVersion;
};

// Writes exactly kSegmentHeaderBytes.
void encode_segment_header(const SegmentHeader& header, std::span<std::byte> target);

enum class SegmentHeaderStatus : std::uint8_t {
  kOk,
  kTooShort,            // fewer than kSegmentHeaderBytes bytes
  kZero,                // all zero: created but header never written (crash at creation)
  kBadMagic,
  kBadChecksum,
  kUnsupportedVersion,  // a future (or past) format version
  kUnknownChecksum,
  kBadCapacity,  // capacity_bytes above kMaxSegmentBytes
};
struct SegmentHeaderResult {
  SegmentHeaderStatus status = SegmentHeaderStatus::kTooShort;
  SegmentHeader header;
  std::uint32_t version = 0;  // as found on disk
};
SegmentHeaderResult decode_segment_header(std::span<const std::byte> source);

// Bytes a record with this payload occupies, header and padding included.
constexpr std::size_t record_bytes(std::size_t payload_bytes) {
  return (kRecordHeaderBytes + payload_bytes + kRecordAlign - 1) / kRecordAlign * kRecordAlign;
}
std::size_t batch_payload_bytes(std::span<const std::span<const std::byte>> entries);

struct RecordMeta {
  RecordType type = RecordType::kData;
  Lsn lsn = kNoLsn;
  Lsn durable_hint = kNoLsn;
  std::uint32_t count = 1;
};

// Encode into `target` (at least record_bytes(payload) long); returns bytes written.
std::size_t encode_record(ChecksumKind kind, std::uint64_t salt, const RecordMeta& meta,
                          std::span<const std::byte> payload, std::span<std::byte> target);
// The same for a batch: meta.count must equal entries.size().
std::size_t encode_batch(ChecksumKind kind, std::uint64_t salt, const RecordMeta& meta,
                         std::span<const std::span<const std::byte>> entries,
                         std::span<std::byte> target);

enum class DecodeStatus : std::uint8_t {
  kOk,
  kZero,           // all-zero header: end of written data
  kTruncated,      // header valid but payload runs past `source` (or header itself cut short)
  kBadHeaderCrc,   // header checksum fails: no field of it may be trusted
  kBadPayloadSum,  // header fine, payload checksum fails
  kBadHeader,      // header checksum fine but impossible values (type, count, length > max)
  kStale,          // intact record but wrong salt context or LSN != expected
};

struct DecodedRecord {
  DecodeStatus status = DecodeStatus::kZero;
  RecordMeta meta;
  std::span<const std::byte> payload;  // view into `source`
  std::size_t total_bytes = 0;         // record_bytes(payload), valid for kOk/kBadPayloadSum
};

// Classifies the record at the start of `source`; never reads past it, never trusts a length
// before the header checksum passes. `expected_lsn` = kNoLsn accepts any LSN (used when
// scanning for resynchronisation after damage). Checks, in order: all-zero header (kZero),
// header crc (kBadHeaderCrc), salt tag (kStale), field sanity (kBadHeader: unknown type, count
// inconsistent with the type, LSN range overflow, durable_hint >= lsn, payload of a data or
// checkpoint record > max_payload_bytes, of a batch > count * (4 + max_payload_bytes)), length
// vs `source` (kTruncated), payload_sum (kBadPayloadSum), batch framing and entry sizes
// (kBadHeader), expected LSN (kStale). kOk therefore means well-formed in every respect.
// total_bytes is set whenever the header passed its crc and sanity checks (the record's span,
// useful to skip it), even if the status is not kOk.
DecodedRecord decode_record(ChecksumKind kind, std::uint64_t salt, Lsn expected_lsn,
                            std::uint32_t max_payload_bytes, std::span<const std::byte> source);

// Splits a kBatch payload; false if the framing is inconsistent. `visit(index, bytes)`.
template <typename Visit>
bool for_each_batch_entry(std::span<const std::byte> payload, std::uint32_t count,
                          Visit&& visit);

// Checksums (wal/src/checksum.cc): crc32c has an SSE4.2 path and a portable table fallback.
// The CRCs are extendable: crc(crc(0, a), b) == crc(0, a || b); crc(0, x) is the catalogued
// value. checksum() binds the 64-bit seed (the salt) to every kind: the CRCs checksum the seed's
// 8 LE bytes then `data`; xxh3 uses it as its seed.
std::uint32_t crc32c(std::uint32_t seed, std::span<const std::byte> data);
std::uint64_t crc64(std::uint64_t seed, std::span<const std::byte> data);
std::uint64_t checksum(ChecksumKind kind, std::uint64_t seed, std::span<const std::byte> data);
bool is_known_checksum(std::uint8_t kind);

// The 24-bit salt tag stored in every record header (bytes 29..31).
constexpr std::uint32_t salt_tag(std::uint64_t salt) {
  return static_cast<std::uint32_t>((salt * 0x9e3779b97f4a7c15ull) >> 40);
}

namespace detail {
// Both crc32c implementations, exposed so tests can pin each to the check value.
std::uint32_t crc32c_portable(std::uint32_t seed, std::span<const std::byte> data);
bool crc32c_hardware_supported();
// REQUIRES: crc32c_hardware_supported().
std::uint32_t crc32c_hardware(std::uint32_t seed, std::span<const std::byte> data);
}  // namespace detail

}  // namespace wal::format

#include "record_format_inl.h"  // for_each_batch_entry
