// Builds segment files byte by byte with the real codec, and damages them at exact offsets
// (LevelDB log_test style). For format, recovery and reader tests.
//
//   testutil::SegmentBuilder seg(ChecksumKind::kCrc32c, kSalt, /*first_lsn=*/1);
//   seg.data("a").data("b", /*durable_hint=*/1).zeros(4096);
//   testutil::flip_byte(seg.bytes(), seg.record_offset(1) + 45);
//   testutil::write_file(dir.sub(seg.name()), seg.bytes());
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "record_format.h"
#include "recovery.h"

namespace testutil {

using Bytes = std::vector<std::byte>;

inline std::span<const std::byte> as_bytes(std::string_view text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

inline std::string as_string(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

class SegmentBuilder {
 public:
  SegmentBuilder(wal::ChecksumKind kind, std::uint64_t salt, wal::Lsn first_lsn,
                 std::uint64_t capacity_bytes = 1u << 20)
      : kind_(kind), salt_(salt), first_lsn_(first_lsn), next_lsn_(first_lsn) {
    bytes_.resize(wal::format::kSegmentHeaderBytes);
    wal::format::encode_segment_header(
        {.checksum = kind, .salt = salt, .first_lsn = first_lsn, .capacity_bytes = capacity_bytes},
        bytes_);
  }

  // Appends a record; its LSN is the next one (or `lsn` when given, to forge gaps/stale bytes).
  SegmentBuilder& data(std::string_view payload, wal::Lsn durable_hint = wal::kNoLsn,
                       wal::Lsn lsn = wal::kNoLsn) {
    return record(wal::format::RecordType::kData, payload, durable_hint, lsn);
  }
  SegmentBuilder& checkpoint(std::string_view payload, wal::Lsn durable_hint = wal::kNoLsn) {
    return record(wal::format::RecordType::kCheckpoint, payload, durable_hint, wal::kNoLsn);
  }
  SegmentBuilder& batch(const std::vector<std::string>& entries,
                        wal::Lsn durable_hint = wal::kNoLsn) {
    std::vector<std::span<const std::byte>> spans;
    for (const auto& entry : entries) spans.push_back(as_bytes(entry));
    const wal::format::RecordMeta meta{.type = wal::format::RecordType::kBatch,
                                       .lsn = next_lsn_,
                                       .durable_hint = durable_hint,
                                       .count = static_cast<std::uint32_t>(entries.size())};
    const std::size_t at = bytes_.size();
    bytes_.resize(at + wal::format::record_bytes(wal::format::batch_payload_bytes(spans)));
    wal::format::encode_batch(kind_, salt_, meta, spans, std::span(bytes_).subspan(at));
    offsets_.push_back(at);
    end_ = bytes_.size();
    next_lsn_ += entries.size();
    return *this;
  }
  // Preallocated, never-written space.
  SegmentBuilder& zeros(std::size_t count) {
    bytes_.resize(bytes_.size() + count);
    return *this;
  }
  // Raw bytes, e.g. a record encoded with another salt.
  SegmentBuilder& raw(std::span<const std::byte> data) {
    offsets_.push_back(bytes_.size());
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return *this;
  }

  Bytes& bytes() { return bytes_; }
  std::size_t record_offset(std::size_t index) const { return offsets_.at(index); }
  // Offset just past the last record (where a writer would continue).
  std::size_t end_offset() const { return end_; }
  wal::Lsn next_lsn() const { return next_lsn_; }
  wal::Lsn first_lsn() const { return first_lsn_; }
  std::string name() const { return wal::recovery::segment_name(first_lsn_); }

 private:
  SegmentBuilder& record(wal::format::RecordType type, std::string_view payload,
                         wal::Lsn durable_hint, wal::Lsn lsn) {
    const wal::format::RecordMeta meta{
        .type = type, .lsn = lsn == wal::kNoLsn ? next_lsn_ : lsn, .durable_hint = durable_hint};
    const std::size_t at = bytes_.size();
    bytes_.resize(at + wal::format::record_bytes(payload.size()));
    wal::format::encode_record(kind_, salt_, meta, as_bytes(payload),
                               std::span(bytes_).subspan(at));
    offsets_.push_back(at);
    end_ = bytes_.size();
    next_lsn_ = meta.lsn + 1;
    return *this;
  }

  wal::ChecksumKind kind_;
  std::uint64_t salt_;
  wal::Lsn first_lsn_;
  wal::Lsn next_lsn_;
  Bytes bytes_;
  std::vector<std::size_t> offsets_;
  std::size_t end_ = wal::format::kSegmentHeaderBytes;
};

// Byte-level damage.
inline void flip_byte(Bytes& bytes, std::size_t offset, std::uint8_t mask = 0x01) {
  ASSERT_LT(offset, bytes.size());
  bytes[offset] ^= std::byte{mask};
}
inline void truncate_to(Bytes& bytes, std::size_t size) {
  ASSERT_LE(size, bytes.size());
  bytes.resize(size);
}
inline void set_u32(Bytes& bytes, std::size_t offset, std::uint32_t value) {
  ASSERT_LE(offset + 4, bytes.size());
  std::memcpy(bytes.data() + offset, &value, 4);
}
inline void set_u64(Bytes& bytes, std::size_t offset, std::uint64_t value) {
  ASSERT_LE(offset + 8, bytes.size());
  std::memcpy(bytes.data() + offset, &value, 8);
}
inline void zero_range(Bytes& bytes, std::size_t offset, std::size_t count) {
  ASSERT_LE(offset + count, bytes.size());
  std::memset(bytes.data() + offset, 0, count);
}
// Recomputes the header_crc of the record at `offset` after a test forged one of its fields,
// so the forgery gets past the crc (a broken writer, not media damage).
inline void reseal_record_header(Bytes& bytes, std::size_t offset) {
  const std::uint32_t crc =
      wal::format::crc32c(0, std::span<const std::byte>(bytes).subspan(offset + 4, 28));
  set_u32(bytes, offset, crc);
}
// The same for the segment header at offset 0.
inline void reseal_segment_header(Bytes& bytes) {
  const std::uint32_t crc = wal::format::crc32c(0, std::span<const std::byte>(bytes).first(60));
  set_u32(bytes, 60, crc);
}

// Plain POSIX file I/O for tests on a real directory.
inline void write_file(const std::string& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  ASSERT_TRUE(out) << path;
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out) << path;
}
inline Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Bytes bytes;
  char c;
  while (in.get(c)) bytes.push_back(static_cast<std::byte>(c));
  return bytes;
}

}  // namespace testutil
