// fsync_eio (SPEC 3.4): sync_data()/sync() fail with an injected EIO, and the page cache then
// behaves as the chosen filesystem's does after a failed fsync:
//   ext4, xfs  the dirty data stays in the page cache, readable, but is marked clean: it is
//              never written back, so a later crash loses it however lucky the crash is
//   btrfs      the page cache drops it: reads show the durable image again
// In all three, a retried fsync then returns success: that is the lie the WAL must not believe
// (fsyncgate). The page-cache effect needs SimFs (it is applied through
// sim::SimFs::on_fsync_failed); over any other Fs the decorator only returns the error.
//
// With fail_directories(true), sync_dir() is an fsync too (of the directory): its calls count
// with the files' and fail the same way, and the directory's pending entries (creates,
// renames, unlinks) stay pending, so a power loss may still lose any of them. A WAL that takes
// a failed directory fsync for done has acknowledged entries in a file whose name may never
// reach the disk (FORMAT.md 3, step 6). walsim's fault stack turns it on; off, the trigger
// counts file syncs only, as it did before directories could fail.
#pragma once

#include <optional>
#include <string_view>

#include "faults/fault_trigger.h"
#include "faults/fs_wrapper.h"
#include "sim/sim_fs.h"
#include "sim/trace.h"

namespace faults {

enum class FsyncProfile : std::uint8_t { kExt4, kXfs, kBtrfs };

std::string_view to_string(FsyncProfile profile);  // "ext4", "xfs", "btrfs"
std::optional<FsyncProfile> parse_fsync_profile(std::string_view text);
sim::FsyncFailureEffect page_cache_effect(FsyncProfile profile);

class FsyncEioFs final : public FsWrapper {
 public:
  // `sim` is the SimFs at the bottom of the stack (null over a real Fs). One trigger counts
  // every sync_data() and sync() of every file opened through this decorator.
  FsyncEioFs(wal::Fs& base, sim::SimFs* sim, FsyncProfile profile, TriggerSpec spec,
             sim::Prng prng, sim::Trace* trace = nullptr)
      : FsWrapper(base), sim_(sim), profile_(profile), trigger_(spec, prng), trace_(trace) {}

  const Trigger& trigger() const { return trigger_; }

  void fail_directories(bool on) { directories_ = on; }
  [[nodiscard]] wal::Status sync_dir(std::string_view dir) override;

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file,
                                  std::string_view path) override;

 private:
  class File;
  wal::Status maybe_fail(FileWrapper& file, sim::FsOp op);
  // The trace's fault event and the error of a failed `op` on `path`.
  wal::Status injected(sim::FsOp op, std::string_view path, std::string_view what);

  sim::SimFs* sim_;
  FsyncProfile profile_;
  Trigger trigger_;
  sim::Trace* trace_;
  bool directories_ = false;
};

}  // namespace faults
