// The FileSystem of file_system.h.
#include "adapters/rocksdb/file_system.h"

#include "adapters/rocksdb/logger.h"

namespace rocksdb_adapter {
namespace {

class FsFileLock final : public rocksdb::FileLock {
 public:
  explicit FsFileLock(std::unique_ptr<wal::FileLock> lock) : lock_(std::move(lock)) {}

 private:
  std::unique_ptr<wal::FileLock> lock_;  // released by its destructor
};

}  // namespace

FsFileSystem::FsFileSystem(FsConfig config) : config_(std::move(config)) {}

rocksdb::IOStatus FsFileSystem::fail(const wal::Status& status, const std::string& path) {
  return count_failure(status, path, counters_);
}

rocksdb::IOStatus FsFileSystem::NewSequentialFile(
    const std::string& fname, const rocksdb::FileOptions&,
    std::unique_ptr<rocksdb::FSSequentialFile>* result, rocksdb::IODebugContext*) {
  result->reset();
  wal::Result<std::unique_ptr<wal::File>> file = config_.fs->open(fname, wal::OpenMode::kReadOnly);
  if (!file) return fail(file.error(), fname);
  *result = make_sequential_file(fname, std::move(file).value(), context());
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FsFileSystem::NewRandomAccessFile(
    const std::string& fname, const rocksdb::FileOptions&,
    std::unique_ptr<rocksdb::FSRandomAccessFile>* result, rocksdb::IODebugContext*) {
  result->reset();
  wal::Result<std::unique_ptr<wal::File>> file = config_.fs->open(fname, wal::OpenMode::kReadOnly);
  if (!file) return fail(file.error(), fname);
  *result = make_random_access_file(fname, std::move(file).value(), context());
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FsFileSystem::open_writable(const std::string& fname,
                                              const rocksdb::FileOptions& options, bool truncate,
                                              std::unique_ptr<rocksdb::FSWritableFile>* result) {
  result->reset();
  // R4: O_CREAT, then O_TRUNC or O_APPEND; no directory sync.
  wal::Result<std::unique_ptr<wal::File>> file = config_.fs->open(fname, wal::OpenMode::kCreate);
  if (!file) return fail(file.error(), fname);
  std::uint64_t offset = 0;
  if (truncate) {
    const wal::Status truncated = (*file)->truncate(0);
    if (!truncated) return fail(truncated, fname);
  } else {
    wal::Result<std::uint64_t> size = (*file)->size();
    if (!size) return fail(size.error(), fname);
    offset = *size;
  }
  *result = make_writable_file(fname, std::move(file).value(), offset, options, context());
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FsFileSystem::NewWritableFile(const std::string& fname,
                                                const rocksdb::FileOptions& options,
                                                std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                rocksdb::IODebugContext*) {
  return open_writable(fname, options, true, result);
}

rocksdb::IOStatus FsFileSystem::ReopenWritableFile(const std::string& fname,
                                                   const rocksdb::FileOptions& options,
                                                   std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                   rocksdb::IODebugContext*) {
  return open_writable(fname, options, false, result);
}

rocksdb::IOStatus FsFileSystem::NewDirectory(const std::string& name, const rocksdb::IOOptions&,
                                             std::unique_ptr<rocksdb::FSDirectory>* result,
                                             rocksdb::IODebugContext*) {
  result->reset();
  // open(2) of the directory (l.537-553): it must be there.
  wal::Result<wal::FileStat> stat = config_.fs->stat(name);
  if (!stat) return fail(stat.error(), name);
  *result = make_directory(name, context());
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FsFileSystem::FileExists(const std::string& fname, const rocksdb::IOOptions&,
                                           rocksdb::IODebugContext*) {
  wal::Result<wal::FileStat> stat = config_.fs->stat(fname);
  if (stat) return rocksdb::IOStatus::OK();
  if (stat.error().code() == wal::Code::kNotFound) return rocksdb::IOStatus::NotFound();
  return fail(stat.error(), fname);
}

rocksdb::IOStatus FsFileSystem::GetChildren(const std::string& dir, const rocksdb::IOOptions&,
                                            std::vector<std::string>* result,
                                            rocksdb::IODebugContext*) {
  result->clear();
  wal::Result<std::vector<std::string>> names = config_.fs->list(dir);
  if (!names && names.error().code() == wal::Code::kNotFound) {
    return rocksdb::IOStatus::NotFound();
  }
  if (!names) return fail(names.error(), dir);
  *result = std::move(names).value();
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FsFileSystem::DeleteFile(const std::string& fname, const rocksdb::IOOptions&,
                                           rocksdb::IODebugContext*) {
  const wal::Status removed = config_.fs->unlink(fname);
  return removed ? rocksdb::IOStatus::OK() : fail(removed, fname);
}

rocksdb::IOStatus FsFileSystem::CreateDir(const std::string& dirname, const rocksdb::IOOptions&,
                                          rocksdb::IODebugContext*) {
  const wal::Status made = config_.fs->mkdir(dirname);
  return made ? rocksdb::IOStatus::OK() : fail(made, dirname);
}

rocksdb::IOStatus FsFileSystem::CreateDirIfMissing(const std::string& dirname,
                                                   const rocksdb::IOOptions&,
                                                   rocksdb::IODebugContext*) {
  const wal::Status made = config_.fs->mkdir(dirname);
  if (made) return rocksdb::IOStatus::OK();
  if (made.code() != wal::Code::kAlreadyExists) return fail(made, dirname);
  wal::Result<wal::FileStat> stat = config_.fs->stat(dirname);
  if (stat && stat->is_directory) return rocksdb::IOStatus::OK();
  return rocksdb::IOStatus::IOError("`" + dirname + "' exists but is not a directory");
}

rocksdb::IOStatus FsFileSystem::DeleteDir(const std::string& dirname, const rocksdb::IOOptions&,
                                          rocksdb::IODebugContext*) {
  const wal::Status removed = config_.fs->unlink(dirname);
  return removed ? rocksdb::IOStatus::OK() : fail(removed, dirname);
}

rocksdb::IOStatus FsFileSystem::GetFileSize(const std::string& fname, const rocksdb::IOOptions&,
                                            std::uint64_t* file_size, rocksdb::IODebugContext*) {
  wal::Result<wal::FileStat> stat = config_.fs->stat(fname);
  *file_size = stat ? stat->size_bytes : 0;
  return stat ? rocksdb::IOStatus::OK() : fail(stat.error(), fname);
}

rocksdb::IOStatus FsFileSystem::GetFileModificationTime(const std::string&,
                                                        const rocksdb::IOOptions&,
                                                        std::uint64_t* file_mtime,
                                                        rocksdb::IODebugContext*) {
  *file_mtime = 0;
  return rocksdb::IOStatus::NotSupported("wal::Fs keeps no modification times");
}

rocksdb::IOStatus FsFileSystem::RenameFile(const std::string& src, const std::string& target,
                                           const rocksdb::IOOptions&, rocksdb::IODebugContext*) {
  ++counters_.renames;
  const wal::Status renamed = config_.fs->rename(src, target);  // rename(2) alone
  return renamed ? rocksdb::IOStatus::OK() : fail(renamed, src);
}

rocksdb::IOStatus FsFileSystem::LockFile(const std::string& fname, const rocksdb::IOOptions&,
                                         rocksdb::FileLock** lock, rocksdb::IODebugContext*) {
  *lock = nullptr;
  wal::Result<std::unique_ptr<wal::FileLock>> held = config_.fs->lock(fname);
  if (!held && held.error().code() == wal::Code::kBusy) {
    return rocksdb::IOStatus::IOError("lock hold by current process", fname);
  }
  if (!held) return fail(held.error(), fname);
  *lock = new FsFileLock(std::move(held).value());
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FsFileSystem::UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions&,
                                           rocksdb::IODebugContext*) {
  delete lock;
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FsFileSystem::GetTestDirectory(const rocksdb::IOOptions& options,
                                                 std::string* path, rocksdb::IODebugContext* dbg) {
  *path = "/rocksdbtest";
  return CreateDirIfMissing(*path, options, dbg);
}

rocksdb::IOStatus FsFileSystem::NewLogger(const std::string& fname,
                                          const rocksdb::IOOptions& options,
                                          std::shared_ptr<rocksdb::Logger>* result,
                                          rocksdb::IODebugContext* dbg) {
  result->reset();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::FileOptions file_options;
  file_options.io_options = options;
  const rocksdb::IOStatus status = NewWritableFile(fname, file_options, &file, dbg);
  if (!status.ok()) return status;
  *result = make_fs_logger(std::move(file), *config_.clock, config_.log_hides);
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FsFileSystem::GetAbsolutePath(const std::string& db_path,
                                                const rocksdb::IOOptions&, std::string* output_path,
                                                rocksdb::IODebugContext*) {
  // The host's getcwd means nothing on the simulated disk: a relative path hangs off "/".
  *output_path = !db_path.empty() && db_path[0] == '/' ? db_path : "/";
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FsFileSystem::IsDirectory(const std::string& path, const rocksdb::IOOptions&,
                                            bool* is_dir, rocksdb::IODebugContext*) {
  wal::Result<wal::FileStat> stat = config_.fs->stat(path);
  if (is_dir != nullptr) *is_dir = stat && stat->is_directory;
  return stat ? rocksdb::IOStatus::OK() : fail(stat.error(), path);
}

}  // namespace rocksdb_adapter
