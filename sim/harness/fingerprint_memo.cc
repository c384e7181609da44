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

void keep(std::uint64_t hash, std::span<const std::byte> bytes, std::uint64_t fingerprint) {
  if (memo.store.size() + bytes.size() > kMaxBytes) {  // start over
    memo.by_hash.clear();
    memo.store.clear();
  }
  if (memo.store.capacity() < kMaxBytes) memo.store.reserve(kMaxBytes);
  memo.by_hash[hash] = Remembered{memo.store.size(), bytes.size(), fingerprint};
  memo.store.insert(memo.store.end(), bytes.begin(), bytes.end());
}

}  // namespace

std::uint64_t remembered_fingerprint(std::span<const std::byte> bytes) {
  if (bytes.size() < kMinBytes || bytes.size() > kMaxBytes / 16) return fingerprint(bytes);
  const std::uint64_t hash = sim::content_hash(bytes);
  if (const auto it = memo.by_hash.find(hash); it != memo.by_hash.end()) {
    const Remembered& slot = it->second;
    // memcmp: std::equal compares std::byte one at a time.
    if (slot.size == bytes.size() &&
        std::memcmp(memo.store.data() + slot.at, bytes.data(), bytes.size()) == 0) {
      return slot.fingerprint;
    }
  }
  // New bytes, or other bytes with the same hash: computed, and these are remembered instead.
  const std::uint64_t computed = fingerprint(bytes);
  keep(hash, bytes, computed);
  return computed;
}

void remember_fingerprint(std::span<const std::byte> bytes, std::uint64_t fingerprint) {
  if (bytes.size() < kMinBytes || bytes.size() > kMaxBytes / 16) return;
  keep(sim::content_hash(bytes), bytes, fingerprint);
}

}  // namespace harness
