// close_eio (SPEC 3.4): close() fails with EIO. What that means for the data, the model:
//
//   * The handle is released all the same (Linux frees the descriptor whatever close returns,
//     and POSIX leaves it unspecified; a retried close would hit another file).
//   * A close fails with EIO when the file's writeback failed: NFS, CIFS and FUSE write dirty
//     pages back at close and report the failure there; local file systems report an earlier
//     writeback error. So the page cache is left as after a failed fsync, per
//     `faults.fsync_profile` (fsync_eio_fs.h): ext4 and xfs keep the unsynced data readable
//     but clean, never written back (a later power loss loses it whatever the crash policy
//     keeps); btrfs drops it at once (reads show the durable image). Synced data is never
//     touched: a program that syncs before it closes loses nothing to a failed close.
//   * The close after a power cut reaches nothing (HaltingFs drops the handle): no fault there.
// Over anything but SimFs only the error is returned.
#pragma once

#include <memory>
#include <string_view>

#include "faults/fsync_eio_fs.h"
#include "faults/io_faults.h"

namespace faults {

class CloseEioFs final : public IoFaultFs {
 public:
  CloseEioFs(wal::Fs& base, sim::SimFs* sim, FsyncProfile profile, TriggerSpec spec,
             sim::Prng prng, sim::Trace* trace = nullptr)
      : IoFaultFs(base, spec, prng, trace), sim_(sim), profile_(profile) {}

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override;

 private:
  class File;
  sim::SimFs* sim_;
  FsyncProfile profile_;
};

}  // namespace faults
