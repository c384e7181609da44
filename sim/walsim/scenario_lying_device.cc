#include "faults/fs_wrapper.h"
#include "sim/walsim/lying_device.h"

namespace walsim {
namespace {

class LyingFile final : public faults::FileWrapper {
 public:
  using FileWrapper::FileWrapper;
  [[nodiscard]] wal::Status sync_data() override { return wal::Status::ok(); }
  [[nodiscard]] wal::Status sync() override { return wal::Status::ok(); }
};

class LyingFs final : public faults::FsWrapper {
 public:
  using FsWrapper::FsWrapper;

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override {
    return std::make_unique<LyingFile>(std::move(file), std::string(path));
  }
};

}  // namespace

std::unique_ptr<wal::Fs> make_lying_fsync_fs(wal::Fs& base) {
  return std::make_unique<LyingFs>(base);
}

}  // namespace walsim
