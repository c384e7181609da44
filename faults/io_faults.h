// Faults on the data path while running (SPEC 3.4), one small decorator each, stackable over
// any wal::Fs. Each fires per its TriggerSpec, returns a Status marked injected, and records a
// fault event named for its kind in the trace:
//   WriteEioFs        write_eio   write_at fails with EIO; nothing was written
//   WriteShortFs      write_short write_at writes a prefix (possibly empty) and fails with EIO:
//                                 write_at's contract allows an unknown prefix on error
//   EnospcFs          enospc_after_bytes  write_at/allocate fail with ENOSPC once the new blocks
//                                 they need would take the space used past the budget
//                                 (TriggerSpec::after); nothing written. Only bytes beyond a
//                                 file's allocated extent need blocks: fallocate reserves them, so
//                                 a write inside a fallocated range never fails; truncate gives
//                                 them back, unlink too once no open file holds them (POSIX: an
//                                 unlinked file's blocks live until its last close)
//   ReadEioFs         read_eio    read_at fails with EIO
//   MisdirectedWriteFs misdirected_write  the write lands 1..8 sectors away from where it was
//                                 aimed and returns OK: silent, found only by checksums. Aimed
//                                 (MediaAim, over a SimFs): of those 16 places, one where a
//                                 record of the file starts, when there is one, so that shifted
//                                 records replace whole older ones (media_aim.h)
// The decorator must outlive the files opened through it.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "faults/fault_trigger.h"
#include "faults/fs_wrapper.h"
#include "faults/media_aim.h"
#include "sim/device_model.h"
#include "sim/sim_fs.h"
#include "sim/trace.h"

namespace faults {

// Shared by the decorators below: the trigger, the PRNG for the fault's own choices, the trace.
class IoFaultFs : public FsWrapper {
 public:
  IoFaultFs(wal::Fs& base, TriggerSpec spec, sim::Prng prng, sim::Trace* trace = nullptr)
      : FsWrapper(base), trigger_(spec, prng.fork()), prng_(prng.fork()), trace_(trace) {}

  const Trigger& trigger() const { return trigger_; }

 protected:
  // Records fault `kind` in the trace (for a silent fault, that is all it does).
  void record_fault(std::string_view kind, sim::FsOp op, const std::string& path,
                    std::uint64_t offset, std::uint64_t length, std::string_view detail = {}) {
    if (trace_ != nullptr) trace_->fault(kind, op, path, offset, length, detail);
  }
  // An injected error, recorded as fault `kind`.
  wal::Status inject(std::string_view kind, sim::FsOp op, const std::string& path,
                     std::uint64_t offset, std::uint64_t length, wal::Status status,
                     std::string_view detail = {});

  Trigger trigger_;
  sim::Prng prng_;
  sim::Trace* trace_;
};

class WriteEioFs final : public IoFaultFs {
 public:
  using IoFaultFs::IoFaultFs;

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override;

 private:
  class File;
};

class WriteShortFs final : public IoFaultFs {
 public:
  using IoFaultFs::IoFaultFs;

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override;

 private:
  class File;
};

class EnospcFs final : public IoFaultFs {
 public:
  // Fails every write/allocate whose new blocks would take the space used past `budget_bytes`.
  EnospcFs(wal::Fs& base, std::uint64_t budget_bytes, sim::Prng prng, sim::Trace* trace = nullptr)
      : IoFaultFs(base, TriggerSpec::after(budget_bytes), prng, trace) {}

  wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                               wal::OpenMode mode) override;
  wal::Status rename(std::string_view source, std::string_view target) override;
  wal::Status unlink(std::string_view path) override;

  // faults.target: only files whose base name matches `glob` (file_glob.h) take part: the
  // others are neither charged nor refused (empty: every file).
  void aim(std::string glob) { glob_ = std::move(glob); }

 private:
  class File;
  std::string glob_;
  // The blocks a file holds: [0, end) is backed (written or fallocated); `charged` of them were
  // counted against the budget (a file found on disk brings its blocks uncounted).
  struct Extent {
    std::uint64_t end = 0;
    std::uint64_t charged = 0;
    bool unlinked = false;  // no name left: freed when the last open file lets go
  };
  std::shared_ptr<Extent> extent_of(const std::string& path, wal::File& file, wal::OpenMode mode);
  void release(Extent& extent, std::uint64_t new_end);
  // `path` no longer names its extent (unlink, or a rename over it): free the blocks now, or at
  // the last close of a file still open on it.
  void drop_name(std::map<std::string, std::shared_ptr<Extent>, std::less<>>::iterator it);

  std::map<std::string, std::shared_ptr<Extent>, std::less<>> extents_;
};

class ReadEioFs final : public IoFaultFs {
 public:
  using IoFaultFs::IoFaultFs;

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override;

 private:
  class File;
};

class MisdirectedWriteFs final : public IoFaultFs {
 public:
  // `sim`: the SimFs at the bottom of the stack, whose file contents aimed writes read (null
  // over a real Fs: every write lands uniformly).
  MisdirectedWriteFs(wal::Fs& base, const sim::DeviceModel& device, TriggerSpec spec,
                     sim::Prng prng, sim::Trace* trace = nullptr, const sim::SimFs* sim = nullptr,
                     MediaAim aim = MediaAim::kUniform)
      : IoFaultFs(base, spec, prng, trace),
        sector_bytes_(device.sector_bytes),
        sim_(sim),
        aim_(aim) {}

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override;

 private:
  class File;
  // Where a write of `file` (named `path`) aimed at `offset` lands instead.
  std::uint64_t land(wal::File& file, const std::string& path, std::uint64_t offset);
  // The LSNs of the records `file` holds in [offset, offset + length) now (nullopt: none, or
  // not on a SimFs).
  std::optional<LsnSpan> lsns_at(wal::File& file, std::uint64_t offset, std::uint64_t length);
  std::uint64_t sector_bytes_;
  const sim::SimFs* sim_;
  MediaAim aim_;
};

}  // namespace faults
