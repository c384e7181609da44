// The file classes of fs_files.h: each rule R1-R8 is named where it is implemented.
#include "adapters/leveldb/fs_files.h"

#include <algorithm>
#include <cstring>
#include <span>

#ifdef FIU_ENABLE
#include <fiu.h>
// The bugs LevelDB once had, planted in the Env (test builds only; leveldb_target.cc lists
// them): each shows that a negative control's scenario fails on the system it guards against.
#define LEVELDB_PLANTED_BUG(point) (fiu_fail(point) != 0)
#else
#define LEVELDB_PLANTED_BUG(point) false
#endif

namespace leveldb_adapter {

leveldb::Status to_leveldb(const wal::Status& status, const std::string& path) {
  if (status) return leveldb::Status::OK();
  if (status.code() == wal::Code::kNotFound) {
    return leveldb::Status::NotFound(path, status.message());
  }
  return leveldb::Status::IOError(path, status.to_string());
}

leveldb::Status count_failure(const wal::Status& status, const std::string& path,
                              EnvCounters& counters) {
  ++counters.fs_errors;
  // A missing file or an existing directory is an answer LevelDB asks for (it probes with
  // FileExists-like opens and ignores CreateDir's result), not the device failing.
  if (status.code() != wal::Code::kNotFound && status.code() != wal::Code::kAlreadyExists) {
    ++counters.io_errors;
  }
  return to_leveldb(status, path);
}

bool is_manifest(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string_view whole(path);
  const std::string_view base = slash == std::string::npos ? whole : whole.substr(slash + 1);
  return base.starts_with("MANIFEST");
}

std::string dirname_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

namespace {

std::span<const std::byte> bytes_of(const char* data, std::size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

class FsWritableFile final : public leveldb::WritableFile {
 public:
  FsWritableFile(std::string path, std::unique_ptr<wal::File> file, std::uint64_t offset,
                 wal::Fs& fs, EnvCounters& counters)
      : path_(std::move(path)), dirname_(dirname_of(path_)), manifest_(is_manifest(path_)),
        log_(path_.ends_with(".log")),
        file_(std::move(file)), offset_(offset), fs_(fs), counters_(counters),
        buf_(kWritableFileBufferSize) {}

  ~FsWritableFile() override {
    if (file_) static_cast<void>(Close());  // R4: errors ignored, as PosixWritableFile does
  }

  // R1, the copy of PosixWritableFile::Append.
  leveldb::Status Append(const leveldb::Slice& data) override {
    if (refused_after_close_error()) return refusal();
    std::size_t write_size = data.size();
    const char* write_data = data.data();
    const std::size_t copy_size = std::min(write_size, kWritableFileBufferSize - pos_);
    std::memcpy(buf_.data() + pos_, write_data, copy_size);
    write_data += copy_size;
    write_size -= copy_size;
    pos_ += copy_size;
    if (write_size == 0) return leveldb::Status::OK();
    leveldb::Status status = FlushBuffer();
    if (!status.ok()) return status;
    if (write_size < kWritableFileBufferSize) {
      std::memcpy(buf_.data(), write_data, write_size);
      pos_ = write_size;
      return leveldb::Status::OK();
    }
    return WriteUnbuffered(write_data, write_size);
  }

  leveldb::Status Close() override {  // R4
    leveldb::Status status = FlushBuffer();
    const wal::Status closed = file_->close();
    file_.reset();
    if (!closed && log_) ++counters_.log_close_errors;
    if (!closed && status.ok()) status = fail(closed, path_);
    return status;
  }

  leveldb::Status Flush() override {  // R2
    if (refused_after_close_error()) return refusal();
    return FlushBuffer();
  }

  leveldb::Status Sync() override {  // R3
    if (unsynced_by_planted_bug()) return FlushBuffer();
    if (refused_after_close_error()) return refusal();
    ++counters_.syncs;
    if (manifest_) {
      // "Ensure new files referred to by the manifest are in the filesystem" (l.307-311).
      ++counters_.dir_syncs;
      const wal::Status synced = fs_.sync_dir(dirname_);
      if (!synced) return fail(synced, dirname_);
    }
    leveldb::Status status = FlushBuffer();
    if (!status.ok()) return status;
    // fdatasync on Linux: data and, for an appended file, its size (see R3).
    const wal::Status synced = file_->sync();
    return synced ? leveldb::Status::OK() : fail(synced, path_);
  }

 private:
  // Before 1.23 NewDB closed MANIFEST-000001 without a Sync (google/leveldb#189); before
  // January 2012 SetCurrentFile wrote CURRENT's temp file without one (issue 68, "no sync of
  // CURRENT file"). Each planted bug turns that file's Sync back into the flush it was.
  bool unsynced_by_planted_bug() const {
    const std::string_view base = std::string_view(path_).substr(path_.rfind('/') + 1);
    if (base == "MANIFEST-000001" && LEVELDB_PLANTED_BUG("leveldb/newdb-manifest-unsynced")) {
      return true;
    }
    return base.ends_with(".dbtmp") && LEVELDB_PLANTED_BUG("leveldb/current-unsynced");
  }

  // EnvConfig::fail_log_writes_after_close_error: the emulated fix of google/leveldb#1081.
  bool refused_after_close_error() const {
    return log_ && counters_.fail_log_writes_after_close_error && counters_.log_close_errors > 0;
  }
  leveldb::Status refusal() const {
    return leveldb::Status::IOError(path_, "an earlier log's close failed (the fix of "
                                           "google/leveldb#1081, emulated in the Env)");
  }

  leveldb::Status FlushBuffer() {
    leveldb::Status status = WriteUnbuffered(buf_.data(), pos_);
    pos_ = 0;  // dropped even on failure, as l.326-330 do
    return status;
  }

  leveldb::Status WriteUnbuffered(const char* data, std::size_t size) {
    if (size == 0) return leveldb::Status::OK();
    const wal::Status written = file_->write_at(offset_, bytes_of(data, size));
    if (!written) return fail(written, path_);
    offset_ += size;
    return leveldb::Status::OK();
  }

  leveldb::Status fail(const wal::Status& status, const std::string& what) {
    return count_failure(status, what, counters_);
  }

  const std::string path_;
  const std::string dirname_;
  const bool manifest_;
  const bool log_;  // a write-ahead log, NNNNNN.log
  std::unique_ptr<wal::File> file_;
  std::uint64_t offset_;  // the file position of write(2): where the next write lands
  wal::Fs& fs_;
  EnvCounters& counters_;
  std::vector<char> buf_;  // [0, pos_) waits for the file
  std::size_t pos_ = 0;
};

class FsSequentialFile final : public leveldb::SequentialFile {
 public:
  FsSequentialFile(std::string path, std::unique_ptr<wal::File> file, EnvCounters& counters)
      : path_(std::move(path)), file_(std::move(file)), counters_(counters) {}

  // R8: one read(2), as PosixSequentialFile::Read makes: a short read is returned as it is
  // (google/leveldb#1285: the log reader takes it for the end of the file).
  leveldb::Status Read(std::size_t n, leveldb::Slice* result, char* scratch) override {
    wal::Result<std::size_t> read =
        file_->read_at(offset_, {reinterpret_cast<std::byte*>(scratch), n});
    if (!read) {
      *result = leveldb::Slice(scratch, 0);
      return count_failure(read.error(), path_, counters_);
    }
    offset_ += *read;
    *result = leveldb::Slice(scratch, *read);
    return leveldb::Status::OK();
  }

  leveldb::Status Skip(std::uint64_t n) override {  // lseek(SEEK_CUR): past the end is fine
    offset_ += n;
    return leveldb::Status::OK();
  }

 private:
  const std::string path_;
  std::unique_ptr<wal::File> file_;
  EnvCounters& counters_;
  std::uint64_t offset_ = 0;
};

class FsRandomAccessFile final : public leveldb::RandomAccessFile {
 public:
  FsRandomAccessFile(std::string path, std::unique_ptr<wal::File> file, EnvCounters& counters)
      : path_(std::move(path)), file_(std::move(file)), counters_(counters) {}

  // R8: LevelDB 1.23 maps its tables (PosixMmapReadableFile): a read copies the mapping, so
  // it is never short, and one past the mapped end fails with EINVAL. So a short read_at is
  // read on, and bytes missing at the end are that error.
  leveldb::Status Read(std::uint64_t offset, std::size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    std::size_t done = 0;
    while (done < n) {
      wal::Result<std::size_t> read = file_->read_at(
          offset + done, {reinterpret_cast<std::byte*>(scratch) + done, n - done});
      if (!read) {
        *result = leveldb::Slice(scratch, 0);
        return count_failure(read.error(), path_, counters_);
      }
      if (*read == 0) {
        *result = leveldb::Slice();
        return leveldb::Status::IOError(path_, "Invalid argument");  // PosixError(EINVAL)
      }
      done += *read;
    }
    *result = leveldb::Slice(scratch, n);
    return leveldb::Status::OK();
  }

 private:
  const std::string path_;
  // LevelDB reads through a const handle from several threads; here one simulated thread at
  // a time calls it (quiescent mode, env.h), and read_at keeps no position.
  const std::unique_ptr<wal::File> file_;
  EnvCounters& counters_;
};

}  // namespace

std::unique_ptr<leveldb::WritableFile> make_writable_file(std::string path,
                                                          std::unique_ptr<wal::File> file,
                                                          std::uint64_t offset, wal::Fs& fs,
                                                          EnvCounters& counters) {
  return std::make_unique<FsWritableFile>(std::move(path), std::move(file), offset, fs,
                                          counters);
}

std::unique_ptr<leveldb::SequentialFile> make_sequential_file(std::string path,
                                                              std::unique_ptr<wal::File> file,
                                                              EnvCounters& counters) {
  return std::make_unique<FsSequentialFile>(std::move(path), std::move(file), counters);
}

std::unique_ptr<leveldb::RandomAccessFile> make_random_access_file(
    std::string path, std::unique_ptr<wal::File> file, EnvCounters& counters) {
  return std::make_unique<FsRandomAccessFile>(std::move(path), std::move(file), counters);
}

}  // namespace leveldb_adapter
