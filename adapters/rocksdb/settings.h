// The [rocksdb] table of a scenario (its keys, TargetInfo::keys) and the rocksdb::Options it
// makes. The options that keep RocksDB from starting threads of its own are set here too
// (env.h lists each thread and what turns it off).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/options.h>

#include "sim/harness/target.h"

namespace rocksdb_adapter {

using Settings = std::map<std::string, std::string, std::less<>>;

struct TargetSettings {
  rocksdb::Options options;
  bool disable_wal = false;
  bool transaction_db = false;
  bool two_phase_commit = false;
  int column_families = 1;
  std::int64_t keys = 512;
  std::size_t value_bytes = 100;
  int ingest_percent = 0;  // of write ops, made an ingest (rocksdb_target.cc)
};

std::vector<harness::TargetKey> rocksdb_keys();
// Checks keys that depend on each other (two_phase_commit needs transaction_db).
std::vector<harness::TargetKeyProblem> validate_settings(const Settings& settings);
// The options and modes of `settings` (every declared key present: harness::target_settings).
TargetSettings read_settings(const Settings& settings);

// Sets the options that keep RocksDB 7.8.3 from starting threads of its own beside a quiescent
// Env (env.h lists each one). Every DB on a simulated Fs needs them: the stats dump left on
// writes the LOG from the host's timer thread beside the run, a data race on the Fs.
void no_threads_of_its_own(rocksdb::Options& options);

}  // namespace rocksdb_adapter
