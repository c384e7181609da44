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

// The hardware crc32 instruction has a latency of three cycles and a throughput of one, so one
// chain of them runs at a third of the speed the unit allows. Three chains over three adjacent
// blocks run side by side, and the register is linear: the crc of A || B from register r is the
// crc of B from 0, xor r carried through |B| zero bytes. Carrying a register through a fixed
// number of zero bytes is four table lookups (one per register byte), so the blocks join for a
// few cycles. Two block sizes: long records and segment scans take the long one, the rest of a
// buffer (and records of a few hundred bytes) the short one, then one chain finishes.
constexpr std::size_t kLongBlock = 1024;
constexpr std::size_t kShortBlock = 128;

// The register (no inversions) after `zeros` zero bytes, from `reg`.
constexpr std::uint32_t through_zeros(std::uint32_t reg, std::size_t zeros) {
  for (std::size_t i = 0; i < zeros; ++i) reg = (reg >> 8) ^ kCrc32cTable[reg & 0xff];
  return reg;
}

using ShiftTable = std::array<std::array<std::uint32_t, 256>, 4>;

// table[k][b]: the register b << 8k carried through `zeros` zero bytes. Built from the 32
// single-bit registers, since carrying is linear.
constexpr ShiftTable make_shift_table(std::size_t zeros) {
  std::array<std::uint32_t, 32> bit{};
  for (int i = 0; i < 32; ++i) bit[i] = through_zeros(std::uint32_t{1} << i, zeros);
  ShiftTable table{};
  for (int k = 0; k < 4; ++k) {
    for (std::uint32_t b = 0; b < 256; ++b) {
      std::uint32_t v = 0;
      for (int j = 0; j < 8; ++j) {
        if ((b >> j) & 1) v ^= bit[8 * k + j];
      }
      table[k][b] = v;
    }
  }
  return table;
}

constexpr ShiftTable kLongShift = make_shift_table(kLongBlock);
constexpr ShiftTable kShortShift = make_shift_table(kShortBlock);

constexpr std::uint32_t shift(const ShiftTable& table, std::uint32_t reg) {
  return table[0][reg & 0xff] ^ table[1][(reg >> 8) & 0xff] ^ table[2][(reg >> 16) & 0xff] ^
         table[3][reg >> 24];
}

static_assert(shift(kShortShift, 0x12345678u) == through_zeros(0x12345678u, kShortBlock));

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) inline std::uint64_t crc32_word(std::uint64_t reg,
                                                                  const std::byte* p) {
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  return _mm_crc32_u64(reg, word);
}

// Three chains over the next 3 * block bytes, joined into `reg`.
template <std::size_t kBlock>
__attribute__((target("sse4.2"))) std::uint64_t crc32_three_blocks(std::uint64_t reg,
                                                                  const std::byte* p,
                                                                  const ShiftTable& table) {
  std::uint64_t b = 0;
  std::uint64_t c = 0;
  for (std::size_t at = 0; at < kBlock; at += 8) {
    reg = crc32_word(reg, p + at);
    b = crc32_word(b, p + kBlock + at);
    c = crc32_word(c, p + 2 * kBlock + at);
  }
  reg = shift(table, static_cast<std::uint32_t>(reg)) ^ b;
  return shift(table, static_cast<std::uint32_t>(reg)) ^ c;
}

__attribute__((target("sse4.2"))) std::uint32_t crc32c_hw(std::uint32_t seed,
                                                          std::span<const std::byte> data) {
  std::uint64_t crc = ~seed;
  const std::byte* p = data.data();
  std::size_t n = data.size();
  for (; n >= 3 * kLongBlock; n -= 3 * kLongBlock, p += 3 * kLongBlock) {
    crc = crc32_three_blocks<kLongBlock>(crc, p, kLongShift);
  }
  for (; n >= 3 * kShortBlock; n -= 3 * kShortBlock, p += 3 * kShortBlock) {
    crc = crc32_three_blocks<kShortBlock>(crc, p, kShortShift);
  }
  for (; n >= 8; n -= 8, p += 8) crc = crc32_word(crc, p);
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
