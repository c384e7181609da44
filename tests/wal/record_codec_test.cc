// The record and segment codec, byte by byte: round trips, and every kind of damage a crash or
// the media can leave is classified, never decoded as a good record.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "record_format.h"
#include "recovery.h"
#include "testutil/segment_builder.h"

namespace wal::format {
namespace {

using testutil::as_bytes;
using testutil::as_string;
using testutil::Bytes;

constexpr std::uint64_t kSalt = 0x5a17'5a17'0000'0001ull;
constexpr std::uint32_t kMaxPayload = 1u << 20;
constexpr ChecksumKind kKinds[] = {ChecksumKind::kCrc32c, ChecksumKind::kCrc64,
                                   ChecksumKind::kXxh3};

// Offsets in the record header (FORMAT.md).
constexpr std::size_t kPayloadBytesAt = 4;
constexpr std::size_t kLsnAt = 8;
constexpr std::size_t kDurableHintAt = 16;
constexpr std::size_t kCountAt = 24;
constexpr std::size_t kTypeAt = 28;

Bytes encode_data(ChecksumKind kind, const RecordMeta& meta, std::string_view payload,
                  std::uint64_t salt = kSalt) {
  Bytes out(record_bytes(payload.size()));
  EXPECT_EQ(encode_record(kind, salt, meta, as_bytes(payload), out), out.size());
  return out;
}

Bytes encode_entries(ChecksumKind kind, Lsn lsn, const std::vector<std::string>& entries) {
  std::vector<std::span<const std::byte>> spans;
  for (const auto& entry : entries) spans.push_back(as_bytes(entry));
  Bytes out(record_bytes(batch_payload_bytes(spans)));
  const RecordMeta meta{.type = RecordType::kBatch,
                        .lsn = lsn,
                        .durable_hint = lsn - 1,
                        .count = static_cast<std::uint32_t>(entries.size())};
  EXPECT_EQ(encode_batch(kind, kSalt, meta, spans, out), out.size());
  return out;
}

DecodedRecord decode(ChecksumKind kind, std::span<const std::byte> bytes,
                     Lsn expected = kNoLsn, std::uint64_t salt = kSalt) {
  return decode_record(kind, salt, expected, kMaxPayload, bytes);
}

// One encoded sample of every record type, for the damage sweeps.
std::vector<Bytes> samples(ChecksumKind kind) {
  return {
      encode_data(kind, {.type = RecordType::kData, .lsn = 7, .durable_hint = 5}, "hello wal"),
      encode_data(kind, {.type = RecordType::kData, .lsn = 8}, ""),
      encode_data(kind, {.type = RecordType::kCheckpoint, .lsn = 9, .durable_hint = 8},
                  "checkpoint state 0123456789abcdef"),
      encode_entries(kind, 10, {"a", "", "ccc", std::string(100, 'x')}),
      encode_data(kind, {.type = RecordType::kPadding, .lsn = 14, .count = 0}, "\0\0\0\0"),
  };
}

TEST(RecordCodec, DataRoundTripsForEveryKindAndPayloadSize) {
  for (ChecksumKind kind : kKinds) {
    for (std::size_t size : {0u, 1u, 7u, 8u, 9u, 63u, 4096u}) {
      const std::string payload(size, static_cast<char>('a' + size % 26));
      const Bytes bytes =
          encode_data(kind, {.type = RecordType::kData, .lsn = 42, .durable_hint = 40}, payload);
      EXPECT_EQ(bytes.size() % kRecordAlign, 0u);
      const DecodedRecord got = decode(kind, bytes, 42);
      ASSERT_EQ(got.status, DecodeStatus::kOk) << to_string(kind) << " size " << size;
      EXPECT_EQ(got.meta.type, RecordType::kData);
      EXPECT_EQ(got.meta.lsn, 42u);
      EXPECT_EQ(got.meta.durable_hint, 40u);
      EXPECT_EQ(got.meta.count, 1u);
      EXPECT_EQ(as_string(got.payload), payload);
      EXPECT_EQ(got.total_bytes, bytes.size());
    }
  }
}

TEST(RecordCodec, CheckpointAndPaddingRoundTrip) {
  for (ChecksumKind kind : kKinds) {
    const Bytes checkpoint =
        encode_data(kind, {.type = RecordType::kCheckpoint, .lsn = 3, .durable_hint = 2}, "ck");
    DecodedRecord got = decode(kind, checkpoint, 3);
    ASSERT_EQ(got.status, DecodeStatus::kOk);
    EXPECT_EQ(got.meta.type, RecordType::kCheckpoint);
    EXPECT_EQ(as_string(got.payload), "ck");

    const Bytes padding =
        encode_data(kind, {.type = RecordType::kPadding, .lsn = 4, .count = 0}, "");
    got = decode(kind, padding, 4);
    ASSERT_EQ(got.status, DecodeStatus::kOk);
    EXPECT_EQ(got.meta.type, RecordType::kPadding);
    EXPECT_EQ(got.meta.count, 0u);
  }
}

TEST(RecordCodec, BatchRoundTripsEntriesInOrder) {
  const std::vector<std::string> entries = {"first", "", "third entry", std::string(300, 'z')};
  for (ChecksumKind kind : kKinds) {
    const Bytes bytes = encode_entries(kind, 100, entries);
    const DecodedRecord got = decode(kind, bytes, 100);
    ASSERT_EQ(got.status, DecodeStatus::kOk);
    EXPECT_EQ(got.meta.type, RecordType::kBatch);
    EXPECT_EQ(got.meta.count, entries.size());
    std::vector<std::string> seen;
    EXPECT_TRUE(for_each_batch_entry(got.payload, got.meta.count,
                                     [&](std::uint32_t index, std::span<const std::byte> entry) {
                                       EXPECT_EQ(index, seen.size());
                                       seen.push_back(as_string(entry));
                                     }));
    EXPECT_EQ(seen, entries);
  }
}

RC_GTEST_PROP(RecordCodec, AnyBatchRoundTrips, (std::vector<std::string> entries)) {
  RC_PRE(!entries.empty());
  const auto kind = *rc::gen::element(ChecksumKind::kCrc32c, ChecksumKind::kCrc64,
                                      ChecksumKind::kXxh3);
  const Bytes bytes = encode_entries(kind, 5, entries);
  const DecodedRecord got = decode(kind, bytes, 5);
  RC_ASSERT(got.status == DecodeStatus::kOk);
  std::vector<std::string> seen;
  RC_ASSERT(for_each_batch_entry(got.payload, got.meta.count,
                                 [&](std::uint32_t, std::span<const std::byte> entry) {
                                   seen.push_back(as_string(entry));
                                 }));
  RC_ASSERT(seen == entries);
}

TEST(RecordCodec, EveryTruncationIsTruncatedOrZeroNeverOk) {
  for (ChecksumKind kind : kKinds) {
    for (const Bytes& record : samples(kind)) {
      for (std::size_t size = 0; size < record.size(); ++size) {
        // An exact-size copy: under ASan a read past the span is a crash, not a silent pass.
        const Bytes prefix(record.begin(), record.begin() + static_cast<std::ptrdiff_t>(size));
        const DecodeStatus status = decode(kind, prefix).status;
        EXPECT_TRUE(status == DecodeStatus::kTruncated || status == DecodeStatus::kZero)
            << to_string(kind) << " cut at " << size << " of " << record.size();
        const bool all_zero = std::all_of(prefix.begin(), prefix.end(),
                                          [](std::byte b) { return b == std::byte{0}; });
        if (!all_zero) {
          EXPECT_NE(status, DecodeStatus::kZero) << "cut at " << size;
        }
      }
    }
  }
}

TEST(RecordCodec, EverySingleByteFlipIsDetected) {
  for (ChecksumKind kind : kKinds) {
    for (const Bytes& record : samples(kind)) {
      for (std::size_t offset = 0; offset < record.size(); ++offset) {
        for (std::uint8_t mask : {std::uint8_t(1u << (offset % 8)), std::uint8_t{0xff}}) {
          Bytes damaged = record;
          testutil::flip_byte(damaged, offset, mask);
          const DecodeStatus status = decode(kind, damaged).status;
          EXPECT_NE(status, DecodeStatus::kOk)
              << to_string(kind) << " byte " << offset << " mask " << int(mask);
        }
      }
    }
  }
}

TEST(RecordCodec, AllZeroHeaderIsEndOfData) {
  const Bytes zeros(64);
  EXPECT_EQ(decode(ChecksumKind::kCrc32c, zeros).status, DecodeStatus::kZero);
  EXPECT_EQ(decode(ChecksumKind::kCrc32c, std::span(zeros).first(12)).status,
            DecodeStatus::kZero);
  EXPECT_EQ(decode(ChecksumKind::kCrc32c, {}).status, DecodeStatus::kZero);
}

TEST(RecordCodec, RecordOfAnotherSaltIsStale) {
  for (ChecksumKind kind : kKinds) {
    const Bytes other = encode_data(kind, {.type = RecordType::kData, .lsn = 7}, "old", kSalt + 1);
    EXPECT_EQ(decode(kind, other, 7).status, DecodeStatus::kStale) << to_string(kind);
  }
}

TEST(RecordCodec, WrongExpectedLsnIsStale) {
  const Bytes bytes = encode_data(ChecksumKind::kCrc32c, {.type = RecordType::kData, .lsn = 7}, "x");
  const DecodedRecord got = decode(ChecksumKind::kCrc32c, bytes, 8);
  EXPECT_EQ(got.status, DecodeStatus::kStale);
  EXPECT_EQ(got.meta.lsn, 7u);
  EXPECT_EQ(got.total_bytes, bytes.size()) << "a stale record can be skipped";
  EXPECT_EQ(decode(ChecksumKind::kCrc32c, bytes, kNoLsn).status, DecodeStatus::kOk);
}

TEST(RecordCodec, WrongChecksumKindFailsThePayloadSum) {
  const Bytes bytes = encode_data(ChecksumKind::kCrc32c, {.type = RecordType::kData, .lsn = 7}, "x");
  EXPECT_EQ(decode(ChecksumKind::kXxh3, bytes).status, DecodeStatus::kBadPayloadSum);
}

TEST(RecordCodec, HugeLengthWithValidHeaderCrcIsBadHeaderNotARead) {
  Bytes bytes = encode_data(ChecksumKind::kCrc32c, {.type = RecordType::kData, .lsn = 7}, "x");
  testutil::set_u32(bytes, kPayloadBytesAt, 0xfffffff0u);
  testutil::reseal_record_header(bytes, 0);
  EXPECT_EQ(decode(ChecksumKind::kCrc32c, bytes).status, DecodeStatus::kBadHeader);
}

TEST(RecordCodec, ImpossibleFieldsBehindAValidCrcAreBadHeader) {
  struct Forgery {
    const char* what;
    std::size_t offset;
    std::uint64_t value;
    int width;
  };
  const Forgery forgeries[] = {
      {"unknown type", kTypeAt, 9, 1},
      {"type zero", kTypeAt, 0, 1},
      {"data with count 2", kCountAt, 2, 4},
      {"data with count 0", kCountAt, 0, 4},
      {"lsn zero", kLsnAt, 0, 8},
      {"lsn range overflows", kLsnAt, ~0ull, 8},
      {"durable hint not below lsn", kDurableHintAt, 7, 8},
  };
  for (const Forgery& forgery : forgeries) {
    Bytes bytes = encode_data(ChecksumKind::kCrc32c, {.type = RecordType::kData, .lsn = 7}, "x");
    if (forgery.width == 1) bytes[forgery.offset] = static_cast<std::byte>(forgery.value);
    if (forgery.width == 4) testutil::set_u32(bytes, forgery.offset, static_cast<std::uint32_t>(forgery.value));
    if (forgery.width == 8) testutil::set_u64(bytes, forgery.offset, forgery.value);
    testutil::reseal_record_header(bytes, 0);
    EXPECT_EQ(decode(ChecksumKind::kCrc32c, bytes).status, DecodeStatus::kBadHeader)
        << forgery.what;
  }
}

TEST(RecordCodec, PayloadOverTheMaximumIsBadHeader) {
  const Bytes bytes =
      encode_data(ChecksumKind::kCrc32c, {.type = RecordType::kData, .lsn = 7}, "0123456789");
  EXPECT_EQ(decode_record(ChecksumKind::kCrc32c, kSalt, 7, 10, bytes).status, DecodeStatus::kOk);
  EXPECT_EQ(decode_record(ChecksumKind::kCrc32c, kSalt, 7, 9, bytes).status,
            DecodeStatus::kBadHeader);
}

TEST(RecordCodec, BatchEntryOverTheMaximumIsBadHeader) {
  const Bytes bytes = encode_entries(ChecksumKind::kCrc32c, 5, {"abc", "0123456789"});
  EXPECT_EQ(decode_record(ChecksumKind::kCrc32c, kSalt, 5, 10, bytes).status, DecodeStatus::kOk);
  EXPECT_EQ(decode_record(ChecksumKind::kCrc32c, kSalt, 5, 9, bytes).status,
            DecodeStatus::kBadHeader);
}

TEST(BatchFraming, InconsistentLengthsAreRejectedBeforeAnyVisit) {
  Bytes payload(4 * 2 + 3);
  testutil::set_u32(payload, 0, 1);
  testutil::set_u32(payload, 4, 5);  // 1 + 5 != 3 bytes of entries
  int visits = 0;
  EXPECT_FALSE(for_each_batch_entry(payload, 2, [&](std::uint32_t, auto) { ++visits; }));
  EXPECT_EQ(visits, 0);
  EXPECT_FALSE(for_each_batch_entry(payload, 3, [&](std::uint32_t, auto) { ++visits; }));
  EXPECT_FALSE(for_each_batch_entry(payload, 0, [&](std::uint32_t, auto) { ++visits; }));
  EXPECT_EQ(visits, 0);
}

SegmentHeader sample_header(ChecksumKind kind = ChecksumKind::kXxh3) {
  return {.checksum = kind, .salt = kSalt, .first_lsn = 1234, .capacity_bytes = 64u << 20};
}

TEST(SegmentHeaderCodec, RoundTripsForEveryKind) {
  for (ChecksumKind kind : kKinds) {
    Bytes bytes(kSegmentHeaderBytes);
    encode_segment_header(sample_header(kind), bytes);
    const SegmentHeaderResult got = decode_segment_header(bytes);
    ASSERT_EQ(got.status, SegmentHeaderStatus::kOk);
    EXPECT_EQ(got.version, kFormatVersion);
    EXPECT_EQ(got.header.checksum, kind);
    EXPECT_EQ(got.header.salt, kSalt);
    EXPECT_EQ(got.header.first_lsn, 1234u);
    EXPECT_EQ(got.header.capacity_bytes, 64u << 20);
  }
}

TEST(SegmentHeaderCodec, ClassifiesEveryKindOfDamage) {
  Bytes good(kSegmentHeaderBytes);
  encode_segment_header(sample_header(), good);

  EXPECT_EQ(decode_segment_header(std::span(good).first(63)).status, SegmentHeaderStatus::kTooShort);
  EXPECT_EQ(decode_segment_header(Bytes(kSegmentHeaderBytes)).status, SegmentHeaderStatus::kZero);

  Bytes magic = good;
  testutil::flip_byte(magic, 0);
  EXPECT_EQ(decode_segment_header(magic).status, SegmentHeaderStatus::kBadMagic);

  // A newer release writes a valid checksum: unsupported, with the version named.
  Bytes future = good;
  testutil::set_u32(future, 8, kFormatVersion + 1);
  testutil::reseal_segment_header(future);
  const SegmentHeaderResult got = decode_segment_header(future);
  EXPECT_EQ(got.status, SegmentHeaderStatus::kUnsupportedVersion);
  EXPECT_EQ(got.version, kFormatVersion + 1);
  // A flipped bit in the version field is damage, not a newer release.
  for (int bit = 1; bit < 32; ++bit) {
    Bytes flipped = good;
    testutil::set_u32(flipped, 8, kFormatVersion ^ (1u << bit));
    EXPECT_EQ(decode_segment_header(flipped).status, SegmentHeaderStatus::kBadChecksum) << bit;
  }

  Bytes unknown_kind = good;
  unknown_kind[12] = std::byte{77};
  EXPECT_EQ(decode_segment_header(unknown_kind).status, SegmentHeaderStatus::kBadChecksum);
  testutil::reseal_segment_header(unknown_kind);
  EXPECT_EQ(decode_segment_header(unknown_kind).status, SegmentHeaderStatus::kUnknownChecksum);

  // A sealed header claiming more than a segment may hold (soak: walctl repair tried to
  // preallocate 11 EB and answered "usage error").
  Bytes huge = good;
  testutil::set_u64(huge, 32, kMaxSegmentBytes + 1);
  testutil::reseal_segment_header(huge);
  EXPECT_EQ(decode_segment_header(huge).status, SegmentHeaderStatus::kBadCapacity);
  testutil::set_u64(huge, 32, kMaxSegmentBytes);
  testutil::reseal_segment_header(huge);
  EXPECT_EQ(decode_segment_header(huge).status, SegmentHeaderStatus::kOk);

  for (std::size_t offset = 12; offset < kSegmentHeaderBytes; ++offset) {
    Bytes damaged = good;
    testutil::flip_byte(damaged, offset, static_cast<std::uint8_t>(1u << (offset % 8)));
    EXPECT_EQ(decode_segment_header(damaged).status, SegmentHeaderStatus::kBadChecksum)
        << "byte " << offset;
  }
}

TEST(FrontMarker, RoundTripsAndRejectsEveryFlip) {
  const auto marker = recovery::encode_front_marker(987654321);
  EXPECT_EQ(recovery::decode_front_marker(marker), std::optional<Lsn>(987654321));
  for (std::size_t offset = 0; offset < marker.size(); ++offset) {
    Bytes damaged(marker.begin(), marker.end());
    testutil::flip_byte(damaged, offset, static_cast<std::uint8_t>(1u << (offset % 8)));
    EXPECT_EQ(recovery::decode_front_marker(damaged), std::nullopt) << "byte " << offset;
  }
  EXPECT_EQ(recovery::decode_front_marker(std::span(marker).first(15)), std::nullopt);
}

TEST(SegmentName, IsTwentyDigitsAndParsesBack) {
  EXPECT_EQ(recovery::segment_name(1), "00000000000000000001.wal");
  EXPECT_EQ(recovery::segment_name(~0ull), "18446744073709551615.wal");
  Lsn lsn = 0;
  EXPECT_TRUE(recovery::parse_segment_name("00000000000000000042.wal", &lsn));
  EXPECT_EQ(lsn, 42u);
  EXPECT_TRUE(recovery::parse_segment_name("18446744073709551615.wal", &lsn));
  EXPECT_EQ(lsn, ~0ull);
  for (const char* bad : {"0000000000000000042.wal", "00000000000000000042.wal.tmp",
                          "0000000000000000004x.wal", "99999999999999999999.wal", "LOCK", "",
                          "00000000000000000042.log"}) {
    EXPECT_FALSE(recovery::parse_segment_name(bad, &lsn)) << bad;
  }
}

}  // namespace
}  // namespace wal::format
