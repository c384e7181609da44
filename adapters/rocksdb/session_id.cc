// The session ids of session_id.h, and the definition that stands in for the library's.
#include "adapters/rocksdb/session_id.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "sim/hash_mix.h"

// DBImpl::GenerateDbSessionId(Env*) of librocksdb 7.8.3, a static member function: called as a
// free function `std::string f(Env*)` is (the string returned through the hidden pointer). A
// macro because an asm label takes a literal, and dlsym needs the same name.
#define WAL_ROCKSDB_SESSION_ID_SYMBOL "_ZN7rocksdb6DBImpl19GenerateDbSessionIdB5cxx11EPNS_3EnvE"

namespace rocksdb_adapter {
namespace interposed {
// Default visibility and `used`: the executable must export it for the library's PLT to find
// it, whatever the build's visibility flags.
[[gnu::visibility("default"), gnu::used]] std::string generate_db_session_id(rocksdb::Env* env)
    __asm__(WAL_ROCKSDB_SESSION_ID_SYMBOL);
}  // namespace interposed

namespace {

struct Registered {
  const rocksdb::Env* env;
  std::uint64_t seed;
  std::uint64_t* count;
};

// The live SessionIds: a few at a time (one per open run; jobs may run several runs in one
// process), so a vector under a mutex.
std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::vector<Registered>& registry() {
  static std::vector<Registered> registered;
  return registered;
}

using Generate = std::string (*)(rocksdb::Env*);

Generate library_generate() {
  static const Generate generate = [] {
    void* found = dlsym(RTLD_NEXT, WAL_ROCKSDB_SESSION_ID_SYMBOL);
    if (found == nullptr) std::abort();  // linked without librocksdb: cannot happen
    return reinterpret_cast<Generate>(found);
  }();
  return generate;
}

// `digits` base-36 digits of `value`, most significant first, as RocksDB's PutBaseChars writes
// them (uppercase).
void put_base36(std::string& out, int digits, std::uint64_t value) {
  const std::size_t at = out.size();
  out.append(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    out[at + static_cast<std::size_t>(i)] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[value % 36];
    value /= 36;
  }
}

}  // namespace

std::string run_session_id(std::uint64_t seed, std::uint64_t n) {
  // As SemiStructuredUniqueIdGen's: the upper part fixed for the run (39 bits, so that with
  // the lower part's top two bits it fits 8 base-36 digits), the lower part a base plus the
  // count, so a run's ids never repeat. The base is below 2^63 and n >= 1, so the lower part
  // is never zero (DBImpl avoids zero: the SST unique id starts with it).
  const std::uint64_t upper = sim::mix64(seed ^ 0x5e55'1014'dbdb'0001ull) >> 25;
  const std::uint64_t base = sim::mix64(seed + 0x5e55'1014'dbdb'0002ull) >> 1;
  const std::uint64_t lower = base + std::max<std::uint64_t>(n, 1);
  std::string id;
  id.reserve(20);
  put_base36(id, 8, upper << 2 | lower >> 62);  // EncodeSessionId's layout
  put_base36(id, 12, lower & (~std::uint64_t{0} >> 2));
  return id;
}

SessionIds::SessionIds(const rocksdb::Env* env, std::uint64_t seed, std::uint64_t* count)
    : env_(env) {
  const std::lock_guard<std::mutex> lock(registry_mutex());
  registry().push_back({env, seed, count});
}

SessionIds::~SessionIds() {
  const std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<Registered>& registered = registry();
  registered.erase(std::remove_if(registered.begin(), registered.end(),
                                  [this](const Registered& r) { return r.env == env_; }),
                   registered.end());
}

std::string library_session_id() { return library_generate()(nullptr); }

std::string interposed::generate_db_session_id(rocksdb::Env* env) {
  {
    const std::lock_guard<std::mutex> lock(registry_mutex());
    for (const Registered& r : registry()) {
      if (r.env == env && env != nullptr) return run_session_id(r.seed, ++*r.count);
    }
  }
  return library_generate()(env);
}

}  // namespace rocksdb_adapter
