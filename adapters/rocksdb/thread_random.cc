// The generator state of thread_random.h.
#include "adapters/rocksdb/thread_random.h"

#include "sim/hash_mix.h"

namespace rocksdb_adapter {
namespace library {
// rocksdb::Random::GetTLSInstance(), librocksdb's: the calling thread's Random.
void* tls_random() __asm__("_ZN7rocksdb6Random14GetTLSInstanceEv");
}  // namespace library

void seed_thread_random(std::uint64_t seed) {
  constexpr std::uint32_t kModulus = 2147483647u;  // Random's M, 2^31 - 1
  const std::uint32_t state = static_cast<std::uint32_t>(sim::mix64(seed)) & kModulus;
  *static_cast<std::uint32_t*>(library::tls_random()) = state != 0 ? state : 1;  // GoodSeed
}

}  // namespace rocksdb_adapter
