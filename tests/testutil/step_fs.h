// A wal::Fs decorator that numbers every call that changes the disk (a create, write, sync,
// truncate, allocate, rename, unlink or directory sync), logs it with the inode of the file it
// touches, and from a chosen step on fails each such call with an injected kIoError without
// making it: the process stopped there, as far as the disk can tell. Single-threaded use only
// (LogCore, or a wal::Log without its background threads' Fs calls racing a stop).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <wal/fs.h>

namespace testutil {

class StepFs final : public wal::Fs {
 public:
  struct Step {
    std::string what;        // "write", "sync", "rename", ...
    std::string path;        // the file's path as opened (a rename: its source)
    std::uint64_t inode = 0;  // the file's inode (0 for directory operations)
  };

  static constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

  explicit StepFs(wal::Fs& base, std::uint64_t stop_at = kNever)
      : base_(base), stop_at_(stop_at) {}

  const std::vector<Step>& steps() const { return steps_; }
  bool stopped() const { return steps_.size() >= stop_at_; }

  static std::uint64_t inode_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_ino) : 0;
  }

  wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                               wal::OpenMode mode) override {
    const bool creates = mode == wal::OpenMode::kCreate || mode == wal::OpenMode::kCreateExclusive;
    if (creates && !take("create", path, 0)) return stop_status();
    wal::Result<std::unique_ptr<wal::File>> opened = base_.open(path, mode);
    if (!opened) return opened;
    const std::string name(path);
    return std::unique_ptr<wal::File>(
        new StepFile(*this, std::move(opened).value(), name, inode_of(name)));
  }
  wal::Status rename(std::string_view source, std::string_view target) override {
    if (!take("rename", source, inode_of(std::string(source)))) return stop_status();
    return base_.rename(source, target);
  }
  wal::Status unlink(std::string_view path) override {
    if (!take("unlink", path, inode_of(std::string(path)))) return stop_status();
    return base_.unlink(path);
  }
  wal::Result<std::vector<std::string>> list(std::string_view dir) override {
    return base_.list(dir);
  }
  wal::Status mkdir(std::string_view path) override {
    if (!take("mkdir", path, 0)) return stop_status();
    return base_.mkdir(path);
  }
  wal::Status sync_dir(std::string_view dir) override {
    if (!take("sync_dir", dir, 0)) return stop_status();
    return base_.sync_dir(dir);
  }
  wal::Result<wal::FileStat> stat(std::string_view path) override { return base_.stat(path); }
  wal::Result<std::unique_ptr<wal::FileLock>> lock(std::string_view path) override {
    return base_.lock(path);
  }

 private:
  class StepFile final : public wal::File {
   public:
    StepFile(StepFs& fs, std::unique_ptr<wal::File> base, std::string path, std::uint64_t inode)
        : fs_(fs), base_(std::move(base)), path_(std::move(path)), inode_(inode) {}
    wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
      return base_->read_at(offset, out);
    }
    wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
      if (!fs_.take("write", path_, inode_)) return stop_status();
      return base_->write_at(offset, data);
    }
    wal::Status sync_data() override {
      if (!fs_.take("sync_data", path_, inode_)) return stop_status();
      return base_->sync_data();
    }
    wal::Status sync() override {
      if (!fs_.take("sync", path_, inode_)) return stop_status();
      return base_->sync();
    }
    wal::Status truncate(std::uint64_t size_bytes) override {
      if (!fs_.take("truncate", path_, inode_)) return stop_status();
      return base_->truncate(size_bytes);
    }
    wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
      if (!fs_.take("allocate", path_, inode_)) return stop_status();
      return base_->allocate(offset, length);
    }
    wal::Result<std::uint64_t> size() override { return base_->size(); }
    wal::Result<std::uint64_t> next_data(std::uint64_t offset) override {
      return base_->next_data(offset);
    }
    wal::Status close() override { return base_->close(); }

   private:
    StepFs& fs_;
    std::unique_ptr<wal::File> base_;
    std::string path_;
    std::uint64_t inode_;
  };

  static wal::Status stop_status() {
    wal::Status status = wal::Status::io_error("stopped here (StepFs)");
    status.mark_injected();
    return status;
  }

  // Numbers the call; false once the stop step is reached (the call is not made).
  bool take(std::string_view what, std::string_view path, std::uint64_t inode) {
    if (stopped()) return false;
    steps_.push_back({std::string(what), std::string(path), inode});
    return true;
  }

  wal::Fs& base_;
  std::uint64_t stop_at_;
  std::vector<Step> steps_;
};

}  // namespace testutil
