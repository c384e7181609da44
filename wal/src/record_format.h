// The on-disk format as pure functions over spans: no Fs, no state. wal/FORMAT.md is the prose
// spec of the same bytes; keep them in step (and bump kFormatVersion on any change).
//
// Segment = SegmentHeader (kSegmentHeaderBytes) + records, each record 8-byte aligned. A
// preallocated segment is zero-filled past its last record: an all-zero record header marks
// the end of written data.
//
// Record layout (little-endian):
//   0  u32 header_crc     crc32c(salt || bytes[4..32))   -- checked BEFORE any field is trusted
//   4  u32 payload_bytes
//   8  u64 lsn            first LSN carried by this record
//  16  u64 durable_hint   the log's durable_lsn when the record was encoded (see recovery)
//  24  u32 count          entries in the record (1, or the batch size)
//  28  u8  type           RecordType
//  29  u8[3] zero
//  32  u64 payload_sum    checksum(kind, seed = salt) over bytes[0..32) || payload
//  40  payload, then zero padding to a multiple of 8
// A batch payload is count u32 lengths, then the entries' bytes back to back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <wal/options.h>
#include <wal/types.h>

namespace wal::format {

inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kSegmentHeaderBytes = 64;
inline constexpr std::size_t kRecordHeaderBytes = 40;
inline constexpr std::size_t kRecordAlign = 8;
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
// scanning for resynchronisation after damage).
DecodedRecord decode_record(ChecksumKind kind, std::uint64_t salt, Lsn expected_lsn,
                            std::uint32_t max_payload_bytes, std::span<const std::byte> source);

// Splits a kBatch payload; false if the framing is inconsistent. `visit(index, bytes)`.
template <typename Visit>
bool for_each_batch_entry(std::span<const std::byte> payload, std::uint32_t count,
                          Visit&& visit);

// Checksums (wal/src/checksum.cc): crc32c has an SSE4.2 path and a portable table fallback.
std::uint32_t crc32c(std::uint32_t seed, std::span<const std::byte> data);
std::uint64_t crc64(std::uint64_t seed, std::span<const std::byte> data);
std::uint64_t checksum(ChecksumKind kind, std::uint64_t seed, std::span<const std::byte> data);

}  // namespace wal::format

#include "record_format_inl.h"  // for_each_batch_entry
