// A rocksdb::Env for one run: the FileSystem of file_system.h, the SystemClock of clock.h, and
// thread pools that start no thread (quiescent mode, as adapters/leveldb/env.h).
//
// Quiescent mode. RocksDB's flushes and compactions take DBImpl's mutex_, a port::Mutex inside
// the .so that the deterministic scheduler cannot see: on a thread of its own the work could
// not be interleaved by the seed. So Schedule() starts no thread: it queues the job, and
// run_background() runs the queue on the calling simulated thread, to empty (a job that
// schedules more runs them too). The target calls it right after every call into RocksDB
// returns (outside RocksDB's mutex), so a crash point inside an op may land in the flush or
// compaction that op triggered, and no background job ever overlaps a write. UnSchedule
// drops queued jobs by tag, calling their unschedule function, as ThreadPoolImpl does.
// Running a job inside Schedule() would deadlock (RocksDB schedules with mutex_ held). Why it
// cannot hang: a writer waits for the background only in a write stall (max_write_buffer_number
// memtables full, or level-0 file counts at level0_stop_writes_trigger), and the queue is
// drained after every op; were it to happen, walsim's watchdog names the thread (exit code
// 70), never a silent hang. The limit: interleavings of background work with writes are not
// explored.
//
// The path-based calls of the legacy Env API (RocksDB still calls env_->DeleteFile,
// GetFileSize, LockFile, CreateDirIfMissing, ... beside the FileSystem) go to the same
// FileSystem. Its file-object calls (NewWritableFile etc. with the legacy file classes) return
// NotSupported: RocksDB's DB code opens files through the FileSystem only.
//
// Threads RocksDB 7.8.3 starts on its own, and what the target's options do about each:
//   - the periodic-task timer (db/periodic_task_scheduler.cc: one static Timer on the host's
//     clock): started by every DB::Open for kFlushInfoLog, which cannot be turned off; it calls
//     Logger::Flush every 10 s of host time, which does nothing here (logger.h). Dump and
//     persist stats are off (stats_dump_period_sec = stats_persist_period_sec = 0).
//   - VersionBuilder::LoadTableHandlers opens tables on max_file_opening_threads threads
//     (default 16; set to 1: the caller's thread alone).
//   - CompactionJob's subcompaction threads: max_subcompactions = 1 (the default) runs none.
//   - BlockBasedTableBuilder's parallel compression: CompressionOptions::parallel_threads = 1
//     (the default) runs none.
//   - ErrorHandler's automatic resume thread: off (max_bgerror_resume_count = 0), and
//     SstFileManager's NoSpace recovery thread: off (a listener answers OnErrorRecoveryBegin
//     with auto_recovery = false; settings.cc).
//   - SstFileManager's DeleteScheduler thread: only with a delete rate limit (none is set).
//   - Env::Default()'s pools: never used (this Env has its own Schedule).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/env.h>

#include <wal/clock.h>
#include <wal/fs.h>
#include <wal/runtime.h>

#include "adapters/rocksdb/clock.h"
#include "adapters/rocksdb/file_system.h"
#include "adapters/rocksdb/session_id.h"

namespace rocksdb_adapter {

struct EnvConfig {
  wal::Fs* fs = nullptr;
  wal::Clock* clock = nullptr;
  wal::Runtime* runtime = nullptr;  // SleepForMicroseconds and StartThread
  std::string log_hides;            // FsConfig::log_hides
  std::uint64_t seed = 0;           // GenerateUniqueId (the IDENTITY file's id), session ids
  Breakage breakage = Breakage::kNone;
  // The run's count of db sessions (session_id.h), kept by the target across reopens so that
  // no id repeats in a run; null: this Env counts its own.
  std::uint64_t* sessions = nullptr;
};

class QuiescentEnv final : public rocksdb::Env {
 public:
  explicit QuiescentEnv(const EnvConfig& config);
  ~QuiescentEnv() override;
  QuiescentEnv(const QuiescentEnv&) = delete;
  QuiescentEnv& operator=(const QuiescentEnv&) = delete;

  const char* Name() const override { return "WalQuiescentEnv"; }

  // Legacy file objects: not used by RocksDB's DB code (see above).
  rocksdb::Status NewSequentialFile(const std::string& fname,
                                    std::unique_ptr<rocksdb::SequentialFile>* result,
                                    const rocksdb::EnvOptions& options) override;
  rocksdb::Status NewRandomAccessFile(const std::string& fname,
                                      std::unique_ptr<rocksdb::RandomAccessFile>* result,
                                      const rocksdb::EnvOptions& options) override;
  rocksdb::Status NewWritableFile(const std::string& fname,
                                  std::unique_ptr<rocksdb::WritableFile>* result,
                                  const rocksdb::EnvOptions& options) override;
  rocksdb::Status NewDirectory(const std::string& name,
                               std::unique_ptr<rocksdb::Directory>* result) override;

  rocksdb::Status FileExists(const std::string& fname) override;
  rocksdb::Status GetChildren(const std::string& dir, std::vector<std::string>* result) override;
  rocksdb::Status DeleteFile(const std::string& fname) override;
  rocksdb::Status CreateDir(const std::string& dirname) override;
  rocksdb::Status CreateDirIfMissing(const std::string& dirname) override;
  rocksdb::Status DeleteDir(const std::string& dirname) override;
  rocksdb::Status GetFileSize(const std::string& fname, std::uint64_t* file_size) override;
  rocksdb::Status GetFileModificationTime(const std::string& fname,
                                          std::uint64_t* file_mtime) override;
  rocksdb::Status RenameFile(const std::string& src, const std::string& target) override;
  rocksdb::Status LockFile(const std::string& fname, rocksdb::FileLock** lock) override;
  rocksdb::Status UnlockFile(rocksdb::FileLock* lock) override;
  rocksdb::Status GetTestDirectory(std::string* path) override;
  rocksdb::Status NewLogger(const std::string& fname,
                            std::shared_ptr<rocksdb::Logger>* result) override;
  rocksdb::Status GetAbsolutePath(const std::string& db_path, std::string* output_path) override;

  void Schedule(void (*function)(void* arg), void* arg, Priority pri = LOW, void* tag = nullptr,
                void (*unschedFunction)(void* arg) = nullptr) override;
  int UnSchedule(void* tag, Priority pri) override;
  void StartThread(void (*function)(void* arg), void* arg) override;
  void WaitForJoin() override;
  unsigned int GetThreadPoolQueueLen(Priority pri = LOW) const override;
  void SetBackgroundThreads(int number, Priority pri = LOW) override;
  int GetBackgroundThreads(Priority pri = LOW) override;
  void IncBackgroundThreadsIfNeeded(int number, Priority pri) override;
  std::uint64_t GetThreadID() const override { return 1; }  // one simulated caller at a time

  std::uint64_t NowMicros() override { return clock_->NowMicros(); }
  std::uint64_t NowNanos() override { return clock_->NowNanos(); }
  void SleepForMicroseconds(int micros) override { clock_->SleepForMicroseconds(micros); }
  rocksdb::Status GetHostName(char* name, std::uint64_t len) override;
  rocksdb::Status GetCurrentTime(std::int64_t* unix_time) override;
  std::string TimeToString(std::uint64_t time) override { return clock_->TimeToString(time); }
  std::string GenerateUniqueId() override;

  // Runs the queued background jobs to empty, on the calling thread. REQUIRES: no RocksDB lock
  // held (call it between calls into RocksDB). Returns how many jobs ran.
  std::size_t run_background();
  std::size_t queued() const { return queue_.size(); }
  std::uint64_t background_runs() const { return background_runs_; }
  const FsCounters& counters() const { return fs_->counters(); }
  FsCounters& counters() { return fs_->counters(); }

 private:
  struct Job {
    void (*function)(void*);
    void* arg;
    Priority pri;
    void* tag;
    void (*unschedule)(void*);
  };

  EnvConfig config_;
  FsFileSystem* fs_;  // owned by Env::file_system_
  SimClock* clock_;   // owned by Env::system_clock_
  std::deque<Job> queue_;
  std::uint64_t background_runs_ = 0;
  std::uint64_t unique_ids_ = 0;
  std::uint64_t own_sessions_ = 0;  // EnvConfig::sessions when none is given
  SessionIds session_ids_;          // DB::Open's session ids: the run's (session_id.h)
  int threads_[Priority::TOTAL] = {1, 1, 1, 1};
  std::vector<std::unique_ptr<wal::Runtime::Thread>> threads_started_;
};

}  // namespace rocksdb_adapter
