// Target: the pure codec. Input = checksum kind, salt, expected LSN, max entry size, flags, then
// the bytes of one record (or segment header). Beyond "no crash", it checks what a kOk decode
// promises (record_format.h) and that the encoder's output survives no single flipped bit.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "fuzz_bytes.h"
#include "log_bytes.h"
#include "record_format.h"
#include "targets.h"

namespace wal_fuzz {
namespace {

namespace format = wal::format;

wal::ChecksumKind kind_of(std::uint8_t byte) {
  return static_cast<wal::ChecksumKind>(1 + byte % 3);
}

// for_each_batch_entry is all or nothing: false means nothing was visited.
Violation check_batch_split(std::span<const std::byte> payload, std::uint32_t count) {
  std::uint32_t visits = 0;
  std::uint64_t sum = 0;
  const bool framed = format::for_each_batch_entry(
      payload, count, [&](std::uint32_t, std::span<const std::byte> entry) {
        ++visits;
        sum += entry.size();
      });
  if (!framed && visits != 0) return "for_each_batch_entry visited entries of a bad framing";
  if (!framed && count != 0 && payload.size() >= 4ull * count) {
    // Only a wrong sum of lengths may make it refuse then.
    std::uint64_t lengths = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
      std::uint32_t length;
      std::memcpy(&length, payload.data() + std::size_t{i} * 4, 4);
      lengths += length;
    }
    if (lengths == payload.size() - 4ull * count) return "for_each_batch_entry refused a good framing";
  }
  if (framed && (visits != count || sum + 4ull * count != payload.size())) {
    return "for_each_batch_entry split does not cover the payload";
  }
  return std::nullopt;
}

// What kOk must mean: every field possible, every byte inside `source`, framing consistent.
Violation check_ok(const format::DecodedRecord& record, wal::Lsn expected,
                   std::uint32_t max_entry, std::span<const std::byte> source) {
  const format::RecordMeta& meta = record.meta;
  if (record.total_bytes != format::record_bytes(record.payload.size()) ||
      record.total_bytes > source.size()) {
    return fmt::format("kOk record of {} bytes in {} bytes of input", record.total_bytes,
                       source.size());
  }
  if (record.payload.data() != source.data() + format::kRecordHeaderBytes) {
    return "kOk payload does not start right after the header";
  }
  if (meta.lsn == wal::kNoLsn || meta.durable_hint >= meta.lsn) {
    return fmt::format("kOk record with lsn {} durable_hint {}", meta.lsn, meta.durable_hint);
  }
  if (expected != wal::kNoLsn && meta.lsn != expected) {
    return fmt::format("kOk record has lsn {}, {} was expected", meta.lsn, expected);
  }
  switch (meta.type) {
    case format::RecordType::kData:
    case format::RecordType::kCheckpoint:
      if (meta.count != 1 || record.payload.size() > max_entry) return "kOk data record out of bounds";
      break;
    case format::RecordType::kPadding:
      if (meta.count != 0) return "kOk padding record carries entries";
      break;
    case format::RecordType::kBatch: {
      std::uint32_t too_big = 0;
      format::for_each_batch_entry(record.payload, meta.count,
                                   [&](std::uint32_t, std::span<const std::byte> entry) {
                                     if (entry.size() > max_entry) ++too_big;
                                   });
      if (too_big != 0) return "kOk batch holding an entry above max_entry_bytes";
      if (Violation v = check_batch_split(record.payload, meta.count)) return v;
      break;
    }
    default:
      return "kOk record of an unknown type";
  }
  return std::nullopt;
}

Violation check_segment_header(std::span<const std::byte> source) {
  const format::SegmentHeaderResult decoded = format::decode_segment_header(source);
  if (decoded.status != format::SegmentHeaderStatus::kOk) return std::nullopt;
  if (source.size() < format::kSegmentHeaderBytes ||
      decoded.version < format::kOldestReadableVersion ||
      decoded.version > format::kFormatVersion ||
      !format::is_known_checksum(static_cast<std::uint8_t>(decoded.header.checksum))) {
    return "kOk segment header that is short, of another version or checksum";
  }
  // Re-encoding the decoded fields must give a header that decodes to the same fields.
  std::vector<std::byte> again(format::kSegmentHeaderBytes);
  format::encode_segment_header(decoded.header, again);
  const format::SegmentHeaderResult twice = format::decode_segment_header(again);
  if (twice.status != format::SegmentHeaderStatus::kOk ||
      twice.header.salt != decoded.header.salt ||
      twice.header.first_lsn != decoded.header.first_lsn ||
      twice.header.capacity_bytes != decoded.header.capacity_bytes ||
      twice.header.checksum != decoded.header.checksum) {
    return "segment header does not survive decode-encode-decode";
  }
  return std::nullopt;
}

// Encodes a valid record from the input's fields, decodes it back, then flips one bit anywhere
// in it: the flipped record must never decode as kOk.
Violation check_round_trip(wal::ChecksumKind kind, std::uint64_t salt, std::uint8_t shape,
                           std::uint32_t flip, std::span<const std::byte> payload) {
  payload = payload.first(std::min<std::size_t>(payload.size(), 4096));
  const wal::Lsn lsn = 1 + (salt >> 20);
  format::RecordMeta meta{.type = format::RecordType::kData, .lsn = lsn,
                          .durable_hint = lsn - 1 - (shape % 2 == 0 ? 0 : (lsn - 1) / 2),
                          .count = 1};
  std::vector<std::span<const std::byte>> entries;
  std::vector<std::byte> record;
  if (shape % 3 == 2 && !payload.empty()) {
    // A batch: the payload cut into up to 8 entries.
    const std::size_t parts = 1 + shape / 3 % 8;
    for (std::size_t i = 0; i < parts; ++i) {
      entries.push_back(payload.subspan(payload.size() * i / parts,
                                        payload.size() * (i + 1) / parts - payload.size() * i / parts));
    }
    meta.type = format::RecordType::kBatch;
    meta.count = static_cast<std::uint32_t>(parts);
    record.resize(format::record_bytes(format::batch_payload_bytes(entries)));
    format::encode_batch(kind, salt, meta, entries, record);
  } else {
    if (shape % 3 == 1) meta.type = format::RecordType::kCheckpoint;
    record.resize(format::record_bytes(payload.size()));
    format::encode_record(kind, salt, meta, payload, record);
  }
  const std::uint32_t max_entry = 1u << 20;
  const format::DecodedRecord decoded = format::decode_record(kind, salt, lsn, max_entry, record);
  if (decoded.status != format::DecodeStatus::kOk || decoded.meta.type != meta.type ||
      decoded.meta.count != meta.count || decoded.total_bytes != record.size()) {
    return fmt::format("an encoded record decodes as status {}",
                       static_cast<int>(decoded.status));
  }
  if (meta.type != format::RecordType::kBatch &&
      !std::equal(decoded.payload.begin(), decoded.payload.end(), payload.begin(), payload.end())) {
    return "an encoded record decodes to another payload";
  }
  const std::size_t bit = flip % (record.size() * 8);
  record[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
  const format::DecodedRecord flipped = format::decode_record(kind, salt, lsn, max_entry, record);
  if (flipped.status == format::DecodeStatus::kOk) {
    return fmt::format("a record with bit {} flipped still decodes as kOk", bit);
  }
  return std::nullopt;
}

}  // namespace

Violation record_decoder(std::span<const std::byte> input) {
  FuzzBytes in(input);
  const wal::ChecksumKind kind = kind_of(in.byte());
  const auto salt = in.take<std::uint64_t>();
  const auto expected = in.take<std::uint64_t>() % 4 == 0 ? wal::kNoLsn : in.take<std::uint64_t>();
  const std::uint32_t max_entry = 1 + in.take<std::uint32_t>() % (1u << 20);
  const std::uint8_t flags = in.byte();
  const auto flip = in.take<std::uint32_t>();
  const std::span<const std::byte> rest = in.rest();
  std::vector<std::byte> bytes(rest.begin(), rest.end());
  if (flags & 0x01) reseal_record(bytes, kind, salt, (flags & 0x02) != 0);

  const format::DecodedRecord record = format::decode_record(kind, salt, expected, max_entry, bytes);
  if (record.status == format::DecodeStatus::kOk) {
    if (Violation v = check_ok(record, expected, max_entry, bytes)) return v;
  }
  const format::DecodedRecord again = format::decode_record(kind, salt, expected, max_entry, bytes);
  if (again.status != record.status || again.total_bytes != record.total_bytes) {
    return "decode_record is not deterministic";
  }
  if (bytes.size() >= 4) {
    std::uint32_t count;
    std::memcpy(&count, bytes.data(), 4);
    if (Violation v = check_batch_split(std::span(bytes).subspan(4), count % 4096)) return v;
  }
  if (Violation v = check_segment_header(bytes)) return v;
  return check_round_trip(kind, salt, flags >> 2, flip, bytes);
}

}  // namespace wal_fuzz
