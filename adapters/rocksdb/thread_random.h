// The skiplist heights of RocksDB's memtables, made the run's.
//
// Why. InlineSkipList::RandomHeight (memtable/inlineskiplist.h at v7.8.3) draws each node's
// height from Random::GetTLSInstance(): a generator per OS thread, seeded from the hash of the
// thread's id (util/random.cc), which differs between processes and continues from whatever the
// thread inserted before. A node's size is its height's pointers plus its entry, so the
// memtable's arena use, and with it MemTable::ShouldFlushNow (which looks at the bytes left
// in the arena's last block), the write a flush happens after and the "memory_usage" the LOG
// records, would depend on the process: the differential, which runs both sides on one thread,
// saw the LOG differ there.
//
// How. Nothing is substituted: the library's own generator is set to a state from the run's
// seed at the start of every call the harness makes into the target, on the calling thread
// (quiescent mode runs all of RocksDB's work there, env.h). Random is one uint32_t (util/random.h
// at v7.8.3, not installed), and Reset(s) stores GoodSeed(s): s & (2^31 - 1), or 1 for 0;
// GetTLSInstance is exported, so we call it by its mangled name.
#pragma once

#include <cstdint>

namespace rocksdb_adapter {

// Sets the calling thread's Random::GetTLSInstance() to a state drawn from `seed`.
void seed_thread_random(std::uint64_t seed);

}  // namespace rocksdb_adapter
