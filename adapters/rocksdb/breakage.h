// Deliberate breakage, for the tests that show each rocksdb-* invariant can fail
// (tests/rocksdb): a harness check that no broken adapter trips is a defect. kNone in every run
// a scenario makes; the tests register broken copies of the target under other names.
#pragma once

#include <cstdint>

namespace rocksdb_adapter {

enum class Breakage : std::uint8_t {
  kNone,
  kDropLogSync,  // the FileSystem: Sync/Fsync of a WAL (*.log) returns OK and syncs nothing
  kDropDirSync,  // the FileSystem: FSDirectory::Fsync returns OK and syncs nothing
  kPhantomPut,   // the target: each open writes a value no op gave (synced)
  kSkipWrite,    // the target: every 5th write is acknowledged and never made
  kSwapPairs,    // the target: each even-numbered write waits and is made after the next one
};

}  // namespace rocksdb_adapter
