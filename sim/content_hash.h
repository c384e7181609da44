// A fast 64-bit hash of bytes (XXH3), for looking things up by content: a memo that keys on it
// still compares the bytes themselves, so its answers never depend on the hash. Not for anything
// pinned (the trace and durable-state hashes have their own definitions, hash_mix.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sim {

std::uint64_t content_hash(std::span<const std::byte> bytes);

}  // namespace sim
