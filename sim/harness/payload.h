// Workload payloads: derived from (seed, writer, op, part), so the oracle never stores them and
// a checker can regenerate or identify any of them. Each payload starts with a small identity
// header (marker, writer, op, part), so a recovered payload found at the wrong LSN names the
// entry it really belongs to; payloads shorter than the header carry a prefix of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace harness {

// Which entry a payload was made for: op is the workload's global op index, part the entry's
// index inside a batch (0 for a single append or a checkpoint).
struct PayloadId {
  std::uint32_t writer = 0;
  std::uint32_t op = 0;
  std::uint32_t part = 0;
  friend bool operator==(const PayloadId&, const PayloadId&) = default;
};

inline constexpr std::size_t kPayloadHeaderBytes = 11;  // marker, writer u16, op u32, part u32

std::vector<std::byte> make_payload(std::uint64_t seed, PayloadId id, std::uint32_t size_bytes);

// The identity in a payload's header, if the payload is long enough and carries the marker.
std::optional<PayloadId> identify_payload(std::span<const std::byte> payload);

// A stable 64-bit fingerprint of the bytes (not cryptographic; same on every machine): XXH3-64
// (sim/content_hash.h). The oracle compares entries by it, and every read-back takes it of every
// entry it finds, so it is the fastest stable hash at hand. Its values appear in check messages.
std::uint64_t fingerprint(std::span<const std::byte> bytes);

// "writer 0 op 12 part 3".
std::string to_string(const PayloadId& id);

}  // namespace harness
