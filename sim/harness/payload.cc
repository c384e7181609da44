#include "sim/harness/payload.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "sim/content_hash.h"

namespace harness {
namespace {

constexpr std::byte kMarker{0xA5};

std::uint64_t payload_mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void put_le(std::vector<std::byte>& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::byte>(value >> (8 * i)));
}

std::uint64_t get_le(std::span<const std::byte> in, std::size_t at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    value |= std::to_integer<std::uint64_t>(in[at + static_cast<std::size_t>(i)]) << (8 * i);
  }
  return value;
}

}  // namespace

std::vector<std::byte> make_payload(std::uint64_t seed, PayloadId id, std::uint32_t size_bytes) {
  // The header, then the mixer's states' bytes, least significant first, cut at size_bytes,
  // filled a word at a time (with room for the last word, cut off at the end).
  std::vector<std::byte> bytes;
  bytes.reserve(std::max<std::size_t>(kPayloadHeaderBytes, size_bytes) + 8);
  bytes.push_back(kMarker);
  put_le(bytes, id.writer, 2);
  put_le(bytes, id.op, 4);
  put_le(bytes, id.part, 4);
  std::uint64_t state = payload_mix(seed ^ payload_mix(id.writer ^ payload_mix(id.op ^ payload_mix(id.part))));
  const std::size_t header = bytes.size();
  bytes.resize(std::max<std::size_t>(header, size_bytes) + 8);
  for (std::size_t at = header; at < size_bytes; at += 8) {
    state = payload_mix(state);
    std::uint64_t le = state;
    if constexpr (std::endian::native == std::endian::big) le = __builtin_bswap64(le);
    std::memcpy(bytes.data() + at, &le, 8);
  }
  bytes.resize(size_bytes);
  return bytes;
}

std::optional<PayloadId> identify_payload(std::span<const std::byte> payload) {
  if (payload.size() < kPayloadHeaderBytes || payload[0] != kMarker) return std::nullopt;
  return PayloadId{static_cast<std::uint32_t>(get_le(payload, 1, 2)),
                   static_cast<std::uint32_t>(get_le(payload, 3, 4)),
                   static_cast<std::uint32_t>(get_le(payload, 7, 4))};
}

std::uint64_t fingerprint(std::span<const std::byte> bytes) { return sim::content_hash(bytes); }

std::string to_string(const PayloadId& id) {
  return fmt::format("writer {} op {} part {}", id.writer, id.op, id.part);
}

}  // namespace harness
