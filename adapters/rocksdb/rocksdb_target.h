// RocksDB as a harness target (target = "rocksdb"; rocksdb_target.cc). The tests register
// broken copies of it under other names (breakage.h) to show every rocksdb-* invariant can
// fail.
#pragma once

#include <string>

#include "sim/harness/target.h"

#include "adapters/rocksdb/breakage.h"

namespace rocksdb_adapter {

harness::TargetInfo rocksdb_info(std::string name, Breakage breakage);

}  // namespace rocksdb_adapter
