#include "sim/yielding_fs.h"

#include <string>
#include <utility>

namespace sim {
namespace {

// The error of a call refused because it came from an OS thread the simulation does not run.
wal::Status refused(std::string_view op, std::string_view path) {
  return wal::Status::io_error(std::string(op) + " " + std::string(path) +
                               ": refused, from an OS thread the simulation does not run");
}

class YieldingFile final : public wal::File {
 public:
  YieldingFile(YieldingFs& fs, std::unique_ptr<wal::File> base, std::string_view path)
      : fs_(fs), base_(std::move(base)), path_(path) {}

  wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (!fs_.io(false, "read", path_)) return refused("read", path_);
    return base_->read_at(offset, out);
  }
  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (!fs_.io(false, "write", path_)) return refused("write", path_);
    return base_->write_at(offset, data);
  }
  wal::Status sync_data() override {
    if (!fs_.io(true, "fdatasync", path_)) return refused("fdatasync", path_);
    return base_->sync_data();
  }
  wal::Status sync() override {
    if (!fs_.io(true, "fsync", path_)) return refused("fsync", path_);
    return base_->sync();
  }
  wal::Status start_writeback(std::uint64_t offset, std::uint64_t length) override {
    if (!fs_.admit("start_writeback", path_)) return refused("start_writeback", path_);
    return base_->start_writeback(offset, length);
  }
  wal::Status truncate(std::uint64_t size_bytes) override {
    if (!fs_.io(false, "truncate", path_)) return refused("truncate", path_);
    return base_->truncate(size_bytes);
  }
  wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
    if (!fs_.io(false, "fallocate", path_)) return refused("fallocate", path_);
    return base_->allocate(offset, length);
  }
  wal::Result<std::uint64_t> size() override {
    if (!fs_.admit("fstat", path_)) return refused("fstat", path_);
    return base_->size();
  }
  wal::Result<std::uint64_t> next_data(std::uint64_t offset) override {
    if (!fs_.admit("lseek", path_)) return refused("lseek", path_);
    return base_->next_data(offset);
  }
  wal::Status close() override {
    if (!fs_.io(false, "close", path_)) return refused("close", path_);
    return base_->close();
  }

 private:
  YieldingFs& fs_;
  std::unique_ptr<wal::File> base_;
  const std::string path_;
};

}  // namespace

bool YieldingFs::admit(std::string_view op, std::string_view path) {
  return scheduler_.owns_caller(op, path);
}

bool YieldingFs::io(bool sync, std::string_view op, std::string_view path) {
  if (!admit(op, path)) return false;
  const LatencyRange& range = sync ? device_.fsync_latency_us : device_.write_latency_us;
  scheduler_.sleep_for(scheduler_.draw(range.min_us, range.max_us));
  return true;
}

wal::Result<std::unique_ptr<wal::File>> YieldingFs::open(std::string_view path, wal::OpenMode mode) {
  if (!io(false, "open", path)) return refused("open", path);
  wal::Result<std::unique_ptr<wal::File>> opened = base_.open(path, mode);
  if (!opened) return opened.error();
  return std::unique_ptr<wal::File>(new YieldingFile(*this, std::move(opened).value(), path));
}
wal::Status YieldingFs::rename(std::string_view source, std::string_view target) {
  if (!io(false, "rename", source)) return refused("rename", source);
  return base_.rename(source, target);
}
wal::Status YieldingFs::unlink(std::string_view path) {
  if (!io(false, "unlink", path)) return refused("unlink", path);
  return base_.unlink(path);
}
wal::Result<std::vector<std::string>> YieldingFs::list(std::string_view dir) {
  if (!io(false, "list", dir)) return refused("list", dir);
  return base_.list(dir);
}
wal::Status YieldingFs::mkdir(std::string_view path) {
  if (!io(false, "mkdir", path)) return refused("mkdir", path);
  return base_.mkdir(path);
}
wal::Status YieldingFs::sync_dir(std::string_view dir) {
  if (!io(true, "fsync of directory", dir)) return refused("fsync of directory", dir);
  return base_.sync_dir(dir);
}
wal::Result<wal::FileStat> YieldingFs::stat(std::string_view path) {
  if (!io(false, "stat", path)) return refused("stat", path);
  return base_.stat(path);
}
wal::Result<std::unique_ptr<wal::FileLock>> YieldingFs::lock(std::string_view path) {
  if (!io(false, "lock", path)) return refused("lock", path);
  return base_.lock(path);
}

}  // namespace sim
