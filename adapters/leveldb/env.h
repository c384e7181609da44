// A leveldb::Env over wal::Fs: Debian's libleveldb 1.23, unchanged, storing its files through the
// seam the harness controls (sim::SimFs under the fault stack in simulation). The files obey
// exactly the durability rules of LevelDB's own POSIX Env (fs_files.h, R1-R8); the rest:
//
//   FileExists, GetFileSize   stat
//   GetChildren               list, plus "." and ".." as readdir(3) gives them
//   RemoveFile/DeleteFile     unlink, no directory sync (l.590-595)
//   CreateDir, RemoveDir      mkdir; an rmdir is SimFs's one entry removal (unlink)
//   LockFile/UnlockFile       Fs::lock: a second lock of the same path in this process fails,
//                             "already held by process" (l.628-662)
//   NewLogger                 LevelDB's info LOG, written through the Fs as PosixLogger does
//                             (O_APPEND, one write per line, never synced): info only, but its
//                             create, its rename to LOG.old and its writes are real file
//                             operations of a LevelDB open, so crash points count them.
//                             The line's time is virtual, its thread id is "sim" and the
//                             database's path is "<db>" (EnvConfig::log_hides).
//   NowMicros                 the run's wal::Clock
//   SleepForMicroseconds      a timed wait on the run's runtime: virtual time
//
// Quiescent mode. LevelDB's background compaction takes LevelDB's own port::Mutex, a
// std::mutex inside the .so that the deterministic scheduler cannot see: on a thread of its own
// it could not be interleaved by the seed. So Schedule() does not start a thread: it queues
// the work, and run_background() runs the queue on the calling simulated thread, to empty
// (work that schedules more runs too). The target calls it right after every call into
// LevelDB returns (outside LevelDB's mutex), so a crash point inside an op may land in the
// compaction that op triggered, and no compaction ever overlaps a write.
// Why not the alternatives: running the work inside Schedule() deadlocks (LevelDB calls
// Schedule with its mutex held, MaybeScheduleCompaction, and BackgroundCall locks it again);
// a simulated thread for it could switch while holding LevelDB's mutex, and the scheduler
// cannot see that mutex. Why it cannot hang: a writer waits for the background only when the
// immutable memtable is still full (MakeRoomForWrite's imm_ wait) or level 0 has 12 files; one
// write switches memtables at most once, and the queue is drained after every op, so neither
// holds when a write starts. Were it to happen, the run stalls and walsim's watchdog names the
// thread (exit code 70), never a silent hang. The limit: interleavings of compaction with
// writes are not explored (a fully deterministic mode needs LevelDB's mutex on the scheduler).
//
// StartThread (which LevelDB's DB code never calls; PosixEnv's Schedule does) starts a
// simulated thread on the runtime; the Env joins them when destroyed.
#pragma once

#include <leveldb/env.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <wal/clock.h>
#include <wal/fs.h>
#include <wal/runtime.h>

#include "adapters/leveldb/fs_files.h"

namespace leveldb_adapter {

struct EnvConfig {
  wal::Fs* fs = nullptr;
  wal::Clock* clock = nullptr;
  wal::Runtime* runtime = nullptr;  // SleepForMicroseconds and StartThread
  // Written as "<db>" wherever an info LOG line holds it (LevelDB logs the database's path):
  // the same run then writes the same LOG on PosixFs and on SimFs (walsim real --diff).
  std::string log_hides;
  // The fix of google/leveldb#1081 (after 1.23: a failed close of the old log at a switch is
  // a background error, so every later write fails), emulated below DBImpl 1.23: once a log's
  // close failed, every later write to a log fails with it. Off: LevelDB 1.23 as it ships.
  bool fail_log_writes_after_close_error = false;
};

class FsEnv final : public leveldb::Env {
 public:
  explicit FsEnv(EnvConfig config);
  ~FsEnv() override;
  FsEnv(const FsEnv&) = delete;
  FsEnv& operator=(const FsEnv&) = delete;

  leveldb::Status NewSequentialFile(const std::string& fname,
                                    leveldb::SequentialFile** result) override;
  leveldb::Status NewRandomAccessFile(const std::string& fname,
                                      leveldb::RandomAccessFile** result) override;
  leveldb::Status NewWritableFile(const std::string& fname,
                                  leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& fname,
                                    leveldb::WritableFile** result) override;
  bool FileExists(const std::string& fname) override;
  leveldb::Status GetChildren(const std::string& dir, std::vector<std::string>* result) override;
  leveldb::Status RemoveFile(const std::string& fname) override;
  leveldb::Status DeleteFile(const std::string& fname) override { return RemoveFile(fname); }
  leveldb::Status CreateDir(const std::string& dirname) override;
  leveldb::Status RemoveDir(const std::string& dirname) override;
  leveldb::Status DeleteDir(const std::string& dirname) override { return RemoveDir(dirname); }
  leveldb::Status GetFileSize(const std::string& fname, std::uint64_t* file_size) override;
  leveldb::Status RenameFile(const std::string& src, const std::string& target) override;
  leveldb::Status LockFile(const std::string& fname, leveldb::FileLock** lock) override;
  leveldb::Status UnlockFile(leveldb::FileLock* lock) override;
  void Schedule(void (*function)(void* arg), void* arg) override;
  void StartThread(void (*function)(void* arg), void* arg) override;
  leveldb::Status GetTestDirectory(std::string* path) override;
  leveldb::Status NewLogger(const std::string& fname, leveldb::Logger** result) override;
  std::uint64_t NowMicros() override;
  void SleepForMicroseconds(int micros) override;

  // Runs the queued background work to empty, on the calling thread. REQUIRES: no LevelDB
  // lock held (call it between calls into LevelDB). Returns how many items ran.
  std::size_t run_background();
  std::size_t queued() const { return queue_.size(); }
  std::uint64_t background_runs() const { return background_runs_; }
  const EnvCounters& counters() const { return counters_; }

 private:
  leveldb::Status fail(const wal::Status& status, const std::string& path);

  EnvConfig config_;
  EnvCounters counters_;
  std::deque<std::pair<void (*)(void*), void*>> queue_;
  std::uint64_t background_runs_ = 0;
  std::vector<std::unique_ptr<wal::Runtime::Thread>> threads_;
};

}  // namespace leveldb_adapter
