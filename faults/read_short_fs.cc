#include "faults/read_short_fs.h"

#include <fmt/format.h>

namespace faults {

class ReadShortFs::File final : public FileWrapper {
 public:
  File(ReadShortFs& fs, std::unique_ptr<wal::File> base, std::string path)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (out.size() < 2 || !fs_.trigger_.fire(out.size())) return base_->read_at(offset, out);
    const std::size_t asked = out.size();
    const std::size_t kept = 1 + static_cast<std::size_t>(fs_.prng_.below(asked - 1));
    wal::Result<std::size_t> read = base_->read_at(offset, out.first(kept));
    // Near the end of the file the read would have been short anyway: still the fault's doing.
    if (read) {
      fs_.record_fault("read_short", sim::FsOp::kRead, path_, offset, asked,
                       fmt::format("read {} of {}", *read, asked));
    }
    return read;
  }

 private:
  ReadShortFs& fs_;
};

std::unique_ptr<wal::File> ReadShortFs::wrap(std::unique_ptr<wal::File> file,
                                             std::string_view path) {
  return std::make_unique<File>(*this, std::move(file), std::string(path));
}

}  // namespace faults
