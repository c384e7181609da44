// The file classes of fs_files.h: each rule R1-R8 is named where it is implemented.
#include "adapters/rocksdb/fs_files.h"

#include <span>
#include <string_view>

#ifdef FIU_ENABLE
#include <fiu.h>
// The bugs RocksDB once had, planted in the FileSystem (test builds only; rocksdb_target.cc
// lists them): each shows that a negative control's scenario fails on the system it guards
// against.
#define ROCKSDB_PLANTED_BUG(point) (fiu_fail(point) != 0)
#else
#define ROCKSDB_PLANTED_BUG(point) false
#endif

namespace rocksdb_adapter {

rocksdb::IOStatus to_rocksdb(const wal::Status& status, const std::string& path) {
  if (status) return rocksdb::IOStatus::OK();
  switch (status.code()) {
    case wal::Code::kNotFound:  // ENOENT: PathNotFound, an IOError subcode (io_posix.cc l.68)
      return rocksdb::IOStatus::PathNotFound(path, status.to_string());
    case wal::Code::kNoSpace: {  // ENOSPC: NoSpace, retryable (l.60-65)
      rocksdb::IOStatus out = rocksdb::IOStatus::NoSpace(path, status.to_string());
      out.SetRetryable(true);
      return out;
    }
    default:
      return rocksdb::IOStatus::IOError(path, status.to_string());
  }
}

rocksdb::IOStatus count_failure(const wal::Status& status, const std::string& path,
                                FsCounters& counters) {
  ++counters.fs_errors;
  // A missing file or an existing directory is an answer RocksDB asks for, not the device
  // failing.
  if (status.code() != wal::Code::kNotFound && status.code() != wal::Code::kAlreadyExists) {
    ++counters.io_errors;
  }
  return to_rocksdb(status, path);
}

bool is_wal(const std::string& path) { return path.ends_with(".log"); }

namespace {

// R5: PosixSequentialFile::Read (fread, which loops) and PosixRandomAccessFile::Read (a pread
// loop, io_posix.cc l.576-593) fill the buffer unless the file ends or a call fails: a short
// pread(2) is read on from, never handed to RocksDB as the end (which it would take for a
// truncated block; found by the swarm's read_short).
wal::Result<std::size_t> read_until_end(wal::File& file, std::uint64_t offset, char* scratch,
                                        std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const wal::Result<std::size_t> got =
        file.read_at(offset + done, {reinterpret_cast<std::byte*>(scratch) + done, n - done});
    if (!got) return got.error();
    if (*got == 0) break;
    done += *got;
  }
  return done;
}

std::string_view base_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::span<const std::byte> bytes_of(const char* data, std::size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

class FsWritableFile final : public rocksdb::FSWritableFile {
 public:
  FsWritableFile(std::string path, std::unique_ptr<wal::File> file, std::uint64_t offset,
                 const rocksdb::FileOptions& options, FileContext context)
      : rocksdb::FSWritableFile(options),
        path_(std::move(path)),
        file_(std::move(file)),
        offset_(offset),
        context_(context),
        drop_sync_(context.breakage == Breakage::kDropLogSync && is_wal(path_)),
        manifest_(base_name(path_).starts_with("MANIFEST-")) {}

  ~FsWritableFile() override {
    if (file_) static_cast<void>(file_->close());  // as ~PosixWritableFile: errors ignored
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions&,
                           rocksdb::IODebugContext*) override {  // R1
    if (data.size() == 0) return rocksdb::IOStatus::OK();
    const wal::Status written = file_->write_at(offset_, bytes_of(data.data(), data.size()));
    if (!written && manifest_ && ROCKSDB_PLANTED_BUG("rocksdb/manifest-append-error-kept")) {
      // Before facebook/rocksdb#6331 (January 2020) a failed MANIFEST append left the file in
      // use, so the next edits landed behind the torn record. 7.8.3 abandons the file; to put
      // the bug back as its effect on the disk, the failure is hidden and the next append goes
      // where write(2)'s position is, behind the bytes that made it.
      const wal::Result<std::uint64_t> size = file_->size();
      if (size) offset_ = *size;
      return rocksdb::IOStatus::OK();
    }
    if (!written) return fail(written);
    offset_ += data.size();
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Truncate(std::uint64_t size, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {  // R8
    const wal::Status cut = file_->truncate(size);
    if (!cut) return fail(cut);
    offset_ = size;
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Close(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {  // R3
    const wal::Status closed = file_->close();
    file_.reset();
    return closed ? rocksdb::IOStatus::OK() : fail(closed);
  }

  rocksdb::IOStatus Flush(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();  // R1: nothing is buffered here
  }

  rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return sync();  // R2: fdatasync
  }

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    ++context_.counters.fsyncs;
    return sync();  // R2: fsync
  }

  bool IsSyncThreadSafe() const override { return true; }  // as PosixWritableFile

  std::uint64_t GetFileSize(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return offset_;
  }

  rocksdb::IOStatus RangeSync(std::uint64_t offset, std::uint64_t nbytes, const rocksdb::IOOptions&,
                              rocksdb::IODebugContext*) override {
    // R7: a hint; an error from it says nothing about the data (wal/fs.h).
    static_cast<void>(file_->start_writeback(offset, nbytes));
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Allocate(std::uint64_t, std::uint64_t, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();  // R7: a FALLOC_FL_KEEP_SIZE reservation changes no byte
  }

 private:
  rocksdb::IOStatus sync() {
    ++context_.counters.syncs;
    if (drop_sync_) return rocksdb::IOStatus::OK();  // Breakage::kDropLogSync: a lie
    const wal::Status synced = file_->sync();
    return synced ? rocksdb::IOStatus::OK() : fail(synced);
  }

  rocksdb::IOStatus fail(const wal::Status& status) {
    return count_failure(status, path_, context_.counters);
  }

  const std::string path_;
  std::unique_ptr<wal::File> file_;
  std::uint64_t offset_;  // the file position of write(2): where the next write lands
  FileContext context_;
  const bool drop_sync_;
  const bool manifest_;
};

class FsSequentialFile final : public rocksdb::FSSequentialFile {
 public:
  FsSequentialFile(std::string path, std::unique_ptr<wal::File> file, FileContext context)
      : path_(std::move(path)), file_(std::move(file)), context_(context) {}

  rocksdb::IOStatus Read(std::size_t n, const rocksdb::IOOptions&, rocksdb::Slice* result,
                         char* scratch, rocksdb::IODebugContext*) override {  // R5
    wal::Result<std::size_t> read = read_until_end(*file_, offset_, scratch, n);
    if (!read) {
      *result = rocksdb::Slice(scratch, 0);
      return count_failure(read.error(), path_, context_.counters);
    }
    offset_ += *read;
    *result = rocksdb::Slice(scratch, *read);
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Skip(std::uint64_t n) override {  // lseek(SEEK_CUR): past the end is fine
    offset_ += n;
    return rocksdb::IOStatus::OK();
  }

 private:
  const std::string path_;
  std::unique_ptr<wal::File> file_;
  FileContext context_;
  std::uint64_t offset_ = 0;
};

class FsRandomAccessFile final : public rocksdb::FSRandomAccessFile {
 public:
  FsRandomAccessFile(std::string path, std::unique_ptr<wal::File> file, FileContext context)
      : path_(std::move(path)), file_(std::move(file)), context_(context) {}

  rocksdb::IOStatus Read(std::uint64_t offset, std::size_t n, const rocksdb::IOOptions&,
                         rocksdb::Slice* result, char* scratch,
                         rocksdb::IODebugContext*) const override {  // R5
    wal::Result<std::size_t> read = read_until_end(*file_, offset, scratch, n);
    if (!read) {
      *result = rocksdb::Slice(scratch, 0);
      return count_failure(read.error(), path_, context_.counters);
    }
    *result = rocksdb::Slice(scratch, *read);
    return rocksdb::IOStatus::OK();
  }

 private:
  const std::string path_;
  // RocksDB reads through a const handle from several threads; here one simulated thread at a
  // time calls it (quiescent mode, env.h), and read_at keeps no position.
  const std::unique_ptr<wal::File> file_;
  FileContext context_;
};

class FsDirectory final : public rocksdb::FSDirectory {
 public:
  FsDirectory(std::string path, FileContext context) : path_(std::move(path)), context_(context) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {  // R6
    ++context_.counters.dir_syncs;
    if (context_.breakage == Breakage::kDropDirSync) return rocksdb::IOStatus::OK();
    const wal::Status synced = context_.fs.sync_dir(path_);
    return synced ? rocksdb::IOStatus::OK() : count_failure(synced, path_, context_.counters);
  }

  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* debug,
                                        const rocksdb::DirFsyncOptions& why) override {
    // Before 7.7 (facebook/rocksdb#10573) some MANIFEST updates passed no directory to
    // SetCurrentFile, so nothing synced the directory after CURRENT's rename.
    if (why.reason == rocksdb::DirFsyncOptions::kFileRenamed &&
        base_name(why.renamed_new_name) == "CURRENT" &&
        ROCKSDB_PLANTED_BUG("rocksdb/current-dir-unsynced")) {
      return rocksdb::IOStatus::OK();
    }
    // Before facebook/rocksdb#5435 (2019) IngestExternalFile synced no directory for the file
    // it put into the database (nor a hard-linked file itself; a copy was synced already), yet
    // the MANIFEST naming it was synced. The sync dropped here is Prepare's; a MANIFEST roll
    // inside the call would lose its own too (the control never rolls one).
    if (context_.counters.ingesting && ROCKSDB_PLANTED_BUG("rocksdb/ingest-dir-unsynced")) {
      return rocksdb::IOStatus::OK();
    }
    return Fsync(options, debug);  // R6: as PosixDirectory on ext4 and xfs
  }

  rocksdb::IOStatus Close(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();  // no handle is held: sync_dir names the directory
  }

 private:
  const std::string path_;
  FileContext context_;
};

}  // namespace

std::unique_ptr<rocksdb::FSWritableFile> make_writable_file(std::string path,
                                                            std::unique_ptr<wal::File> file,
                                                            std::uint64_t offset,
                                                            const rocksdb::FileOptions& options,
                                                            FileContext context) {
  return std::make_unique<FsWritableFile>(std::move(path), std::move(file), offset, options,
                                          context);
}

std::unique_ptr<rocksdb::FSSequentialFile> make_sequential_file(std::string path,
                                                                std::unique_ptr<wal::File> file,
                                                                FileContext context) {
  return std::make_unique<FsSequentialFile>(std::move(path), std::move(file), context);
}

std::unique_ptr<rocksdb::FSRandomAccessFile> make_random_access_file(
    std::string path, std::unique_ptr<wal::File> file, FileContext context) {
  return std::make_unique<FsRandomAccessFile>(std::move(path), std::move(file), context);
}

std::unique_ptr<rocksdb::FSDirectory> make_directory(std::string path, FileContext context) {
  return std::make_unique<FsDirectory>(std::move(path), context);
}

}  // namespace rocksdb_adapter
