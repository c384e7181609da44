// Template bodies for record_format.h. Included only from there.
#pragma once

#include <cstring>

namespace wal::format {

// Validates the whole framing before visiting anything, so a visitor never sees a prefix of a
// batch whose tail is inconsistent (a batch is all or nothing).
template <typename Visit>
bool for_each_batch_entry(std::span<const std::byte> payload, std::uint32_t count,
                          Visit&& visit) {
  const std::uint64_t lengths_bytes = std::uint64_t{count} * 4;
  if (count == 0 || lengths_bytes > payload.size()) return false;
  std::uint64_t sum = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t length;
    std::memcpy(&length, payload.data() + std::size_t{i} * 4, 4);
    sum += length;
  }
  if (sum != payload.size() - lengths_bytes) return false;
  std::size_t offset = static_cast<std::size_t>(lengths_bytes);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t length;
    std::memcpy(&length, payload.data() + std::size_t{i} * 4, 4);
    visit(i, payload.subspan(offset, length));
    offset += length;
  }
  return true;
}

}  // namespace wal::format
