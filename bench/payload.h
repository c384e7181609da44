// Entry bytes for every system: one pool of incompressible pseudo-random bytes, generated
// before any clock starts; entry i is a window of it, so appends never generate data and
// compressing stores (RocksDB, LevelDB) gain nothing from it. The pool is small enough to stay
// in L2 and consecutive entries are adjacent, as an application's freshly built entries would
// be: a pool larger than the cache with page-sized strides made every append's copy a cache
// and TLB miss, which measured the benchmark's memory rather than the log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace bench {

class PayloadPool {
 public:
  explicit PayloadPool(std::size_t entry_bytes, std::size_t pool_bytes = 256u << 10)
      : entry_bytes_(entry_bytes), bytes_(pool_bytes + entry_bytes) {
    std::uint64_t x = 0x9e3779b97f4a7c15ull ^ entry_bytes;
    for (std::byte& b : bytes_) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      b = static_cast<std::byte>(x >> 24);
    }
  }

  std::span<const std::byte> entry(std::uint64_t i) const {
    // A stride of entry + 1 bytes keeps consecutive entries from sharing alignment.
    const std::size_t offset =
        static_cast<std::size_t>((i * (entry_bytes_ + 1)) % (bytes_.size() - entry_bytes_));
    return std::span<const std::byte>(bytes_).subspan(offset, entry_bytes_);
  }
  std::size_t entry_bytes() const { return entry_bytes_; }

 private:
  std::size_t entry_bytes_;
  std::vector<std::byte> bytes_;
};

// The 16-byte key the key-value stores get: writer id then sequence, big-endian, so keys
// arrive in order per writer. The KV value is the entry minus these 16 bytes, so every system
// stores `entry_bytes` user bytes per append.
inline constexpr std::size_t kKeyBytes = 16;

inline void make_key(std::uint64_t writer, std::uint64_t seq, char* out) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<char>(writer >> (56 - 8 * i));
    out[8 + i] = static_cast<char>(seq >> (56 - 8 * i));
  }
}

}  // namespace bench
