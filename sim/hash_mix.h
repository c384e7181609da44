// The simulator's hash steps: splitmix64's finalizer (a full-avalanche bijection, so every field
// changes every bit) and one field folded into a running hash. The trace hash and the durable
// state hash are built from these; changing them changes every pinned hash (tests/golden/).
#pragma once

#include <cstdint>

namespace sim {

constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr std::uint64_t fold64(std::uint64_t hash, std::uint64_t value) {
  return mix64(hash ^ (value + 0x9e3779b97f4a7c15ull));
}

}  // namespace sim
