#include "faults/close_eio_fs.h"

#include <fmt/format.h>

#include <cerrno>

namespace faults {

class CloseEioFs::File final : public FileWrapper {
 public:
  File(CloseEioFs& fs, std::unique_ptr<wal::File> base, std::string path)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Status close() override {
    if (!fs_.trigger_.fire()) return base_->close();
    // The failed writeback first, while the handle still names its inode.
    if (fs_.sim_ != nullptr) {
      const sim::FsyncFailureEffect effect = page_cache_effect(fs_.profile_);
      static_cast<void>(fs_.sim_->on_fsync_failed(innermost(*this), effect));
    }
    // Released whatever the error: the close below is the kernel freeing the descriptor.
    const wal::Status released = base_->close();
    if (!released) return released;  // a contract violation below: that, not the fault
    return fs_.inject("close_eio", sim::FsOp::kClose, path_, 0, 0,
                      wal::Status::io_error(fmt::format("close {}: Input/output error (injected "
                                                        "close_eio, {})",
                                                        path_, to_string(fs_.profile_)),
                                            EIO),
                      fmt::format("profile {}", to_string(fs_.profile_)));
  }

 private:
  CloseEioFs& fs_;
};

std::unique_ptr<wal::File> CloseEioFs::wrap(std::unique_ptr<wal::File> file,
                                            std::string_view path) {
  return std::make_unique<File>(*this, std::move(file), std::string(path));
}

}  // namespace faults
