#include "raw_record.h"

#include "check.h"

namespace bench::raw {

std::size_t checked_record_bytes(const std::byte* p, std::size_t n) {
  std::uint32_t header_crc = 0;
  std::uint32_t length = 0;
  std::memcpy(&header_crc, p, 4);
  std::memcpy(&length, p + 4, 4);
  if (crc32c(0, p + 4, 28) != header_crc) die("raw W5", "record header checksum mismatch");
  const std::size_t total = record_bytes(length);
  if (total > n) return 0;
  std::uint64_t stored = 0;
  std::memcpy(&stored, p + 32, 8);
  std::uint32_t sum = crc32c(0, p, 32);
  sum = crc32c(sum, p + kHeaderBytes, total - kHeaderBytes);
  if (sum != stored) die("raw W5", "record payload checksum mismatch");
  return total;
}

}  // namespace bench::raw
