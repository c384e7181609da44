#include "faults/io_faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "faults/file_glob.h"
#include "faults/media_aim.h"

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

// ---- enospc_after_bytes ----

class EnospcFs::File final : public FileWrapper {
 public:
  File(EnospcFs& fs, std::unique_ptr<wal::File> base, std::string path,
       std::shared_ptr<Extent> extent)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs), extent_(std::move(extent)) {}
  ~File() override { let_go(); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  wal::Status close() override {
    wal::Status closed = base_->close();
    let_go();
    return closed;
  }

  // As write(2) on a disk that fills up mid-write: the bytes that fit are written (a short
  // write, and a loop like PosixFs's gets ENOSPC on its next call), then ENOSPC.
  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    std::uint64_t fits = 0;
    const wal::Status charged = charge(sim::FsOp::kWrite, offset, data.size(), &fits);
    if (charged) return base_->write_at(offset, data);
    if (fits > 0) WAL_RETURN_IF_ERROR(base_->write_at(offset, data.first(fits)));
    return charged;
  }
  // fallocate(2) reserves all or nothing.
  wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
    WAL_RETURN_IF_ERROR(charge(sim::FsOp::kAllocate, offset, length, nullptr));
    return base_->allocate(offset, length);
  }
  wal::Status truncate(std::uint64_t size_bytes) override {
    WAL_RETURN_IF_ERROR(base_->truncate(size_bytes));
    // Shrinking frees the blocks past the new end; growing (a sparse ftruncate) reserves none.
    if (extent_ != nullptr) fs_.release(*extent_, size_bytes);
    return wal::Status::ok();
  }

 private:
  // Counts the blocks [offset, offset + length) needs beyond the file's extent; fails with
  // ENOSPC when they would take the space used past the budget. With `fits`, the first *fits
  // bytes still had room (the rest of the budget is charged for them); without, nothing is.
  wal::Status charge(sim::FsOp op, std::uint64_t offset, std::uint64_t length,
                     std::uint64_t* fits) {
    if (extent_ == nullptr) return wal::Status::ok();  // closed: the file below says so
    const std::uint64_t end = offset + length;
    if (end <= extent_->end) return wal::Status::ok();
    const std::uint64_t start = std::max(offset, extent_->end);
    const std::uint64_t needed = end - start;
    if (!fs_.trigger_.fire(needed)) {
      extent_->end = end;
      extent_->charged += needed;
      return wal::Status::ok();
    }
    fs_.trigger_.refund(needed);
    std::uint64_t made = 0;
    if (fits != nullptr) {
      const std::uint64_t room = fs_.trigger_.room();  // < needed, or it had not fired
      made = start - offset + room;
      if (made > 0) {
        fs_.trigger_.take(room);
        extent_->end = std::max(extent_->end, offset + made);
        extent_->charged += room;
      }
      *fits = made;
    }
    return fs_.inject("enospc_after_bytes", op, path_, offset, length,
                      wal::Status::no_space(fmt::format("{} {}: No space left on device after "
                                                        "{} of {} bytes (injected "
                                                        "enospc_after_bytes)",
                                                        sim::to_string(op), path_, made, length),
                                            ENOSPC),
                      fmt::format("wrote {} of {}", made, length));
  }

  // Closed: the last open file of an unlinked extent gives its blocks back.
  void let_go() {
    if (extent_ == nullptr) return;
    if (extent_->unlinked && extent_.use_count() == 1) fs_.release(*extent_, 0);
    extent_.reset();
  }

  EnospcFs& fs_;
  std::shared_ptr<Extent> extent_;
};

wal::Result<std::unique_ptr<wal::File>> EnospcFs::open(std::string_view path,
                                                       wal::OpenMode mode) {
  wal::Result<std::unique_ptr<wal::File>> file = base_.open(path, mode);
  if (!file || !glob_matches(glob_, path)) return file;
  const std::string name(path);
  std::shared_ptr<Extent> extent = extent_of(name, **file, mode);
  return std::unique_ptr<wal::File>(
      std::make_unique<File>(*this, std::move(file).value(), name, std::move(extent)));
}

std::shared_ptr<EnospcFs::Extent> EnospcFs::extent_of(const std::string& path, wal::File& file,
                                                      wal::OpenMode mode) {
  auto it = extents_.find(path);
  if (mode == wal::OpenMode::kCreateExclusive || it == extents_.end()) {
    if (it != extents_.end()) drop_name(it);  // a stale entry of a vanished file
    auto extent = std::make_shared<Extent>();
    // Bytes already on disk (a file this decorator never saw grow) hold blocks, uncounted.
    if (mode != wal::OpenMode::kCreateExclusive) {
      wal::Result<std::uint64_t> size = file.size();
      if (size) extent->end = *size;
    }
    extents_[path] = extent;
    return extent;
  }
  return it->second;
}

void EnospcFs::release(Extent& extent, std::uint64_t new_end) {
  if (new_end >= extent.end) return;
  const std::uint64_t freed = std::min(extent.end - new_end, extent.charged);
  trigger_.refund(freed);
  extent.charged -= freed;
  extent.end = new_end;
}

wal::Status EnospcFs::rename(std::string_view source, std::string_view target) {
  WAL_RETURN_IF_ERROR(base_.rename(source, target));
  auto from = extents_.find(source);
  if (from == extents_.end()) return wal::Status::ok();
  std::shared_ptr<Extent> extent = std::move(from->second);
  extents_.erase(from);
  auto replaced = extents_.find(target);
  if (replaced != extents_.end()) drop_name(replaced);
  extents_[std::string(target)] = std::move(extent);
  return wal::Status::ok();
}

wal::Status EnospcFs::unlink(std::string_view path) {
  WAL_RETURN_IF_ERROR(base_.unlink(path));
  auto it = extents_.find(path);
  if (it != extents_.end()) drop_name(it);
  return wal::Status::ok();
}

void EnospcFs::drop_name(std::map<std::string, std::shared_ptr<Extent>, std::less<>>::iterator it) {
  std::shared_ptr<Extent> extent = std::move(it->second);
  extents_.erase(it);
  if (extent.use_count() == 1) {
    release(*extent, 0);
  } else {
    extent->unlinked = true;  // swarm seed 47879: a sync rewrote a segment truncate_front unlinked
  }
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
    const std::uint64_t landed = fs_.land(*base_, path_, offset);
    // Both places are damaged: what never arrived is lost (a segment header takes the
    // segment's records with it, media seed 3015892; records their LSNs, 3082324), and what was
    // where it landed is overwritten (3007326: a short write's rest landed over LSNs 1 and 2).
    std::optional<LsnSpan> hit = lsns_of_lost_write(path_, offset, data);
    if (const std::optional<LsnSpan> overwritten = fs_.lsns_at(*base_, landed, data.size())) {
      if (!hit) hit = overwritten;
      hit->first = std::min(hit->first, overwritten->first);
      hit->last = std::max(hit->last, overwritten->last);
    }
    // Silent: the device acknowledges the write it put in the wrong place.
    const wal::Status status = base_->write_at(landed, data);
    if (status.is_ok()) {
      fs_.record_fault("misdirected_write", sim::FsOp::kWrite, path_, offset, data.size(),
                       fmt::format("landed at {}{}", landed, describe_lsns_hit(hit)));
    }
    return status;
  }

 private:
  MisdirectedWriteFs& fs_;
};

std::optional<LsnSpan> MisdirectedWriteFs::lsns_at(wal::File& file, std::uint64_t offset,
                                                   std::uint64_t length) {
  if (sim_ == nullptr) return std::nullopt;
  const sim::InodeId inode = sim_->inode_of(innermost(file));
  if (inode == 0) return std::nullopt;
  return lsns_hit(sim_->state().inodes.at(inode).file.visible, offset, length);
}

std::uint64_t MisdirectedWriteFs::land(wal::File& file, const std::string& path,
                                       std::uint64_t offset) {
  if (sim_ != nullptr && (aim_ == MediaAim::kStructure || (aim_ == MediaAim::kMixed && prng_.coin()))) {
    // Of the places 1..8 sectors either way, those where a record of the file starts: shifted
    // records then read as whole records in another's place (with records of random sizes a
    // uniform shift almost never lands on one).
    const sim::InodeId inode = sim_->inode_of(innermost(file));
    if (inode != 0) {
      const sim::Bytes& bytes = sim_->state().inodes.at(inode).file.visible;
      const std::size_t slash = path.rfind('/');
      const std::string_view name =
          slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
      std::vector<std::uint64_t> starts;
      for (const AimedRange& range : structure_of(name, bytes)) {
        if (range.role == AimedRange::Role::kRecordHeader) starts.push_back(range.offset);
      }
      std::vector<std::uint64_t> places;
      for (std::uint64_t k = 1; k <= 8; ++k) {
        const std::uint64_t shift = k * sector_bytes_;
        for (const std::uint64_t place : {offset >= shift ? offset - shift : offset, offset + shift}) {
          if (place != offset && std::find(starts.begin(), starts.end(), place) != starts.end()) {
            places.push_back(place);
          }
        }
      }
      if (!places.empty()) return places[prng_.below(places.size())];
    }
  }
  const std::uint64_t shift = prng_.range(1, 8) * sector_bytes_;
  const bool back = offset >= shift && prng_.coin();
  return back ? offset - shift : offset + shift;
}

std::unique_ptr<wal::File> MisdirectedWriteFs::wrap(std::unique_ptr<wal::File> file,
                                                    std::string_view path) {
  return std::make_unique<File>(*this, std::move(file), std::string(path));
}

}  // namespace faults
