#include "sim/harness/payload.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>

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

// fingerprint()'s steps: a whole word (big-endian, so the value is the byte-at-a-time one on
// every machine), and the rest (fewer than 8 bytes) with the length of it.
std::uint64_t fingerprint_word(std::uint64_t hash, const std::byte* at) {
  std::uint64_t chunk;
  std::memcpy(&chunk, at, 8);
  if constexpr (std::endian::native == std::endian::little) chunk = __builtin_bswap64(chunk);
  return payload_mix(hash ^ chunk);
}

std::uint64_t fingerprint_end(std::uint64_t hash, std::span<const std::byte> rest) {
  std::uint64_t word = 0;
  std::size_t filled = 0;
  for (std::byte b : rest) {
    word = (word << 8) | std::to_integer<std::uint64_t>(b);
    ++filled;
  }
  return payload_mix(hash ^ word ^ (filled << 56));
}

}  // namespace

std::vector<std::byte> make_payload(std::uint64_t seed, PayloadId id, std::uint32_t size_bytes) {
  return make_fingerprinted_payload(seed, id, size_bytes).bytes;
}

FingerprintedPayload make_fingerprinted_payload(std::uint64_t seed, PayloadId id,
                                                std::uint32_t size_bytes) {
  // The header, then the mixer's states' bytes, least significant first, cut at size_bytes,
  // filled a word at a time (with room for the last word, cut off at the end). The fingerprint
  // is taken in the same loop: its word k needs bytes up to 8k + 8, which the header and the
  // first k + 1 states have written. Two independent chains of multiplications in one loop
  // run side by side, where one after the other they took twice as long.
  FingerprintedPayload out;
  std::vector<std::byte>& bytes = out.bytes;
  bytes.reserve(std::max<std::size_t>(kPayloadHeaderBytes, size_bytes) + 8);
  bytes.push_back(kMarker);
  put_le(bytes, id.writer, 2);
  put_le(bytes, id.op, 4);
  put_le(bytes, id.part, 4);
  std::uint64_t state = payload_mix(seed ^ payload_mix(id.writer ^ payload_mix(id.op ^ payload_mix(id.part))));
  const std::size_t header = bytes.size();
  bytes.resize(std::max<std::size_t>(header, size_bytes) + 8);
  std::uint64_t hash = payload_mix(size_bytes);
  std::size_t word = 0;
  for (; word * 8 + 8 <= size_bytes; ++word) {
    if (header + word * 8 < size_bytes) {
      state = payload_mix(state);
      std::uint64_t le = state;
      if constexpr (std::endian::native == std::endian::big) le = __builtin_bswap64(le);
      std::memcpy(bytes.data() + header + word * 8, &le, 8);
    }
    hash = fingerprint_word(hash, bytes.data() + word * 8);
  }
  for (std::size_t at = header + word * 8; at < size_bytes; at += 8) {
    state = payload_mix(state);
    std::uint64_t le = state;
    if constexpr (std::endian::native == std::endian::big) le = __builtin_bswap64(le);
    std::memcpy(bytes.data() + at, &le, 8);
  }
  bytes.resize(size_bytes);
  out.fingerprint = fingerprint_end(hash, std::span<const std::byte>(bytes).subspan(word * 8));
  return out;
}

std::optional<PayloadId> identify_payload(std::span<const std::byte> payload) {
  if (payload.size() < kPayloadHeaderBytes || payload[0] != kMarker) return std::nullopt;
  return PayloadId{static_cast<std::uint32_t>(get_le(payload, 1, 2)),
                   static_cast<std::uint32_t>(get_le(payload, 3, 4)),
                   static_cast<std::uint32_t>(get_le(payload, 7, 4))};
}

std::uint64_t fingerprint(std::span<const std::byte> bytes) {
  std::uint64_t hash = payload_mix(bytes.size());
  std::size_t at = 0;
  for (; at + 8 <= bytes.size(); at += 8) hash = fingerprint_word(hash, bytes.data() + at);
  return fingerprint_end(hash, bytes.subspan(at));
}

std::string to_string(const PayloadId& id) {
  return fmt::format("writer {} op {} part {}", id.writer, id.op, id.part);
}

}  // namespace harness
