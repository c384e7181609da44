// The codec of wal/FORMAT.md. Pure functions over spans; the decoder treats its input as hostile
// (it is whatever a crash, a torn sector or a bit flip left on disk).
#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "mutant.h"
#include "record_format.h"
#include "zero_bytes.h"

namespace wal::format {
namespace {

template <typename T>
T load(std::span<const std::byte> source, std::size_t offset) {
  T value;
  std::memcpy(&value, source.data() + offset, sizeof(T));
  return value;
}

template <typename T>
void store(std::span<std::byte> target, std::size_t offset, T value) {
  std::memcpy(target.data() + offset, &value, sizeof(T));
}

using ::wal::detail::all_zero;

// Segment header offsets.
constexpr std::size_t kSegMagic = 0;
constexpr std::size_t kSegVersion = 8;
constexpr std::size_t kSegChecksum = 12;
constexpr std::size_t kSegSalt = 16;
constexpr std::size_t kSegFirstLsn = 24;
constexpr std::size_t kSegCapacity = 32;
constexpr std::size_t kSegCrc = 60;
static_assert(kSegCrc + 4 == kSegmentHeaderBytes);

// Record header offsets.
constexpr std::size_t kRecCrc = 0;
constexpr std::size_t kRecPayloadBytes = 4;
constexpr std::size_t kRecLsn = 8;
constexpr std::size_t kRecDurableHint = 16;
constexpr std::size_t kRecCount = 24;
constexpr std::size_t kRecType = 28;
constexpr std::size_t kRecSaltTag = 29;
constexpr std::size_t kRecPayloadSum = 32;
static_assert(kRecPayloadSum + 8 == kRecordHeaderBytes);

// The header bytes the checksums cover: [0, kRecPayloadSum) as stored, or, in the bug zoo's
// lsn-outside-checksum, with the LSN field read as zero.
std::span<const std::byte> checksummed_header(std::span<const std::byte> record,
                                              std::array<std::byte, kRecPayloadSum>& copy) {
  // Bug zoo: the record is sealed before its LSN is stamped (the LSN is assigned when the
  // record joins the log), so neither checksum covers the LSN field; encoder and decoder agree,
  // and a flipped LSN bit reads as an intact record of another LSN.
  if (!WAL_MUTANT("lsn-outside-checksum")) return record.first(kRecPayloadSum);
  std::copy_n(record.begin(), kRecPayloadSum, copy.begin());
  std::fill_n(copy.begin() + kRecLsn, sizeof(Lsn), std::byte{0});
  return copy;
}

std::uint32_t header_crc(std::span<const std::byte> record) {
  std::array<std::byte, kRecPayloadSum> copy;
  return crc32c(0, checksummed_header(record, copy).subspan(4));
}

std::uint64_t payload_sum(ChecksumKind kind, std::uint64_t salt,
                          std::span<const std::byte> record) {
  // Bug zoo: a log without salts; with the tag check below gone too, a record of an older
  // incarnation of the log verifies as current.
  if (WAL_MUTANT("no-salt-check")) salt = 0;
  std::array<std::byte, kRecPayloadSum> copy;
  const std::uint64_t partial = checksum(kind, salt, checksummed_header(record, copy));
  // Continue over the payload and padding. For the CRCs "continue" is exact extension; xxh3 has
  // no streaming extension in one call, so it chains with the partial value as the seed.
  std::span<const std::byte> rest = record.subspan(kRecordHeaderBytes);
  switch (kind) {
    case ChecksumKind::kCrc32c:
      return crc32c(static_cast<std::uint32_t>(partial), rest);
    case ChecksumKind::kCrc64: return crc64(partial, rest);
    case ChecksumKind::kXxh3: return checksum(kind, partial, rest);
  }
  WAL_ASSERT(false && "unknown checksum kind");
  return 0;
}

bool valid_type(std::uint8_t type) {
  return type >= static_cast<std::uint8_t>(RecordType::kData) &&
         type <= static_cast<std::uint8_t>(RecordType::kPadding);
}

std::uint64_t max_payload_for(RecordType type, std::uint32_t count,
                              std::uint32_t max_payload_bytes) {
  if (type == RecordType::kBatch) return std::uint64_t{count} * (4 + std::uint64_t{max_payload_bytes});
  return max_payload_bytes;
}

bool count_fits_type(RecordType type, std::uint32_t count, std::uint32_t payload_bytes) {
  switch (type) {
    case RecordType::kData:
    case RecordType::kCheckpoint: return count == 1;
    case RecordType::kBatch: return count >= 1 && std::uint64_t{count} * 4 <= payload_bytes;
    case RecordType::kPadding: return count == 0;
  }
  return false;
}

// Writes the header fields (not the checksums) and zeroes the padding.
void put_header(std::uint64_t salt, const RecordMeta& meta, std::uint32_t payload_bytes,
                std::span<std::byte> record) {
  store<std::uint32_t>(record, kRecPayloadBytes, payload_bytes);
  store<std::uint64_t>(record, kRecLsn, meta.lsn);
  store<std::uint64_t>(record, kRecDurableHint, meta.durable_hint);
  store<std::uint32_t>(record, kRecCount, meta.count);
  store<std::uint8_t>(record, kRecType, static_cast<std::uint8_t>(meta.type));
  const std::uint32_t tag = salt_tag(salt);
  record[kRecSaltTag] = static_cast<std::byte>(tag & 0xff);
  record[kRecSaltTag + 1] = static_cast<std::byte>((tag >> 8) & 0xff);
  record[kRecSaltTag + 2] = static_cast<std::byte>((tag >> 16) & 0xff);
  const std::size_t padded_end = record.size();
  const std::size_t payload_end = kRecordHeaderBytes + payload_bytes;
  std::fill(record.begin() + static_cast<std::ptrdiff_t>(payload_end),
            record.begin() + static_cast<std::ptrdiff_t>(padded_end), std::byte{0});
}

void seal(ChecksumKind kind, std::uint64_t salt, std::span<std::byte> record) {
  store<std::uint32_t>(record, kRecCrc, header_crc(record));
  store<std::uint64_t>(record, kRecPayloadSum, payload_sum(kind, salt, record));
}

void check_meta(const RecordMeta& meta, std::size_t payload_bytes) {
  WAL_ASSERT(meta.lsn != kNoLsn);
  WAL_ASSERT(meta.durable_hint < meta.lsn);
  WAL_ASSERT(count_fits_type(meta.type, meta.count, static_cast<std::uint32_t>(payload_bytes)));
  WAL_ASSERT(payload_bytes <= std::numeric_limits<std::uint32_t>::max());
  WAL_ASSERT(meta.lsn <= std::numeric_limits<Lsn>::max() - meta.count);
}

}  // namespace

void encode_segment_header(const SegmentHeader& header, std::span<std::byte> target) {
  WAL_ASSERT(target.size() >= kSegmentHeaderBytes);
  WAL_ASSERT(is_known_checksum(static_cast<std::uint8_t>(header.checksum)));
  std::span<std::byte> out = target.first(kSegmentHeaderBytes);
  std::fill(out.begin(), out.end(), std::byte{0});
  store<std::uint64_t>(out, kSegMagic, kSegmentMagic);
  WAL_ASSERT(header.version >= kOldestReadableVersion && header.version <= kFormatVersion);
  store<std::uint32_t>(out, kSegVersion, header.version);
  store<std::uint8_t>(out, kSegChecksum, static_cast<std::uint8_t>(header.checksum));
  store<std::uint64_t>(out, kSegSalt, header.salt);
  store<std::uint64_t>(out, kSegFirstLsn, header.first_lsn);
  store<std::uint64_t>(out, kSegCapacity, header.capacity_bytes);
  store<std::uint32_t>(out, kSegCrc, crc32c(0, out.first(kSegCrc)));
}

SegmentHeaderResult decode_segment_header(std::span<const std::byte> source) {
  SegmentHeaderResult result;
  if (source.size() < kSegmentHeaderBytes) {
    result.status = SegmentHeaderStatus::kTooShort;
    return result;
  }
  std::span<const std::byte> in = source.first(kSegmentHeaderBytes);
  if (all_zero(in)) {
    result.status = SegmentHeaderStatus::kZero;
    return result;
  }
  if (load<std::uint64_t>(in, kSegMagic) != kSegmentMagic) {
    result.status = SegmentHeaderStatus::kBadMagic;
    return result;
  }
  result.version = load<std::uint32_t>(in, kSegVersion);
  // The checksum first, for every version: magic, version and header_crc keep their places in
  // all versions (FORMAT.md), so a newer release's header still verifies, and a flipped bit in
  // the version field is damage, never "written by a newer release".
  if (load<std::uint32_t>(in, kSegCrc) != crc32c(0, in.first(kSegCrc))) {
    result.status = SegmentHeaderStatus::kBadChecksum;
    return result;
  }
  if (result.version < kOldestReadableVersion || result.version > kFormatVersion) {
    result.status = SegmentHeaderStatus::kUnsupportedVersion;
    return result;
  }
  const auto kind = load<std::uint8_t>(in, kSegChecksum);
  if (!is_known_checksum(kind)) {
    result.status = SegmentHeaderStatus::kUnknownChecksum;
    return result;
  }
  result.header.checksum = static_cast<ChecksumKind>(kind);
  result.header.version = result.version;
  result.header.salt = load<std::uint64_t>(in, kSegSalt);
  result.header.first_lsn = load<std::uint64_t>(in, kSegFirstLsn);
  result.header.capacity_bytes = load<std::uint64_t>(in, kSegCapacity);
  result.status = result.header.capacity_bytes > kMaxSegmentBytes ? SegmentHeaderStatus::kBadCapacity
                                                                  : SegmentHeaderStatus::kOk;
  return result;
}

std::size_t batch_payload_bytes(std::span<const std::span<const std::byte>> entries) {
  std::size_t total = entries.size() * 4;
  for (const auto& entry : entries) total += entry.size();
  return total;
}

std::size_t encode_record(ChecksumKind kind, std::uint64_t salt, const RecordMeta& meta,
                          std::span<const std::byte> payload, std::span<std::byte> target) {
  WAL_ASSERT(meta.type != RecordType::kBatch);
  check_meta(meta, payload.size());
  const std::size_t total = record_bytes(payload.size());
  WAL_ASSERT(target.size() >= total);
  std::span<std::byte> record = target.first(total);
  put_header(salt, meta, static_cast<std::uint32_t>(payload.size()), record);
  if (!payload.empty()) std::memcpy(record.data() + kRecordHeaderBytes, payload.data(), payload.size());
  seal(kind, salt, record);
  return total;
}

std::size_t encode_batch(ChecksumKind kind, std::uint64_t salt, const RecordMeta& meta,
                         std::span<const std::span<const std::byte>> entries,
                         std::span<std::byte> target) {
  WAL_ASSERT(meta.type == RecordType::kBatch);
  WAL_ASSERT(meta.count == entries.size());
  const std::size_t payload_bytes = batch_payload_bytes(entries);
  check_meta(meta, payload_bytes);
  const std::size_t total = record_bytes(payload_bytes);
  WAL_ASSERT(target.size() >= total);
  std::span<std::byte> record = target.first(total);
  put_header(salt, meta, static_cast<std::uint32_t>(payload_bytes), record);
  std::size_t lengths_at = kRecordHeaderBytes;
  std::size_t bytes_at = kRecordHeaderBytes + entries.size() * 4;
  for (const auto& entry : entries) {
    WAL_ASSERT(entry.size() <= std::numeric_limits<std::uint32_t>::max());
    store<std::uint32_t>(record, lengths_at, static_cast<std::uint32_t>(entry.size()));
    lengths_at += 4;
    if (!entry.empty()) std::memcpy(record.data() + bytes_at, entry.data(), entry.size());
    bytes_at += entry.size();
  }
  seal(kind, salt, record);
  return total;
}

DecodedRecord decode_record(ChecksumKind kind, std::uint64_t salt, Lsn expected_lsn,
                            std::uint32_t max_payload_bytes, std::span<const std::byte> source) {
  DecodedRecord out;
  if (source.size() < kRecordHeaderBytes) {
    out.status = all_zero(source) ? DecodeStatus::kZero : DecodeStatus::kTruncated;
    return out;
  }
  std::span<const std::byte> header = source.first(kRecordHeaderBytes);
  if (all_zero(header)) {
    out.status = DecodeStatus::kZero;
    return out;
  }
  if (load<std::uint32_t>(header, kRecCrc) != header_crc(header)) {
    out.status = DecodeStatus::kBadHeaderCrc;
    return out;
  }
  // From here the header fields are what some writer wrote; they may still belong to another
  // log or be nonsense written by a broken writer.
  const auto payload_bytes = load<std::uint32_t>(header, kRecPayloadBytes);
  const auto type_byte = load<std::uint8_t>(header, kRecType);
  out.meta.lsn = load<std::uint64_t>(header, kRecLsn);
  out.meta.durable_hint = load<std::uint64_t>(header, kRecDurableHint);
  out.meta.count = load<std::uint32_t>(header, kRecCount);
  const std::uint32_t tag = static_cast<std::uint32_t>(header[kRecSaltTag]) |
                            static_cast<std::uint32_t>(header[kRecSaltTag + 1]) << 8 |
                            static_cast<std::uint32_t>(header[kRecSaltTag + 2]) << 16;
  // Bug zoo: without the salt check a record of an older incarnation passes as current.
  if (tag != salt_tag(salt) && !WAL_MUTANT("no-salt-check")) {
    out.status = DecodeStatus::kStale;
    return out;
  }
  if (!valid_type(type_byte)) {
    out.status = DecodeStatus::kBadHeader;
    return out;
  }
  out.meta.type = static_cast<RecordType>(type_byte);
  const bool sane = count_fits_type(out.meta.type, out.meta.count, payload_bytes) &&
                    out.meta.lsn != kNoLsn && out.meta.durable_hint < out.meta.lsn &&
                    out.meta.lsn <= std::numeric_limits<Lsn>::max() - out.meta.count &&
                    payload_bytes <= max_payload_for(out.meta.type, out.meta.count,
                                                     max_payload_bytes);
  if (!sane) {
    out.status = DecodeStatus::kBadHeader;
    return out;
  }
  out.total_bytes = record_bytes(payload_bytes);
  if (source.size() < out.total_bytes) {
    out.status = DecodeStatus::kTruncated;
    return out;
  }
  std::span<const std::byte> record = source.first(out.total_bytes);
  // Bug zoo: the header's checksum vouches for the length, and the payload that length spans
  // is trusted without its own checksum (a torn payload passes).
  if (load<std::uint64_t>(header, kRecPayloadSum) != payload_sum(kind, salt, record) &&
      !WAL_MUTANT("trust-length-before-checksum")) {
    out.status = DecodeStatus::kBadPayloadSum;
    return out;
  }
  out.payload = record.subspan(kRecordHeaderBytes, payload_bytes);
  if (out.meta.type == RecordType::kBatch) {
    bool entries_fit = true;
    const bool framed = for_each_batch_entry(
        out.payload, out.meta.count, [&](std::uint32_t, std::span<const std::byte> entry) {
          if (entry.size() > max_payload_bytes) entries_fit = false;
        });
    if (!framed || !entries_fit) {
      out.payload = {};
      out.status = DecodeStatus::kBadHeader;
      return out;
    }
  }
  // Bug zoo: an intact record's own LSN is believed (its checksums pass, so it must be right):
  // a misdirected write that put newer records over older ones reads as a clean jump.
  if (expected_lsn != kNoLsn && out.meta.lsn != expected_lsn &&
      !WAL_MUTANT("trust-record-lsn")) {
    out.status = DecodeStatus::kStale;
    return out;
  }
  out.status = DecodeStatus::kOk;
  return out;
}

}  // namespace wal::format
