#include "sim/harness/fingerprint_memo.h"

#include <cstring>
#include <unordered_map>
#include <vector>

#include "sim/content_hash.h"
#include "sim/harness/payload.h"

namespace harness {
namespace {

// Shorter payloads cost less to fingerprint than to look up; much longer ones would crowd out
// the rest.
constexpr std::size_t kMinBytes = 64;
// What the memo may hold before it starts over: a few thousand payloads, more than a run or
// an exploration has, while a series of runs (each with payloads of its own) stays in cache.
constexpr std::size_t kMaxBytes = std::size_t{2} << 20;

// Where a remembered payload's copy starts in the memo's store, its size and fingerprint.
struct Remembered {
  std::size_t at = 0;
  std::size_t size = 0;
  std::uint64_t fingerprint = 0;
};

// Looked up only, never iterated: its order cannot reach a result. One per OS thread: the
// simulated threads of a run share their carrier's, and a lookup never yields to another. The
// copies go one after the other into one store, not an allocation each.
struct Memo {
  std::unordered_map<std::uint64_t, Remembered> by_hash;
  std::vector<std::byte> store;
};

thread_local Memo memo;

}  // namespace

std::uint64_t remembered_fingerprint(std::span<const std::byte> bytes) {
  if (bytes.size() < kMinBytes || bytes.size() > kMaxBytes / 16) return fingerprint(bytes);
  Remembered& slot = memo.by_hash[sim::content_hash(bytes)];
  if (slot.size == bytes.size() &&
      std::memcmp(memo.store.data() + slot.at, bytes.data(), bytes.size()) == 0) {
    return slot.fingerprint;
  }
  // New bytes, or other bytes with the same hash: computed, and these are remembered instead.
  if (memo.store.size() + bytes.size() > kMaxBytes) {
    memo.by_hash.clear();
    memo.store.clear();
    return remembered_fingerprint(bytes);
  }
  if (memo.store.capacity() < kMaxBytes) memo.store.reserve(kMaxBytes);
  slot.at = memo.store.size();
  slot.size = bytes.size();
  memo.store.insert(memo.store.end(), bytes.begin(), bytes.end());
  slot.fingerprint = fingerprint(bytes);
  return slot.fingerprint;
}

}  // namespace harness
