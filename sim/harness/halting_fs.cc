#include "sim/harness/halting_fs.h"

#include <utility>

namespace harness {
namespace {

class HaltingFile final : public wal::File {
 public:
  HaltingFile(HaltingFs& fs, std::unique_ptr<wal::File> inner)
      : fs_(fs), inner_(std::move(inner)) {}

  wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (!fs_.admit()) return HaltingFs::cut();
    return inner_->read_at(offset, out);
  }
  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (!fs_.admit()) return HaltingFs::cut();
    return inner_->write_at(offset, data);
  }
  wal::Status sync_data() override {
    if (!fs_.admit()) return HaltingFs::cut();
    fs_.note_barrier();
    return inner_->sync_data();
  }
  wal::Status sync() override {
    if (!fs_.admit()) return HaltingFs::cut();
    fs_.note_barrier();
    return inner_->sync();
  }
  wal::Status truncate(std::uint64_t size_bytes) override {
    if (!fs_.admit()) return HaltingFs::cut();
    return inner_->truncate(size_bytes);
  }
  wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
    if (!fs_.admit()) return HaltingFs::cut();
    return inner_->allocate(offset, length);
  }
  wal::Result<std::uint64_t> size() override {
    if (!fs_.admit()) return HaltingFs::cut();
    return inner_->size();
  }
  // Closing releases a handle and writes nothing, so it always goes through (no-leak).
  wal::Status close() override { return inner_->close(); }

 private:
  HaltingFs& fs_;
  std::unique_ptr<wal::File> inner_;
};

}  // namespace

wal::Result<std::unique_ptr<wal::File>> HaltingFs::open(std::string_view path,
                                                        wal::OpenMode mode) {
  if (!admit()) return cut();
  wal::Result<std::unique_ptr<wal::File>> file = inner_.open(path, mode);
  if (!file) return file.error();
  return std::unique_ptr<wal::File>(new HaltingFile(*this, std::move(file).value()));
}

wal::Status HaltingFs::rename(std::string_view source, std::string_view target) {
  if (!admit()) return cut();
  return inner_.rename(source, target);
}

wal::Status HaltingFs::unlink(std::string_view path) {
  if (!admit()) return cut();
  return inner_.unlink(path);
}

wal::Result<std::vector<std::string>> HaltingFs::list(std::string_view dir) {
  if (!admit()) return cut();
  return inner_.list(dir);
}

wal::Status HaltingFs::mkdir(std::string_view path) {
  if (!admit()) return cut();
  return inner_.mkdir(path);
}

wal::Status HaltingFs::sync_dir(std::string_view dir) {
  if (!admit()) return cut();
  note_barrier();
  return inner_.sync_dir(dir);
}

wal::Result<wal::FileStat> HaltingFs::stat(std::string_view path) {
  if (!admit()) return cut();
  return inner_.stat(path);
}

wal::Result<std::unique_ptr<wal::FileLock>> HaltingFs::lock(std::string_view path) {
  if (!admit()) return cut();
  return inner_.lock(path);
}

}  // namespace harness
