// A wal::Fs decorator that fails chosen operations on demand, to drive the WAL's fail-stop
// paths on the real disk: arm an operation with a Status and its next call(s) return it
// (marked injected) without reaching the disk.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <wal/fs.h>

namespace testutil {

enum class FailOp : std::uint8_t { kSync, kWrite, kAllocate, kCreate };

class FailingFs final : public wal::Fs {
 public:
  explicit FailingFs(wal::Fs& base) : base_(base) {}

  // The next `times` calls of `op` fail with `status` (kSync covers sync_data and sync;
  // kCreate covers open with kCreate/kCreateExclusive).
  void fail(FailOp op, wal::Status status, int times = 1) {
    std::lock_guard<std::mutex> lock(mutex_);
    Armed& armed = armed_[static_cast<int>(op)];
    armed.status = std::move(status.mark_injected());
    armed.remaining = times;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Armed& armed : armed_) armed.remaining = 0;
  }
  int failures_injected() const { return injected_.load(); }

  wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                               wal::OpenMode mode) override {
    if (mode == wal::OpenMode::kCreate || mode == wal::OpenMode::kCreateExclusive) {
      if (auto failure = take(FailOp::kCreate)) return *failure;
    }
    auto opened = base_.open(path, mode);
    if (!opened) return opened.error();
    return std::unique_ptr<wal::File>(new FailingFile(*this, std::move(opened).value()));
  }
  wal::Status rename(std::string_view source, std::string_view target) override {
    return base_.rename(source, target);
  }
  wal::Status unlink(std::string_view path) override { return base_.unlink(path); }
  wal::Result<std::vector<std::string>> list(std::string_view dir) override {
    return base_.list(dir);
  }
  wal::Status mkdir(std::string_view path) override { return base_.mkdir(path); }
  wal::Status sync_dir(std::string_view dir) override { return base_.sync_dir(dir); }
  wal::Result<wal::FileStat> stat(std::string_view path) override { return base_.stat(path); }
  wal::Result<std::unique_ptr<wal::FileLock>> lock(std::string_view path) override {
    return base_.lock(path);
  }

 private:
  struct Armed {
    wal::Status status;
    int remaining = 0;
  };

  std::optional<wal::Status> take(FailOp op) {
    std::lock_guard<std::mutex> lock(mutex_);
    Armed& armed = armed_[static_cast<int>(op)];
    if (armed.remaining == 0) return std::nullopt;
    --armed.remaining;
    ++injected_;
    return armed.status;
  }

  class FailingFile final : public wal::File {
   public:
    FailingFile(FailingFs& fs, std::unique_ptr<wal::File> base)
        : fs_(fs), base_(std::move(base)) {}
    wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
      return base_->read_at(offset, out);
    }
    wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
      if (auto failure = fs_.take(FailOp::kWrite)) return *failure;
      return base_->write_at(offset, data);
    }
    wal::Status sync_data() override {
      if (auto failure = fs_.take(FailOp::kSync)) return *failure;
      return base_->sync_data();
    }
    wal::Status sync() override {
      if (auto failure = fs_.take(FailOp::kSync)) return *failure;
      return base_->sync();
    }
    wal::Status truncate(std::uint64_t size_bytes) override { return base_->truncate(size_bytes); }
    wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
      if (auto failure = fs_.take(FailOp::kAllocate)) return *failure;
      return base_->allocate(offset, length);
    }
    wal::Result<std::uint64_t> size() override { return base_->size(); }
    wal::Status close() override { return base_->close(); }

   private:
    FailingFs& fs_;
    std::unique_ptr<wal::File> base_;
  };

  wal::Fs& base_;
  std::mutex mutex_;
  Armed armed_[4];
  std::atomic<int> injected_{0};
};

}  // namespace testutil
