#include "faults/fsync_eio_fs.h"

#include <fmt/format.h>

#include <cerrno>

namespace faults {

class FsyncEioFs::File final : public FileWrapper {
 public:
  File(FsyncEioFs& fs, std::unique_ptr<wal::File> base, std::string path)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Status sync_data() override {
    WAL_RETURN_IF_ERROR(fs_.maybe_fail(*this, sim::FsOp::kSyncData));
    return base_->sync_data();
  }
  wal::Status sync() override {
    WAL_RETURN_IF_ERROR(fs_.maybe_fail(*this, sim::FsOp::kSync));
    return base_->sync();
  }

 private:
  FsyncEioFs& fs_;
};

std::string_view to_string(FsyncProfile profile) {
  switch (profile) {
    case FsyncProfile::kExt4: return "ext4";
    case FsyncProfile::kXfs: return "xfs";
    case FsyncProfile::kBtrfs: return "btrfs";
  }
  return "?";
}

std::optional<FsyncProfile> parse_fsync_profile(std::string_view text) {
  for (FsyncProfile profile : {FsyncProfile::kExt4, FsyncProfile::kXfs, FsyncProfile::kBtrfs}) {
    if (to_string(profile) == text) return profile;
  }
  return std::nullopt;
}

sim::FsyncFailureEffect page_cache_effect(FsyncProfile profile) {
  return profile == FsyncProfile::kBtrfs ? sim::FsyncFailureEffect::kRevertToDurable
                                         : sim::FsyncFailureEffect::kKeepDataClean;
}

std::unique_ptr<wal::File> FsyncEioFs::wrap(std::unique_ptr<wal::File> file,
                                            std::string_view path) {
  return std::make_unique<File>(*this, std::move(file), std::string(path));
}

wal::Status FsyncEioFs::maybe_fail(FileWrapper& file, sim::FsOp op) {
  if (!trigger_.fire()) return wal::Status::ok();
  if (sim_ != nullptr) {
    sim_->on_fsync_failed(innermost(file), page_cache_effect(profile_));
  }
  return injected(op, file.path(), "");
}

wal::Status FsyncEioFs::sync_dir(std::string_view dir) {
  if (!directories_ || !trigger_.fire()) return FsWrapper::sync_dir(dir);
  return injected(sim::FsOp::kSyncDir, dir, "directory, ");
}

wal::Status FsyncEioFs::injected(sim::FsOp op, std::string_view path, std::string_view what) {
  if (trace_ != nullptr) {
    trace_->fault("fsync_eio", op, path, 0, 0,
                  fmt::format("{}profile {}", what, to_string(profile_)));
  }
  wal::Status status = wal::Status::io_error(
      fmt::format("{} {}: Input/output error (injected fsync_eio, {})", sim::to_string(op), path,
                  to_string(profile_)),
      EIO);
  status.mark_injected();
  return status;
}

}  // namespace faults
