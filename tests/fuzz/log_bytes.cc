#include "log_bytes.h"

#include <algorithm>
#include <cstring>

#include "fuzz_bytes.h"
#include "record_format.h"

namespace wal_fuzz {
namespace {

namespace format = wal::format;

constexpr std::size_t kSaltTagOffset = 29;
constexpr std::size_t kPayloadSumOffset = 32;
// Decodes accept entries this large, so the oracle never misses one a reader would return.
constexpr std::uint32_t kOracleMaxEntry = 1u << 30;

template <typename T>
void store(std::span<std::byte> target, std::size_t offset, T value) {
  std::memcpy(target.data() + offset, &value, sizeof(T));
}
template <typename T>
T load(std::span<const std::byte> source, std::size_t offset) {
  T value;
  std::memcpy(&value, source.data() + offset, sizeof(T));
  return value;
}

bool all_zero(std::span<const std::byte> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
}

wal::EntryType entry_type(format::RecordType type) {
  switch (type) {
    case format::RecordType::kBatch: return wal::EntryType::kBatch;
    case format::RecordType::kCheckpoint: return wal::EntryType::kCheckpoint;
    default: return wal::EntryType::kData;
  }
}

}  // namespace

std::size_t reseal_record(std::span<std::byte> record, wal::ChecksumKind kind, std::uint64_t salt,
                          bool tag) {
  if (record.size() < format::kRecordHeaderBytes) return 0;
  if (tag) {
    const std::uint32_t value = format::salt_tag(salt);
    for (std::size_t i = 0; i < 3; ++i) {
      record[kSaltTagOffset + i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
    }
  }
  store<std::uint32_t>(record, 0, format::crc32c(0, record.subspan(4, kPayloadSumOffset - 4)));
  const std::size_t total = format::record_bytes(load<std::uint32_t>(record, 4));
  if (total > record.size()) return 0;
  const std::uint64_t head = format::checksum(kind, salt, record.first(kPayloadSumOffset));
  const std::span<const std::byte> rest =
      record.subspan(format::kRecordHeaderBytes, total - format::kRecordHeaderBytes);
  std::uint64_t sum = 0;
  switch (kind) {
    case wal::ChecksumKind::kCrc32c: sum = format::crc32c(static_cast<std::uint32_t>(head), rest); break;
    case wal::ChecksumKind::kCrc64: sum = format::crc64(head, rest); break;
    case wal::ChecksumKind::kXxh3: sum = format::checksum(kind, head, rest); break;
  }
  store<std::uint64_t>(record, kPayloadSumOffset, sum);
  return total;
}

void reseal_segment(std::span<std::byte> segment, bool tag) {
  if (segment.size() < format::kSegmentHeaderBytes) return;
  store<std::uint32_t>(segment, 60, format::crc32c(0, segment.first(60)));
  const format::SegmentHeaderResult header = format::decode_segment_header(segment);
  if (header.status != format::SegmentHeaderStatus::kOk) return;
  std::size_t offset = format::kSegmentHeaderBytes;
  while (offset + format::kRecordHeaderBytes <= segment.size()) {
    std::span<std::byte> record = segment.subspan(offset);
    if (all_zero(record.first(format::kRecordHeaderBytes))) {
      offset += format::kRecordAlign;
      continue;
    }
    const std::size_t total =
        reseal_record(record, header.header.checksum, header.header.salt, tag);
    if (total == 0) return;
    offset += total;
  }
}

IntactEntries::IntactEntries(std::span<const std::span<const std::byte>> files) {
  for (std::span<const std::byte> file : files) {
    const format::SegmentHeaderResult header = format::decode_segment_header(file);
    if (header.status == format::SegmentHeaderStatus::kOk) {
      contexts_.insert({header.header.checksum, header.header.salt});
    }
  }
  for (std::span<const std::byte> file : files) scan(file);
}

void IntactEntries::scan(std::span<const std::byte> segment) {
  // A record starts with a non-zero header, so none starts in the preallocated zeros after the
  // last non-zero byte (megabytes, sometimes): the walk stops there.
  std::size_t end = segment.size();
  while (end > 0 && segment[end - 1] == std::byte{0}) --end;
  for (const auto& [kind, salt] : contexts_) {
    for (std::size_t offset = format::kSegmentHeaderBytes;
         offset < end && offset + format::kRecordHeaderBytes <= segment.size();
         offset += format::kRecordAlign) {
      const format::DecodedRecord record =
          format::decode_record(kind, salt, wal::kNoLsn, kOracleMaxEntry, segment.subspan(offset));
      if (record.status != format::DecodeStatus::kOk) continue;
      const format::RecordMeta& meta = record.meta;
      if (meta.type == format::RecordType::kPadding) continue;
      if (meta.type != format::RecordType::kBatch) {
        entries_.emplace(meta.lsn, entry_type(meta.type), to_string(record.payload));
        continue;
      }
      format::for_each_batch_entry(record.payload, meta.count,
                                   [&](std::uint32_t index, std::span<const std::byte> entry) {
                                     entries_.emplace(meta.lsn + index, wal::EntryType::kBatch,
                                                      to_string(entry));
                                   });
    }
  }
}

bool IntactEntries::contains(wal::Lsn lsn, wal::EntryType type,
                             std::span<const std::byte> payload) const {
  return entries_.count({lsn, type, to_string(payload)}) != 0;
}

}  // namespace wal_fuzz
