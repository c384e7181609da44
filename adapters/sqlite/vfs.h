// A sqlite3_vfs over wal::Fs: SQLite's own pager, journal and WAL code, unchanged, storing its
// files through the seam the harness controls (sim::SimFs under the fault stack in simulation,
// wal::PosixFs on a real disk). Every call is mapped as Linux's unix VFS (os_unix.c) behaves,
// so that what SQLite does here is what it does on ext4:
//
//   xRead         read_at; a short read zero-fills the rest and answers SQLITE_IOERR_SHORT_READ
//   xWrite        write_at; a full disk is SQLITE_FULL
//   xTruncate     truncate
//   xSync         sync() (on Linux the unix VFS always calls fdatasync, which also makes a changed
//                 file size durable: our sync_data() does not promise that, sync() does);
//                 SQLITE_SYNC_DATAONLY (a rewrite inside the file) as sync_data(). After the first
//                 sync of a journal or WAL file opened with SQLITE_OPEN_CREATE, one sync_dir() of
//                 its directory whose failure is ignored (os_unix.c, unixSync: "a failed
//                 directory sync is not a big deal")
//   xDelete       unlink, and sync_dir() only when SQLite asks (dirSync)
//   xAccess       stat; SQLITE_ACCESS_EXISTS is false for an empty file, as in unixAccess
//   xLock...      in memory, per process (process_locks.h); shared memory likewise, never durable
//   xFetch        no memory mapping: SQLite reads through xRead
//   xSectorSize, xDeviceCharacteristics   from the configuration ([device] in a scenario)
//   xRandomness, xSleep, xCurrentTime(Int64)   from the configuration's seed and clock, so one
//                 seed is one run bit for bit; xSleep returns at once (virtual time moves on its
//                 own in simulation)
//
// Files SQLite opens without a name or with SQLITE_OPEN_DELETEONCLOSE (temporary databases,
// statement journals) live in memory: the unix VFS unlinks them as soon as it opens them, so no
// crash can ever find them.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include <wal/clock.h>
#include <wal/fs.h>
#include <wal/status.h>

#include "adapters/sqlite/process_locks.h"

namespace sqlite_adapter {

struct VfsConfig {
  // None: a VFS for in-memory databases only (":memory:", with the clock and randomness below),
  // on which opening a named file fails.
  wal::Fs* fs = nullptr;
  wal::Clock* clock = nullptr;     // xCurrentTime: Julian day of 2026-01-01 plus now_us()
  std::uint64_t random_seed = 0;   // xRandomness
  int sector_bytes = 4096;
  int device_characteristics = 0;  // SQLITE_IOCAP_* flags
};

// Counts of what SQLite asked of the files (for tests and reports).
struct VfsCounters {
  std::uint64_t reads = 0;
  std::uint64_t short_reads = 0;
  std::uint64_t writes = 0;
  std::uint64_t syncs = 0;
  std::uint64_t data_only_syncs = 0;
  std::uint64_t dir_syncs = 0;
  std::uint64_t deletes = 0;
  std::uint64_t failed_calls = 0;  // calls of the Fs below that failed (an I/O error for SQLite)
};

// One registered VFS: one process's view of the files. Connections opened with its name()
// share its locks and shared memory; destroying it (after closing them) is the process's end.
class Vfs {
 public:
  // Registers a VFS called `name` (not the default VFS). Fails if the name is taken.
  [[nodiscard]] static wal::Result<std::unique_ptr<Vfs>> make(std::string name, VfsConfig config);
  ~Vfs();
  Vfs(const Vfs&) = delete;
  Vfs& operator=(const Vfs&) = delete;

  const std::string& name() const { return name_; }
  const VfsCounters& counters() const { return counters_; }

  // The implementation's access to its parts (vfs.cc's C callbacks).
  const VfsConfig& config() const { return config_; }
  VfsCounters& mutable_counters() { return counters_; }
  ProcessLocks& locks() { return locks_; }
  std::uint64_t next_random();

 private:
  Vfs(std::string name, VfsConfig config);
  std::string name_;
  VfsConfig config_;
  sqlite3_vfs vfs_{};
  ProcessLocks locks_;
  VfsCounters counters_;
  std::uint64_t random_state_ = 0;
};

}  // namespace sqlite_adapter
