#include "faults/io_faults.h"

#include <fmt/format.h>

#include <cerrno>

namespace faults {

wal::Status IoFaultFs::inject(std::string_view kind, sim::FsOp op, const std::string& path,
                              std::uint64_t offset, std::uint64_t length, wal::Status status,
                              std::string_view detail) {
  record_fault(kind, op, path, offset, length, detail);
  status.mark_injected();
  return status;
}

// ---- write_eio ----

class WriteEioFs::File final : public FileWrapper {
 public:
  File(WriteEioFs& fs, std::unique_ptr<wal::File> base, std::string path)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (!fs_.trigger_.fire(data.size())) return base_->write_at(offset, data);
    return fs_.inject("write_eio", sim::FsOp::kWrite, path_, offset, data.size(),
                      wal::Status::io_error(fmt::format("pwrite {}: Input/output error "
                                                        "(injected write_eio)", path_), EIO));
  }

 private:
  WriteEioFs& fs_;
};

std::unique_ptr<wal::File> WriteEioFs::wrap(std::unique_ptr<wal::File> file,
                                            std::string_view path) {
  return std::make_unique<File>(*this, std::move(file), std::string(path));
}

// ---- write_short ----

class WriteShortFs::File final : public FileWrapper {
 public:
  File(WriteShortFs& fs, std::unique_ptr<wal::File> base, std::string path)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (data.empty() || !fs_.trigger_.fire(data.size())) return base_->write_at(offset, data);
    const std::uint64_t written = fs_.prng_.below(data.size());
    if (written > 0) WAL_RETURN_IF_ERROR(base_->write_at(offset, data.first(written)));
    return fs_.inject("write_short", sim::FsOp::kWrite, path_, offset, data.size(),
                      wal::Status::io_error(fmt::format("pwrite {}: short write of {} of {} "
                                                        "bytes, then EIO (injected write_short)",
                                                        path_, written, data.size()), EIO),
                      fmt::format("wrote {} of {}", written, data.size()));
  }

 private:
  WriteShortFs& fs_;
};

std::unique_ptr<wal::File> WriteShortFs::wrap(std::unique_ptr<wal::File> file,
                                              std::string_view path) {
  return std::make_unique<File>(*this, std::move(file), std::string(path));
}

// ---- enospc ----

class EnospcFs::File final : public FileWrapper {
 public:
  File(EnospcFs& fs, std::unique_ptr<wal::File> base, std::string path)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    WAL_RETURN_IF_ERROR(charge(sim::FsOp::kWrite, offset, data.size()));
    return base_->write_at(offset, data);
  }
  wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
    WAL_RETURN_IF_ERROR(charge(sim::FsOp::kAllocate, offset, length));
    return base_->allocate(offset, length);
  }

 private:
  wal::Status charge(sim::FsOp op, std::uint64_t offset, std::uint64_t length) {
    if (!fs_.trigger_.fire(length)) return wal::Status::ok();
    fs_.trigger_.refund(length);
    return fs_.inject("enospc", op, path_, offset, length,
                      wal::Status::no_space(fmt::format("{} {}: No space left on device "
                                                        "(injected enospc)",
                                                        sim::to_string(op), path_), ENOSPC));
  }

  EnospcFs& fs_;
};

std::unique_ptr<wal::File> EnospcFs::wrap(std::unique_ptr<wal::File> file,
                                          std::string_view path) {
  return std::make_unique<File>(*this, std::move(file), std::string(path));
}

// ---- read_eio ----

class ReadEioFs::File final : public FileWrapper {
 public:
  File(ReadEioFs& fs, std::unique_ptr<wal::File> base, std::string path)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (!fs_.trigger_.fire(out.size())) return base_->read_at(offset, out);
    return fs_.inject("read_eio", sim::FsOp::kRead, path_, offset, out.size(),
                      wal::Status::io_error(fmt::format("pread {}: Input/output error "
                                                        "(injected read_eio)", path_), EIO));
  }

 private:
  ReadEioFs& fs_;
};

std::unique_ptr<wal::File> ReadEioFs::wrap(std::unique_ptr<wal::File> file,
                                           std::string_view path) {
  return std::make_unique<File>(*this, std::move(file), std::string(path));
}

// ---- misdirected_write ----

class MisdirectedWriteFs::File final : public FileWrapper {
 public:
  File(MisdirectedWriteFs& fs, std::unique_ptr<wal::File> base, std::string path)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (data.empty() || !fs_.trigger_.fire(data.size())) return base_->write_at(offset, data);
    const std::uint64_t shift = fs_.prng_.range(1, 8) * fs_.sector_bytes_;
    const bool back = offset >= shift && fs_.prng_.coin();
    const std::uint64_t landed = back ? offset - shift : offset + shift;
    // Silent: the device acknowledges the write it put in the wrong place.
    const wal::Status status = base_->write_at(landed, data);
    if (status.is_ok()) {
      fs_.record_fault("misdirected_write", sim::FsOp::kWrite, path_, offset, data.size(),
                       fmt::format("landed at {}", landed));
    }
    return status;
  }

 private:
  MisdirectedWriteFs& fs_;
};

std::unique_ptr<wal::File> MisdirectedWriteFs::wrap(std::unique_ptr<wal::File> file,
                                                    std::string_view path) {
  return std::make_unique<File>(*this, std::move(file), std::string(path));
}

}  // namespace faults
