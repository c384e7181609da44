// The Env of env.h.
#include "adapters/rocksdb/env.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace rocksdb_adapter {
namespace {

std::shared_ptr<rocksdb::FileSystem> make_fs(const EnvConfig& config) {
  return std::make_shared<FsFileSystem>(
      FsConfig{config.fs, config.clock, config.log_hides, config.breakage});
}

rocksdb::Status legacy_files_unsupported(const std::string& fname) {
  return rocksdb::Status::NotSupported("legacy Env file objects: use the FileSystem", fname);
}

}  // namespace

QuiescentEnv::QuiescentEnv(const EnvConfig& config)
    : rocksdb::Env(make_fs(config), std::make_shared<SimClock>(*config.clock, *config.runtime)),
      config_(config),
      fs_(static_cast<FsFileSystem*>(GetFileSystem().get())),
      clock_(static_cast<SimClock*>(GetSystemClock().get())),
      session_ids_(this, config.seed,
                   config.sessions != nullptr ? config.sessions : &own_sessions_) {}

QuiescentEnv::~QuiescentEnv() { WaitForJoin(); }

rocksdb::Status QuiescentEnv::NewSequentialFile(const std::string& fname,
                                                std::unique_ptr<rocksdb::SequentialFile>*,
                                                const rocksdb::EnvOptions&) {
  return legacy_files_unsupported(fname);
}

rocksdb::Status QuiescentEnv::NewRandomAccessFile(const std::string& fname,
                                                  std::unique_ptr<rocksdb::RandomAccessFile>*,
                                                  const rocksdb::EnvOptions&) {
  return legacy_files_unsupported(fname);
}

rocksdb::Status QuiescentEnv::NewWritableFile(const std::string& fname,
                                              std::unique_ptr<rocksdb::WritableFile>*,
                                              const rocksdb::EnvOptions&) {
  return legacy_files_unsupported(fname);
}

rocksdb::Status QuiescentEnv::NewDirectory(const std::string& name,
                                           std::unique_ptr<rocksdb::Directory>*) {
  return legacy_files_unsupported(name);
}

rocksdb::Status QuiescentEnv::FileExists(const std::string& fname) {
  return fs_->FileExists(fname, rocksdb::IOOptions(), nullptr);
}

rocksdb::Status QuiescentEnv::GetChildren(const std::string& dir,
                                          std::vector<std::string>* result) {
  return fs_->GetChildren(dir, rocksdb::IOOptions(), result, nullptr);
}

rocksdb::Status QuiescentEnv::DeleteFile(const std::string& fname) {
  return fs_->DeleteFile(fname, rocksdb::IOOptions(), nullptr);
}

rocksdb::Status QuiescentEnv::CreateDir(const std::string& dirname) {
  return fs_->CreateDir(dirname, rocksdb::IOOptions(), nullptr);
}

rocksdb::Status QuiescentEnv::CreateDirIfMissing(const std::string& dirname) {
  return fs_->CreateDirIfMissing(dirname, rocksdb::IOOptions(), nullptr);
}

rocksdb::Status QuiescentEnv::DeleteDir(const std::string& dirname) {
  return fs_->DeleteDir(dirname, rocksdb::IOOptions(), nullptr);
}

rocksdb::Status QuiescentEnv::GetFileSize(const std::string& fname, std::uint64_t* file_size) {
  return fs_->GetFileSize(fname, rocksdb::IOOptions(), file_size, nullptr);
}

rocksdb::Status QuiescentEnv::GetFileModificationTime(const std::string& fname,
                                                      std::uint64_t* file_mtime) {
  return fs_->GetFileModificationTime(fname, rocksdb::IOOptions(), file_mtime, nullptr);
}

rocksdb::Status QuiescentEnv::RenameFile(const std::string& src, const std::string& target) {
  return fs_->RenameFile(src, target, rocksdb::IOOptions(), nullptr);
}

rocksdb::Status QuiescentEnv::LockFile(const std::string& fname, rocksdb::FileLock** lock) {
  return fs_->LockFile(fname, rocksdb::IOOptions(), lock, nullptr);
}

rocksdb::Status QuiescentEnv::UnlockFile(rocksdb::FileLock* lock) {
  return fs_->UnlockFile(lock, rocksdb::IOOptions(), nullptr);
}

rocksdb::Status QuiescentEnv::GetTestDirectory(std::string* path) {
  return fs_->GetTestDirectory(rocksdb::IOOptions(), path, nullptr);
}

rocksdb::Status QuiescentEnv::NewLogger(const std::string& fname,
                                        std::shared_ptr<rocksdb::Logger>* result) {
  return fs_->NewLogger(fname, rocksdb::IOOptions(), result, nullptr);
}

rocksdb::Status QuiescentEnv::GetAbsolutePath(const std::string& db_path,
                                              std::string* output_path) {
  return fs_->GetAbsolutePath(db_path, rocksdb::IOOptions(), output_path, nullptr);
}

void QuiescentEnv::Schedule(void (*function)(void* arg), void* arg, Priority pri, void* tag,
                            void (*unschedFunction)(void* arg)) {
  queue_.push_back({function, arg, pri, tag, unschedFunction});  // run by run_background()
}

int QuiescentEnv::UnSchedule(void* tag, Priority pri) {
  // ThreadPoolImpl::UnSchedule: queued jobs with this tag leave the queue, each told through
  // its unschedule function (DBImpl's decrements its scheduled-job counts).
  std::vector<Job> dropped;
  const auto kept = std::stable_partition(queue_.begin(), queue_.end(), [&](const Job& job) {
    return !(job.tag == tag && job.pri == pri);
  });
  dropped.assign(kept, queue_.end());
  queue_.erase(kept, queue_.end());
  for (const Job& job : dropped) {
    if (job.unschedule != nullptr) job.unschedule(job.arg);
  }
  return static_cast<int>(dropped.size());
}

std::size_t QuiescentEnv::run_background() {
  std::size_t ran = 0;
  while (!queue_.empty()) {
    const Job job = queue_.front();
    queue_.pop_front();
    job.function(job.arg);  // may Schedule more: the loop runs it too
    ++ran;
  }
  background_runs_ += ran;
  return ran;
}

void QuiescentEnv::StartThread(void (*function)(void* arg), void* arg) {
  threads_started_.push_back(
      config_.runtime->start_thread("rocksdb-thread", [function, arg] { function(arg); }));
}

void QuiescentEnv::WaitForJoin() {
  for (std::unique_ptr<wal::Runtime::Thread>& thread : threads_started_) thread->join();
  threads_started_.clear();
}

unsigned int QuiescentEnv::GetThreadPoolQueueLen(Priority pri) const {
  return static_cast<unsigned int>(std::count_if(queue_.begin(), queue_.end(),
                                                 [pri](const Job& job) { return job.pri == pri; }));
}

void QuiescentEnv::SetBackgroundThreads(int number, Priority pri) {
  if (pri >= 0 && pri < Priority::TOTAL) threads_[pri] = number;
}

int QuiescentEnv::GetBackgroundThreads(Priority pri) {
  return pri >= 0 && pri < Priority::TOTAL ? threads_[pri] : 0;
}

void QuiescentEnv::IncBackgroundThreadsIfNeeded(int number, Priority pri) {
  if (pri >= 0 && pri < Priority::TOTAL) threads_[pri] = std::max(threads_[pri], number);
}

rocksdb::Status QuiescentEnv::GetHostName(char* name, std::uint64_t len) {
  if (len == 0) return rocksdb::Status::InvalidArgument("no room for a host name");
  std::snprintf(name, static_cast<std::size_t>(len), "%s", "sim");
  return rocksdb::Status::OK();
}

rocksdb::Status QuiescentEnv::GetCurrentTime(std::int64_t* unix_time) {
  return clock_->GetCurrentTime(unix_time);
}

std::string QuiescentEnv::GenerateUniqueId() {
  // A UUID's shape from the run's seed and a count: the IDENTITY file is the same on every run
  // of one seed (the host's /proc/sys/kernel/random/uuid is not).
  const std::uint64_t n = ++unique_ids_;
  char text[96];
  std::snprintf(text, sizeof(text), "%08llx-%04llx-4%03llx-8%03llx-%012llx",
                static_cast<unsigned long long>(config_.seed >> 32),
                static_cast<unsigned long long>((config_.seed >> 16) & 0xffff),
                static_cast<unsigned long long>(config_.seed & 0xfff),
                static_cast<unsigned long long>(n >> 48 & 0xfff),
                static_cast<unsigned long long>(n & 0xffffffffffffull));
  return text;
}

}  // namespace rocksdb_adapter
