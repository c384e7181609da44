// The Env of env.h. Paths are LevelDB's, given to the Fs as they are.
#include "adapters/leveldb/env.h"

#include <cstdarg>

#include "adapters/kv/info_log.h"

namespace leveldb_adapter {
namespace {

class FsFileLock final : public leveldb::FileLock {
 public:
  explicit FsFileLock(std::unique_ptr<wal::FileLock> lock) : lock_(std::move(lock)) {}

 private:
  std::unique_ptr<wal::FileLock> lock_;  // released by its destructor
};

// PosixLogger's format (util/posix_logger.h of 1.23), one write per line (its fflush), on
// virtual time (UTC) with "sim" for the thread id.
class FsLogger final : public leveldb::Logger {
 public:
  FsLogger(std::unique_ptr<leveldb::WritableFile> file, wal::Clock& clock, std::string hides)
      : file_(std::move(file)), clock_(clock), hides_(std::move(hides)) {}

  void Logv(const char* format, std::va_list arguments) override {
    const std::uint64_t now_us = clock_.now_us();
    const std::string line = kv::info_log_line(now_us, format, arguments, hides_);
    // The info log is advisory: PosixLogger ignores fwrite's and fflush's errors too.
    static_cast<void>(file_->Append(line));
    static_cast<void>(file_->Flush());
  }

 private:
  std::unique_ptr<leveldb::WritableFile> file_;
  wal::Clock& clock_;
  const std::string hides_;
};

}  // namespace

FsEnv::FsEnv(EnvConfig config) : config_(config) {
  counters_.fail_log_writes_after_close_error = config_.fail_log_writes_after_close_error;
}

FsEnv::~FsEnv() {
  for (std::unique_ptr<wal::Runtime::Thread>& thread : threads_) thread->join();
}

leveldb::Status FsEnv::fail(const wal::Status& status, const std::string& path) {
  return count_failure(status, path, counters_);
}

leveldb::Status FsEnv::NewSequentialFile(const std::string& fname,
                                         leveldb::SequentialFile** result) {
  *result = nullptr;
  wal::Result<std::unique_ptr<wal::File>> file = config_.fs->open(fname, wal::OpenMode::kReadOnly);
  if (!file) return fail(file.error(), fname);
  *result = make_sequential_file(fname, std::move(file).value(), counters_).release();
  return leveldb::Status::OK();
}

leveldb::Status FsEnv::NewRandomAccessFile(const std::string& fname,
                                           leveldb::RandomAccessFile** result) {
  *result = nullptr;
  wal::Result<std::unique_ptr<wal::File>> file = config_.fs->open(fname, wal::OpenMode::kReadOnly);
  if (!file) return fail(file.error(), fname);
  *result = make_random_access_file(fname, std::move(file).value(), counters_).release();
  return leveldb::Status::OK();
}

leveldb::Status FsEnv::NewWritableFile(const std::string& fname, leveldb::WritableFile** result) {
  *result = nullptr;
  // R5: O_TRUNC | O_CREAT, no directory sync.
  wal::Result<std::unique_ptr<wal::File>> file = config_.fs->open(fname, wal::OpenMode::kCreate);
  if (!file) return fail(file.error(), fname);
  const wal::Status truncated = (*file)->truncate(0);
  if (!truncated) return fail(truncated, fname);
  *result = make_writable_file(fname, std::move(file).value(), 0, *config_.fs, counters_)
                .release();
  return leveldb::Status::OK();
}

leveldb::Status FsEnv::NewAppendableFile(const std::string& fname,
                                         leveldb::WritableFile** result) {
  *result = nullptr;
  // R6: O_APPEND | O_CREAT: every write lands at the end, which is where this one writer is.
  wal::Result<std::unique_ptr<wal::File>> file = config_.fs->open(fname, wal::OpenMode::kCreate);
  if (!file) return fail(file.error(), fname);
  wal::Result<std::uint64_t> size = (*file)->size();
  if (!size) return fail(size.error(), fname);
  *result = make_writable_file(fname, std::move(file).value(), *size, *config_.fs, counters_)
                .release();
  return leveldb::Status::OK();
}

bool FsEnv::FileExists(const std::string& fname) {
  return static_cast<bool>(config_.fs->stat(fname));
}

leveldb::Status FsEnv::GetChildren(const std::string& dir, std::vector<std::string>* result) {
  result->clear();
  wal::Result<std::vector<std::string>> names = config_.fs->list(dir);
  if (!names) return fail(names.error(), dir);
  result->push_back(".");
  result->push_back("..");
  for (std::string& name : *names) result->push_back(std::move(name));
  return leveldb::Status::OK();
}

leveldb::Status FsEnv::RemoveFile(const std::string& fname) {
  const wal::Status removed = config_.fs->unlink(fname);
  return removed ? leveldb::Status::OK() : fail(removed, fname);
}

leveldb::Status FsEnv::CreateDir(const std::string& dirname) {
  const wal::Status made = config_.fs->mkdir(dirname);
  return made ? leveldb::Status::OK() : fail(made, dirname);
}

leveldb::Status FsEnv::RemoveDir(const std::string& dirname) {
  const wal::Status removed = config_.fs->unlink(dirname);
  return removed ? leveldb::Status::OK() : fail(removed, dirname);
}

leveldb::Status FsEnv::GetFileSize(const std::string& fname, std::uint64_t* file_size) {
  wal::Result<wal::FileStat> stat = config_.fs->stat(fname);
  *file_size = stat ? stat->size_bytes : 0;
  return stat ? leveldb::Status::OK() : fail(stat.error(), fname);
}

leveldb::Status FsEnv::RenameFile(const std::string& src, const std::string& target) {
  ++counters_.renames;
  // R7: rename(2) alone.
  const wal::Status renamed = config_.fs->rename(src, target);
  return renamed ? leveldb::Status::OK() : fail(renamed, src);
}

leveldb::Status FsEnv::LockFile(const std::string& fname, leveldb::FileLock** lock) {
  *lock = nullptr;
  wal::Result<std::unique_ptr<wal::FileLock>> held = config_.fs->lock(fname);
  if (!held && held.error().code() == wal::Code::kBusy) {
    return leveldb::Status::IOError("lock " + fname, "already held by process");
  }
  if (!held) return fail(held.error(), "lock " + fname);
  *lock = new FsFileLock(std::move(held).value());
  return leveldb::Status::OK();
}

leveldb::Status FsEnv::UnlockFile(leveldb::FileLock* lock) {
  delete lock;
  return leveldb::Status::OK();
}

void FsEnv::Schedule(void (*function)(void* arg), void* arg) {
  queue_.emplace_back(function, arg);  // quiescent mode: run by run_background()
}

std::size_t FsEnv::run_background() {
  std::size_t ran = 0;
  while (!queue_.empty()) {
    const auto [function, arg] = queue_.front();
    queue_.pop_front();
    function(arg);  // may Schedule more: the loop runs it too
    ++ran;
  }
  background_runs_ += ran;
  return ran;
}

void FsEnv::StartThread(void (*function)(void* arg), void* arg) {
  threads_.push_back(
      config_.runtime->start_thread("leveldb-thread", [function, arg] { function(arg); }));
}

leveldb::Status FsEnv::GetTestDirectory(std::string* path) {
  *path = "/leveldbtest";
  static_cast<void>(CreateDir(*path));  // may exist already, as PosixEnv ignores too
  return leveldb::Status::OK();
}

leveldb::Status FsEnv::NewLogger(const std::string& fname, leveldb::Logger** result) {
  *result = nullptr;
  leveldb::WritableFile* file = nullptr;
  leveldb::Status status = NewAppendableFile(fname, &file);
  if (!status.ok()) return status;
  *result = new FsLogger(std::unique_ptr<leveldb::WritableFile>(file), *config_.clock,
                         config_.log_hides);
  return leveldb::Status::OK();
}

std::uint64_t FsEnv::NowMicros() { return config_.clock->now_us(); }

void FsEnv::SleepForMicroseconds(int micros) {
  if (micros <= 0) return;
  const std::unique_ptr<wal::Runtime::Mutex> mutex = config_.runtime->make_mutex();
  const std::unique_ptr<wal::Runtime::CondVar> wake = config_.runtime->make_condvar();
  mutex->lock();
  wake->wait_for(*mutex, static_cast<std::uint64_t>(micros));
  mutex->unlock();
}

}  // namespace leveldb_adapter
