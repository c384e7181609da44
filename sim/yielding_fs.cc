#include "sim/yielding_fs.h"

#include <utility>

namespace sim {
namespace {

class YieldingFile final : public wal::File {
 public:
  YieldingFile(YieldingFs& fs, std::unique_ptr<wal::File> base) : fs_(fs), base_(std::move(base)) {}

  wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    fs_.io(false);
    return base_->read_at(offset, out);
  }
  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    fs_.io(false);
    return base_->write_at(offset, data);
  }
  wal::Status sync_data() override {
    fs_.io(true);
    return base_->sync_data();
  }
  wal::Status sync() override {
    fs_.io(true);
    return base_->sync();
  }
  wal::Status start_writeback(std::uint64_t offset, std::uint64_t length) override {
    return base_->start_writeback(offset, length);
  }
  wal::Status truncate(std::uint64_t size_bytes) override {
    fs_.io(false);
    return base_->truncate(size_bytes);
  }
  wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
    fs_.io(false);
    return base_->allocate(offset, length);
  }
  wal::Result<std::uint64_t> size() override { return base_->size(); }
  wal::Result<std::uint64_t> next_data(std::uint64_t offset) override {
    return base_->next_data(offset);
  }
  wal::Status close() override {
    fs_.io(false);
    return base_->close();
  }

 private:
  YieldingFs& fs_;
  std::unique_ptr<wal::File> base_;
};

}  // namespace

void YieldingFs::io(bool sync) {
  const LatencyRange& range = sync ? device_.fsync_latency_us : device_.write_latency_us;
  scheduler_.sleep_for(scheduler_.draw(range.min_us, range.max_us));
}

wal::Result<std::unique_ptr<wal::File>> YieldingFs::open(std::string_view path, wal::OpenMode mode) {
  io(false);
  wal::Result<std::unique_ptr<wal::File>> opened = base_.open(path, mode);
  if (!opened) return opened.error();
  return std::unique_ptr<wal::File>(new YieldingFile(*this, std::move(opened).value()));
}
wal::Status YieldingFs::rename(std::string_view source, std::string_view target) {
  io(false);
  return base_.rename(source, target);
}
wal::Status YieldingFs::unlink(std::string_view path) {
  io(false);
  return base_.unlink(path);
}
wal::Result<std::vector<std::string>> YieldingFs::list(std::string_view dir) {
  io(false);
  return base_.list(dir);
}
wal::Status YieldingFs::mkdir(std::string_view path) {
  io(false);
  return base_.mkdir(path);
}
wal::Status YieldingFs::sync_dir(std::string_view dir) {
  io(true);
  return base_.sync_dir(dir);
}
wal::Result<wal::FileStat> YieldingFs::stat(std::string_view path) {
  io(false);
  return base_.stat(path);
}
wal::Result<std::unique_ptr<wal::FileLock>> YieldingFs::lock(std::string_view path) {
  io(false);
  return base_.lock(path);
}

}  // namespace sim
