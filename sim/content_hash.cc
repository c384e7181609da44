#include "sim/content_hash.h"

#include <xxhash.h>

namespace sim {

std::uint64_t content_hash(std::span<const std::byte> bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

}  // namespace sim
