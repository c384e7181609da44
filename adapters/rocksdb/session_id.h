// RocksDB's db session ids, made the run's: the one function of librocksdb 7.8.3 we substitute.
// Nothing else of the engine is patched, vendored or replaced.
//
// Why. DBImpl::GenerateDbSessionId (db/db_impl/db_impl.cc at v7.8.3) draws each DB::Open's id
// from one process-wide SemiStructuredUniqueIdGen, seeded by GenerateRawUniqueId (the host's
// std::random_device, pid, clocks) and then counting, so an id depends on the host and on every
// DB the process opened before. The id lands in every table's properties (and, through the SST
// unique id, in what the MANIFEST checks) and in the info LOG: two runs of one seed would write
// different bytes, their crash-state hashes would differ, and `walsim real --diff` would see a
// LOG byte mismatch at the first open.
//
// How. librocksdb calls that function through its PLT (objdump -R lists an R_X86_64_JUMP_SLOT
// for it), and a linked shared library's symbol that the executable defines is exported by the
// executable and found there first: session_id.cc defines it under its mangled name, so every
// call in the library lands in this file. An Env that holds a SessionIds (each run's
// QuiescentEnv, env.h) gets the run's ids: a part from the seed and a count of the run's
// sessions, encoded as EncodeSessionId encodes (table/unique_id.cc: 20 base-36 digits, the
// lower half never zero, as GetSstInternalUniqueId expects). Any other Env, or none
// (SstFileWriter may pass null), gets the library's own function (dlsym RTLD_NEXT), so a test
// that uses RocksDB on the host sees RocksDB as it ships.
//
// Linking. The definition must be in every binary that runs the target, and a static archive's
// member is linked only when referenced: QuiescentEnv's SessionIds member references this file.
#pragma once

#include <cstdint>
#include <string>

#include <rocksdb/env.h>

namespace rocksdb_adapter {

// The `n`th (1-based) db session id of a run of `seed`: 20 characters [0-9A-Z] that
// DecodeSessionId reads back; ids of one seed differ for every n.
std::string run_session_id(std::uint64_t seed, std::uint64_t n);

// While alive, DBImpl::GenerateDbSessionId(env) returns run_session_id(seed, ++*count).
// `count` is the run's (the target's), so that a reopen's new Env does not repeat an id.
class SessionIds {
 public:
  SessionIds(const rocksdb::Env* env, std::uint64_t seed, std::uint64_t* count);
  ~SessionIds();
  SessionIds(const SessionIds&) = delete;
  SessionIds& operator=(const SessionIds&) = delete;

 private:
  const rocksdb::Env* env_;
};

// What GenerateDbSessionId(nullptr) gives outside any run: the library's own id.
std::string library_session_id();

}  // namespace rocksdb_adapter
