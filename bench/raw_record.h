// The raw baseline's record: the same bytes per entry as the WAL writes (a 40-byte header with
// a header crc32c and a payload crc32c, payload padded to 8 bytes), encoded with nothing else
// around it. The crc32c here is this program's own plain SSE4.2 loop, so the baseline does not
// inherit the WAL's checksum code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include <nmmintrin.h>

namespace bench::raw {

inline constexpr std::size_t kHeaderBytes = 40;

constexpr std::size_t record_bytes(std::size_t payload) {
  return (kHeaderBytes + payload + 7) / 8 * 8;
}

__attribute__((target("sse4.2"))) inline std::uint32_t crc32c(std::uint32_t seed,
                                                               const std::byte* p,
                                                               std::size_t n) {
  std::uint64_t crc = ~seed;
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
  }
  auto crc32 = static_cast<std::uint32_t>(crc);
  for (; n > 0; --n, ++p) crc32 = _mm_crc32_u8(crc32, static_cast<std::uint8_t>(*p));
  return ~crc32;
}

// Encodes one record into `out` (record_bytes(payload.size()) bytes); returns its size.
inline std::size_t encode(std::uint64_t lsn, std::span<const std::byte> payload, std::byte* out) {
  const std::size_t total = record_bytes(payload.size());
  const auto length = static_cast<std::uint32_t>(payload.size());
  const std::uint32_t count = 1;
  std::memcpy(out + 4, &length, 4);
  std::memcpy(out + 8, &lsn, 8);
  std::memset(out + 16, 0, 8);
  std::memcpy(out + 24, &count, 4);
  std::memset(out + 28, 0, 4);
  std::memcpy(out + kHeaderBytes, payload.data(), payload.size());
  std::memset(out + kHeaderBytes + payload.size(), 0, total - kHeaderBytes - payload.size());
  const std::uint32_t header_crc = crc32c(0, out + 4, 28);
  std::memcpy(out, &header_crc, 4);
  std::uint32_t sum = crc32c(0, out, 32);
  sum = crc32c(sum, out + kHeaderBytes, total - kHeaderBytes);
  const std::uint64_t sum64 = sum;
  std::memcpy(out + 32, &sum64, 8);
  return total;
}

// The size of the whole, intact record at `p` (`n` bytes available), or 0 when it runs past
// `n`. Dies on a checksum mismatch: the raw log is written by this program.
std::size_t checked_record_bytes(const std::byte* p, std::size_t n);

}  // namespace bench::raw
