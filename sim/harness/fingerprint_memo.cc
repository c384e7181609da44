#include "sim/harness/fingerprint_memo.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "sim/content_hash.h"
#include "sim/harness/payload.h"

namespace harness {
namespace {

// Shorter payloads cost less to fingerprint than to look up.
constexpr std::size_t kMinBytes = 64;
// What the memo may hold before it starts over: a few thousand payloads, far more than a run or
// an exploration has, while a long series of runs (each with payloads of its own) stays bounded.
constexpr std::size_t kMaxBytes = std::size_t{16} << 20;

struct Remembered {
  std::vector<std::byte> bytes;
  std::uint64_t fingerprint = 0;
};

// Looked up only, never iterated: its order cannot reach a result. One per OS thread: the
// simulated threads of a run share their carrier's, and a lookup never yields to another.
struct Memo {
  std::unordered_map<std::uint64_t, Remembered> by_hash;
  std::size_t bytes = 0;
};

thread_local Memo memo;

}  // namespace

std::uint64_t remembered_fingerprint(std::span<const std::byte> bytes) {
  if (bytes.size() < kMinBytes) return fingerprint(bytes);
  Remembered& slot = memo.by_hash[sim::content_hash(bytes)];
  if (slot.bytes.size() == bytes.size() && std::equal(bytes.begin(), bytes.end(),
                                                      slot.bytes.begin())) {
    return slot.fingerprint;
  }
  // New bytes, or other bytes with the same hash: computed, and these are remembered instead.
  if (memo.bytes + bytes.size() > kMaxBytes) {
    memo.by_hash.clear();
    memo.bytes = 0;
    return remembered_fingerprint(bytes);
  }
  memo.bytes = memo.bytes - slot.bytes.size() + bytes.size();
  slot.bytes.assign(bytes.begin(), bytes.end());
  slot.fingerprint = fingerprint(bytes);
  return slot.fingerprint;
}

}  // namespace harness
