// Looking for written bytes among zeros, eight at a time. Recovery does it wherever data may
// resume: in the preallocated (zero) rest of a segment, often megabytes of it, and in every
// record header it decodes (40 zero bytes end the written data). A byte at a time, that was a
// comparison per byte, and under the fuzzers' instrumentation a callback per byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace wal::detail {

// The index of the first non-zero byte of `bytes`, or nullopt when all are zero.
inline std::optional<std::size_t> first_nonzero(std::span<const std::byte> bytes) {
  std::size_t at = 0;
  for (; at + sizeof(std::uint64_t) <= bytes.size(); at += sizeof(std::uint64_t)) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + at, sizeof(word));
    if (word != 0) break;
  }
  for (; at < bytes.size(); ++at) {
    if (bytes[at] != std::byte{0}) return at;
  }
  return std::nullopt;
}

inline bool all_zero(std::span<const std::byte> bytes) { return !first_nonzero(bytes); }

}  // namespace wal::detail
