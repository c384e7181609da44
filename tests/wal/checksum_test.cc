// Pins each checksum to its catalogued check value and the two crc32c paths to each other.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string_view>
#include <vector>

#include "record_format.h"

namespace wal::format {
namespace {

std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

constexpr std::string_view kCheckInput = "123456789";

TEST(Crc32c, PortablePathMatchesCheckValue) {
  EXPECT_EQ(detail::crc32c_portable(0, bytes_of(kCheckInput)), 0xe3069283u);
}

TEST(Crc32c, HardwarePathMatchesCheckValue) {
  if (!detail::crc32c_hardware_supported()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  EXPECT_EQ(detail::crc32c_hardware(0, bytes_of(kCheckInput)), 0xe3069283u);
}

TEST(Crc32c, DispatchedPathMatchesCheckValue) {
  EXPECT_EQ(crc32c(0, bytes_of(kCheckInput)), 0xe3069283u);
}

TEST(Crc32c, EmptyInputKeepsSeed) {
  EXPECT_EQ(crc32c(0, {}), 0u);
  EXPECT_EQ(crc32c(0x12345678u, {}), 0x12345678u);
}

// Lengths around the 8-byte word size exercise the hardware path's word loop and byte tail.
RC_GTEST_PROP(Crc32c, HardwareAndPortableAgreeOnAnyInput, (std::vector<std::uint8_t> data,
                                                           std::uint32_t seed)) {
  RC_PRE(detail::crc32c_hardware_supported());
  auto span = std::as_bytes(std::span<const std::uint8_t>(data));
  RC_ASSERT(detail::crc32c_hardware(seed, span) == detail::crc32c_portable(seed, span));
}

// The hardware path runs three chains over blocks of 128 and 1024 bytes and joins them; every
// length from one block set to past two long ones, at every alignment of the start, must give
// the table's value.
TEST(Crc32c, HardwareBlocksAgreeWithPortableAtEveryLength) {
  if (!detail::crc32c_hardware_supported()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::vector<std::byte> data(3 * 1024 * 2 + 3 * 128 + 64);
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  for (std::byte& b : data) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::byte>(x);
  }
  const auto span = std::span<const std::byte>(data);
  for (std::size_t size = 0; size + 8 <= data.size(); size += size < 800 ? 1 : 37) {
    for (std::size_t start : {std::size_t{0}, std::size_t{3}, std::size_t{7}}) {
      const auto piece = span.subspan(start, size);
      ASSERT_EQ(detail::crc32c_hardware(0x5eedu, piece), detail::crc32c_portable(0x5eedu, piece))
          << "size " << size << " start " << start;
    }
  }
}

RC_GTEST_PROP(Crc32c, ExtendsAcrossSplits, (std::vector<std::uint8_t> data)) {
  auto span = std::as_bytes(std::span<const std::uint8_t>(data));
  const auto split = *rc::gen::inRange<std::size_t>(0, data.size() + 1);
  RC_ASSERT(crc32c(crc32c(0, span.first(split)), span.subspan(split)) == crc32c(0, span));
}

TEST(Crc64, MatchesXzCheckValue) {
  EXPECT_EQ(crc64(0, bytes_of(kCheckInput)), 0x995dc9bbdf1939faull);
}

RC_GTEST_PROP(Crc64, ExtendsAcrossSplits, (std::vector<std::uint8_t> data)) {
  auto span = std::as_bytes(std::span<const std::uint8_t>(data));
  const auto split = *rc::gen::inRange<std::size_t>(0, data.size() + 1);
  RC_ASSERT(crc64(crc64(0, span.first(split)), span.subspan(split)) == crc64(0, span));
}

TEST(Checksum, EveryKindDependsOnTheSeed) {
  for (ChecksumKind kind : {ChecksumKind::kCrc32c, ChecksumKind::kCrc64, ChecksumKind::kXxh3}) {
    EXPECT_NE(checksum(kind, 1, bytes_of(kCheckInput)), checksum(kind, 2, bytes_of(kCheckInput)))
        << to_string(kind);
  }
}

TEST(Checksum, Crc32cKindIsTheCrcOfSeedBytesThenData) {
  const std::uint64_t seed = 0x0102030405060708ull;
  std::vector<std::byte> joined(8);
  std::memcpy(joined.data(), &seed, 8);
  for (std::byte b : bytes_of(kCheckInput)) joined.push_back(b);
  EXPECT_EQ(checksum(ChecksumKind::kCrc32c, seed, bytes_of(kCheckInput)), crc32c(0, joined));
  EXPECT_EQ(checksum(ChecksumKind::kCrc64, seed, bytes_of(kCheckInput)), crc64(0, joined));
}

TEST(Checksum, KnownKindsAreExactlyTheEnum) {
  EXPECT_FALSE(is_known_checksum(0));
  EXPECT_TRUE(is_known_checksum(1));
  EXPECT_TRUE(is_known_checksum(2));
  EXPECT_TRUE(is_known_checksum(3));
  EXPECT_FALSE(is_known_checksum(4));
  EXPECT_FALSE(is_known_checksum(255));
}

}  // namespace
}  // namespace wal::format
