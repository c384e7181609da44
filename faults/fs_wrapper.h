// Forwarding bases for fault decorators: a decorator derives from FsWrapper (and, for file
// operations, FileWrapper) and overrides only the calls it fails, so each one stays small and
// they stack in any order over any wal::Fs (SimFs or PosixFs).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <wal/fs.h>

namespace faults {

class FileWrapper : public wal::File {
 public:
  FileWrapper(std::unique_ptr<wal::File> base, std::string path)
      : base_(std::move(base)), path_(std::move(path)) {}

  wal::File& base() { return *base_; }
  const std::string& path() const { return path_; }

  [[nodiscard]] wal::Result<std::size_t> read_at(std::uint64_t offset,
                                                 std::span<std::byte> out) override {
    return base_->read_at(offset, out);
  }
  [[nodiscard]] wal::Status write_at(std::uint64_t offset,
                                     std::span<const std::byte> data) override {
    return base_->write_at(offset, data);
  }
  [[nodiscard]] wal::Status sync_data() override { return base_->sync_data(); }
  [[nodiscard]] wal::Status sync() override { return base_->sync(); }
  [[nodiscard]] wal::Status start_writeback(std::uint64_t offset, std::uint64_t length) override {
    return base_->start_writeback(offset, length);
  }
  [[nodiscard]] wal::Status truncate(std::uint64_t size_bytes) override {
    return base_->truncate(size_bytes);
  }
  [[nodiscard]] wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
    return base_->allocate(offset, length);
  }
  [[nodiscard]] wal::Result<std::uint64_t> size() override { return base_->size(); }
  [[nodiscard]] wal::Result<std::uint64_t> next_data(std::uint64_t offset) override {
    return base_->next_data(offset);
  }
  [[nodiscard]] wal::Status close() override { return base_->close(); }

 protected:
  std::unique_ptr<wal::File> base_;
  std::string path_;
};

// The File under every FileWrapper of a stack (e.g. the sim::SimFile an fsync hook needs).
wal::File& innermost(wal::File& file);

class FsWrapper : public wal::Fs {
 public:
  explicit FsWrapper(wal::Fs& base) : base_(base) {}
  // A wrapper wraps; copying one would wrap what it wraps. Deleted, so that passing a
  // wrapper as the Fs to wrap (FsWrapper(other)) fails to compile instead of skipping `other`.
  FsWrapper(const FsWrapper&) = delete;
  FsWrapper& operator=(const FsWrapper&) = delete;

  wal::Fs& base() { return base_; }

  [[nodiscard]] wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                                             wal::OpenMode mode) override {
    wal::Result<std::unique_ptr<wal::File>> file = base_.open(path, mode);
    if (!file) return file;
    return wrap(std::move(file).value(), path);
  }
  [[nodiscard]] wal::Status rename(std::string_view source, std::string_view target) override {
    return base_.rename(source, target);
  }
  [[nodiscard]] wal::Status unlink(std::string_view path) override { return base_.unlink(path); }
  [[nodiscard]] wal::Result<std::vector<std::string>> list(std::string_view dir) override {
    return base_.list(dir);
  }
  [[nodiscard]] wal::Status mkdir(std::string_view path) override { return base_.mkdir(path); }
  [[nodiscard]] wal::Status sync_dir(std::string_view dir) override {
    return base_.sync_dir(dir);
  }
  [[nodiscard]] wal::Result<wal::FileStat> stat(std::string_view path) override {
    return base_.stat(path);
  }
  [[nodiscard]] wal::Result<std::unique_ptr<wal::FileLock>> lock(std::string_view path) override {
    return base_.lock(path);
  }

 protected:
  // Decorators with file faults wrap each opened file here.
  virtual std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file,
                                          std::string_view /*path*/) {
    return file;
  }

  wal::Fs& base_;
};

}  // namespace faults
