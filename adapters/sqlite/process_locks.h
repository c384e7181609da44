// What one process's SQLite connections share about their files, kept in memory as the unix VFS
// keeps it in the kernel: the file locks (SHARED < RESERVED < PENDING < EXCLUSIVE, per file
// path) and WAL mode's shared memory (the wal-index regions and their eight locks).
//
// Both die with the process. The unix VFS backs shared memory with a "-shm" file that is never
// synced; the model keeps it in memory only, so after any crash SQLite finds no index
// and rebuilds it from the WAL file, the path it must take after a power loss anyway.
//
// Locks never wait: a conflict answers SQLITE_BUSY at once, as the unix VFS's non-blocking
// fcntl locks do, and SQLite's busy handler decides whether to retry.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sqlite_adapter {

// SQLite's lock levels (sqlite3.h SQLITE_LOCK_*).
enum class LockLevel : int { kNone = 0, kShared = 1, kReserved = 2, kPending = 3, kExclusive = 4 };

class ProcessLocks {
 public:
  // Moves `holder`'s lock on `path` up to `want` (SHARED, RESERVED or EXCLUSIVE, as xLock
  // asks), through PENDING for EXCLUSIVE as the unix VFS does. Returns SQLITE_OK or
  // SQLITE_BUSY; on BUSY while going for EXCLUSIVE the holder keeps PENDING, so no new reader
  // starves the writer.
  int lock(const std::string& path, const void* holder, LockLevel want);
  // Moves `holder`'s lock down to `want` (SHARED or NONE).
  int unlock(const std::string& path, const void* holder, LockLevel want);
  LockLevel level(const std::string& path, const void* holder) const;
  // xCheckReservedLock: does any holder have RESERVED or more on `path`?
  bool reserved(const std::string& path) const;

  // Shared memory: region `index` of `path`'s wal-index, `bytes` long, zero-filled when made.
  // nullptr when it does not exist and `extend` is false.
  void* shm_map(const std::string& path, const void* holder, int index, int bytes, bool extend);
  // xShmLock on locks [offset, offset+n) with SQLite's SQLITE_SHM_* flags.
  int shm_lock(const std::string& path, const void* holder, int offset, int n, int flags);
  // The holder lets go of the regions; the last one out frees them when `erase` (xShmUnmap's
  // deleteFlag) or keeps them for the next connection of this process.
  void shm_unmap(const std::string& path, const void* holder, bool erase);

 private:
  struct FileLocks {
    std::map<const void*, LockLevel> holders;  // only holders above NONE
  };
  struct Shm {
    std::vector<std::unique_ptr<std::byte[]>> regions;
    int region_bytes = 0;
    std::map<const void*, std::uint8_t> shared;     // per holder: bit i = SHARED on lock i
    std::map<const void*, std::uint8_t> exclusive;  // per holder: bit i = EXCLUSIVE on lock i
    std::map<const void*, int> mapped;              // holders with the regions mapped
  };
  std::map<std::string, FileLocks> files_;
  std::map<std::string, Shm> shm_;
};

}  // namespace sqlite_adapter
