// Checksums for the on-disk format. crc32c runs on SSE4.2 when the CPU has it (chosen once at run
// time, so one binary serves every x86-64 machine) and on a table otherwise; both produce the
// same values, and tests pin both to the standard check value. crc64 is CRC-64/XZ. xxh3 is
// libxxhash's XXH3-64.
//
// Every CRC here is "extendable": crc(crc(0, a), b) == crc(0, a || b), with 0 as the initial
// seed giving the catalogued value (the pre/post inversion happens inside).
#include <array>
#include <bit>
#include <cstring>

#include <xxhash.h>

#include "record_format.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace wal::format {
namespace {

static_assert(std::endian::native == std::endian::little, "the format is little-endian");

constexpr std::uint32_t kCrc32cPoly = 0x82f63b78u;               // Castagnoli, reflected
constexpr std::uint64_t kCrc64Poly = 0xc96c5795d7870f42ull;      // ECMA-182, reflected (XZ)

template <typename Word, Word kPoly>
constexpr std::array<Word, 256> make_table() {
  std::array<Word, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    Word crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kPoly : crc >> 1;
    table[i] = crc;
  }
  return table;
}

constexpr auto kCrc32cTable = make_table<std::uint32_t, kCrc32cPoly>();
constexpr auto kCrc64Table = make_table<std::uint64_t, kCrc64Poly>();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_hw(std::uint32_t seed,
                                                          std::span<const std::byte> data) {
  std::uint64_t crc = ~seed;
  const std::byte* p = data.data();
  std::size_t n = data.size();
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
  }
  auto crc32 = static_cast<std::uint32_t>(crc);
  for (; n > 0; --n, ++p) crc32 = _mm_crc32_u8(crc32, static_cast<std::uint8_t>(*p));
  return ~crc32;
}
#endif

using Crc32cFn = std::uint32_t (*)(std::uint32_t, std::span<const std::byte>);

Crc32cFn pick_crc32c() {
#if defined(__x86_64__)
  if (detail::crc32c_hardware_supported()) return &crc32c_hw;
#endif
  return &detail::crc32c_portable;
}

}  // namespace

namespace detail {

std::uint32_t crc32c_portable(std::uint32_t seed, std::span<const std::byte> data) {
  std::uint32_t crc = ~seed;
  for (std::byte b : data) crc = kCrc32cTable[(crc ^ static_cast<std::uint8_t>(b)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

bool crc32c_hardware_supported() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("sse4.2");
#else
  return false;
#endif
}

std::uint32_t crc32c_hardware(std::uint32_t seed, std::span<const std::byte> data) {
#if defined(__x86_64__)
  WAL_ASSERT(crc32c_hardware_supported());
  return crc32c_hw(seed, data);
#else
  WAL_ASSERT(false && "no hardware crc32c on this architecture");
  return seed;
#endif
}

}  // namespace detail

std::uint32_t crc32c(std::uint32_t seed, std::span<const std::byte> data) {
  static const Crc32cFn impl = pick_crc32c();
  return impl(seed, data);
}

std::uint64_t crc64(std::uint64_t seed, std::span<const std::byte> data) {
  std::uint64_t crc = ~seed;
  for (std::byte b : data) crc = kCrc64Table[(crc ^ static_cast<std::uint8_t>(b)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

// The CRCs take the 64-bit seed (the log's salt) as 8 little-endian bytes in front of the data,
// so every kind binds the checksum to the salt; xxh3 has a native 64-bit seed.
std::uint64_t checksum(ChecksumKind kind, std::uint64_t seed, std::span<const std::byte> data) {
  std::array<std::byte, 8> seed_bytes;
  std::memcpy(seed_bytes.data(), &seed, 8);
  switch (kind) {
    case ChecksumKind::kCrc32c: return crc32c(crc32c(0, seed_bytes), data);
    case ChecksumKind::kCrc64: return crc64(crc64(0, seed_bytes), data);
    case ChecksumKind::kXxh3: return XXH3_64bits_withSeed(data.data(), data.size(), seed);
  }
  WAL_ASSERT(false && "unknown checksum kind");
  return 0;
}

bool is_known_checksum(std::uint8_t kind) {
  return kind == static_cast<std::uint8_t>(ChecksumKind::kCrc32c) ||
         kind == static_cast<std::uint8_t>(ChecksumKind::kCrc64) ||
         kind == static_cast<std::uint8_t>(ChecksumKind::kXxh3);
}

}  // namespace wal::format
