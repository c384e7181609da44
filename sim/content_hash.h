// A fast 64-bit hash of bytes (XXH3-64, seed 0), for looking things up by content: a memo that
// keys on it still compares the bytes themselves, so its answers never depend on the hash.
// durable_hash() folds it in for each file's image (kept with the bytes, cow_bytes.h), so it is
// pinned as well: every golden durable-state hash depends on this being XXH3-64.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sim {

std::uint64_t content_hash(std::span<const std::byte> bytes);

}  // namespace sim
