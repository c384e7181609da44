// A wal::Fs decorator that counts syncs and remembers, per file, how far the data it has seen
// synced reaches: the highest byte offset written before the start of each completed
// sync_data()/sync(). A test can then check that an acknowledged append's bytes lie below that
// mark, i.e. that the WAL acknowledged nothing a completed sync did not cover.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <wal/fs.h>

namespace testutil {

class CountingFs final : public wal::Fs {
 public:
  explicit CountingFs(wal::Fs& base) : base_(base) {}

  std::uint64_t sync_data_calls() const { return sync_data_calls_.load(); }
  std::uint64_t sync_calls() const { return sync_calls_.load(); }
  std::uint64_t syncs() const { return sync_data_calls() + sync_calls(); }
  std::uint64_t write_calls() const { return write_calls_.load(); }
  std::uint64_t sync_dir_calls() const { return sync_dir_calls_.load(); }
  std::uint64_t bytes_read() const { return bytes_read_.load(); }

  // Highest end offset of the writes that completed before a sync of `path` that completed.
  std::uint64_t synced_end(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = marks_.find(path);
    return it == marks_.end() ? 0 : it->second->synced_end.load();
  }
  std::uint64_t written_end(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = marks_.find(path);
    return it == marks_.end() ? 0 : it->second->written_end.load();
  }

  wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                               wal::OpenMode mode) override {
    auto opened = base_.open(path, mode);
    if (!opened) return opened.error();
    return std::unique_ptr<wal::File>(
        new CountingFile(*this, std::move(opened).value(), marks_for(std::string(path))));
  }
  wal::Status rename(std::string_view source, std::string_view target) override {
    wal::Status status = base_.rename(source, target);
    if (status) {
      std::lock_guard<std::mutex> lock(mutex_);
      names_.push_back("rename " + std::string(source) + " -> " + std::string(target));
      auto it = marks_.find(std::string(source));
      if (it != marks_.end()) {
        marks_[std::string(target)] = it->second;
        marks_.erase(it);
      }
    }
    return status;
  }
  wal::Status unlink(std::string_view path) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      names_.push_back("unlink " + std::string(path));
    }
    return base_.unlink(path);
  }
  // The directory operations, in order: "unlink PATH", "rename FROM -> TO".
  std::vector<std::string> name_ops() {
    std::lock_guard<std::mutex> lock(mutex_);
    return names_;
  }
  wal::Result<std::vector<std::string>> list(std::string_view dir) override {
    return base_.list(dir);
  }
  wal::Status mkdir(std::string_view path) override { return base_.mkdir(path); }
  wal::Status sync_dir(std::string_view dir) override {
    ++sync_dir_calls_;
    return base_.sync_dir(dir);
  }
  wal::Result<wal::FileStat> stat(std::string_view path) override { return base_.stat(path); }
  wal::Result<std::unique_ptr<wal::FileLock>> lock(std::string_view path) override {
    return base_.lock(path);
  }

 private:
  struct Marks {
    std::atomic<std::uint64_t> written_end{0};
    std::atomic<std::uint64_t> synced_end{0};
  };

  static void raise(std::atomic<std::uint64_t>& mark, std::uint64_t value) {
    std::uint64_t seen = mark.load();
    while (value > seen && !mark.compare_exchange_weak(seen, value)) {
    }
  }

  std::shared_ptr<Marks> marks_for(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::shared_ptr<Marks>& marks = marks_[path];
    if (!marks) marks = std::make_shared<Marks>();
    return marks;
  }

  class CountingFile final : public wal::File {
   public:
    CountingFile(CountingFs& fs, std::unique_ptr<wal::File> base, std::shared_ptr<Marks> marks)
        : fs_(fs), base_(std::move(base)), marks_(std::move(marks)) {}
    wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
      wal::Result<std::size_t> read = base_->read_at(offset, out);
      if (read) fs_.bytes_read_ += *read;
      return read;
    }
    wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
      ++fs_.write_calls_;
      wal::Status status = base_->write_at(offset, data);
      if (status) raise(marks_->written_end, offset + data.size());
      return status;
    }
    wal::Status sync_data() override {
      ++fs_.sync_data_calls_;
      const std::uint64_t before = marks_->written_end.load();
      return covered(base_->sync_data(), before);
    }
    wal::Status sync() override {
      ++fs_.sync_calls_;
      const std::uint64_t before = marks_->written_end.load();
      return covered(base_->sync(), before);
    }
    wal::Status truncate(std::uint64_t size_bytes) override { return base_->truncate(size_bytes); }
    wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
      return base_->allocate(offset, length);
    }
    wal::Result<std::uint64_t> size() override { return base_->size(); }
    wal::Result<std::uint64_t> next_data(std::uint64_t offset) override {
      return base_->next_data(offset);
    }
    wal::Status close() override { return base_->close(); }

   private:
    // `before` was read before the sync started: only writes completed by then are covered.
    wal::Status covered(wal::Status status, std::uint64_t before) {
      if (status) raise(marks_->synced_end, before);
      return status;
    }

    CountingFs& fs_;
    std::unique_ptr<wal::File> base_;
    std::shared_ptr<Marks> marks_;
  };

  wal::Fs& base_;
  std::vector<std::string> names_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Marks>> marks_;
  std::atomic<std::uint64_t> sync_data_calls_{0};
  std::atomic<std::uint64_t> sync_calls_{0};
  std::atomic<std::uint64_t> write_calls_{0};
  std::atomic<std::uint64_t> sync_dir_calls_{0};
  std::atomic<std::uint64_t> bytes_read_{0};
};

}  // namespace testutil
