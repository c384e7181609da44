#include "sim/harness/halting_fs.h"

#include <algorithm>
#include <utility>

#include "sim/harness/script.h"

namespace harness {
namespace {

class HaltingFile final : public wal::File {
 public:
  HaltingFile(HaltingFs& fs, std::unique_ptr<wal::File> inner, std::shared_ptr<std::string> path)
      : fs_(fs),
        inner_(std::move(inner)),
        path_(std::move(path)),
        // The fault stack counts a file's calls by the name it was opened by, renamed or not.
        class_(fs.recording_files() ? file_class(*path_) : std::string()) {}

  wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (!fs_.admit(sim::FsOp::kRead, *path_, class_)) return HaltingFs::cut();
    return inner_->read_at(offset, out);
  }
  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (!fs_.admit(sim::FsOp::kWrite, *path_, class_)) return HaltingFs::cut();
    return inner_->write_at(offset, data);
  }
  wal::Status sync_data() override {
    if (!fs_.admit(sim::FsOp::kSyncData, *path_, class_)) return HaltingFs::cut();
    return inner_->sync_data();
  }
  wal::Status sync() override {
    if (!fs_.admit(sim::FsOp::kSync, *path_, class_)) return HaltingFs::cut();
    return inner_->sync();
  }
  wal::Status truncate(std::uint64_t size_bytes) override {
    if (!fs_.admit(sim::FsOp::kTruncate, *path_, class_)) return HaltingFs::cut();
    return inner_->truncate(size_bytes);
  }
  wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
    if (!fs_.admit(sim::FsOp::kAllocate, *path_, class_)) return HaltingFs::cut();
    return inner_->allocate(offset, length);
  }
  wal::Result<std::uint64_t> size() override {
    if (!fs_.admit(sim::FsOp::kSize, *path_, class_)) return HaltingFs::cut();
    return inner_->size();
  }
  // Closing releases a handle and writes nothing, so it always goes through (no-leak). After
  // the cut the process is dying: the kernel releases the handle without a close that could
  // fail (close_eio), so the layers below are dropped, which closes them the same way.
  wal::Status close() override {
    if (!fs_.halted()) return inner_->close();
    inner_.reset();
    return wal::Status::ok();
  }

 private:
  HaltingFs& fs_;
  std::unique_ptr<wal::File> inner_;
  std::shared_ptr<std::string> path_;
  std::string class_;  // file_class of the name it was opened by, when the survey wants it
};

}  // namespace

FsCallKind fs_call_kind(sim::FsOp op) {
  switch (op) {
    case sim::FsOp::kRead: return FsCallKind::kRead;
    case sim::FsOp::kWrite: return FsCallKind::kWrite;
    case sim::FsOp::kSyncData:
    case sim::FsOp::kSync: return FsCallKind::kSync;
    case sim::FsOp::kSyncDir: return FsCallKind::kSyncDir;
    default: return FsCallKind::kOther;
  }
}

wal::Result<std::unique_ptr<wal::File>> HaltingFs::open(std::string_view path,
                                                        wal::OpenMode mode) {
  if (!admit(sim::FsOp::kOpen, path)) return cut();
  wal::Result<std::unique_ptr<wal::File>> file = inner_.open(path, mode);
  if (!file) return file.error();
  return std::unique_ptr<wal::File>(
      new HaltingFile(*this, std::move(file).value(), name_file(path)));
}

std::shared_ptr<std::string> HaltingFs::name_file(std::string_view path) {
  auto name = std::make_shared<std::string>(path);
  if (names_.size() >= prune_at_) {
    std::erase_if(names_, [](const std::weak_ptr<std::string>& n) { return n.expired(); });
    prune_at_ = std::max<std::size_t>(64, names_.size() * 2);
  }
  names_.push_back(name);
  return name;
}

wal::Status HaltingFs::rename(std::string_view source, std::string_view target) {
  if (!admit(sim::FsOp::kRename, source)) return cut();
  wal::Status renamed = inner_.rename(source, target);
  if (!renamed) return renamed;
  std::erase_if(names_, [](const std::weak_ptr<std::string>& name) { return name.expired(); });
  for (const std::weak_ptr<std::string>& weak : names_) {
    const std::shared_ptr<std::string> name = weak.lock();
    if (*name == source) name->assign(target);
  }
  return renamed;
}

wal::Status HaltingFs::unlink(std::string_view path) {
  if (!admit(sim::FsOp::kUnlink, path)) return cut();
  return inner_.unlink(path);
}

wal::Result<std::vector<std::string>> HaltingFs::list(std::string_view dir) {
  if (!admit(sim::FsOp::kList, dir)) return cut();
  return inner_.list(dir);
}

wal::Status HaltingFs::mkdir(std::string_view path) {
  if (!admit(sim::FsOp::kMkdir, path)) return cut();
  return inner_.mkdir(path);
}

wal::Status HaltingFs::sync_dir(std::string_view dir) {
  if (!admit(sim::FsOp::kSyncDir, dir)) return cut();
  return inner_.sync_dir(dir);
}

wal::Result<wal::FileStat> HaltingFs::stat(std::string_view path) {
  if (!admit(sim::FsOp::kStat, path)) return cut();
  return inner_.stat(path);
}

wal::Result<std::unique_ptr<wal::FileLock>> HaltingFs::lock(std::string_view path) {
  if (!admit(sim::FsOp::kLock, path)) return cut();
  return inner_.lock(path);
}

}  // namespace harness
