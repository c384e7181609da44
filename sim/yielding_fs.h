// Every Fs call is a scheduling point that takes virtual time: the calling simulated thread
// sleeps for a latency drawn from the device model (the fsync range for syncs, the write range
// for the rest), other threads run meanwhile, then the call reaches the Fs below. So I/O
// overlaps with other threads' work as on a real disk, and the scheduler sees every call.
#pragma once

#include <memory>
#include <string_view>

#include <wal/fs.h>

#include "sim/device_model.h"
#include "sim/thread_scheduler.h"

namespace sim {

class YieldingFs final : public wal::Fs {
 public:
  YieldingFs(wal::Fs& base, ThreadScheduler& scheduler, DeviceModel device)
      : base_(base), scheduler_(scheduler), device_(device) {}

  wal::Result<std::unique_ptr<wal::File>> open(std::string_view path, wal::OpenMode mode) override;
  wal::Status rename(std::string_view source, std::string_view target) override;
  wal::Status unlink(std::string_view path) override;
  wal::Result<std::vector<std::string>> list(std::string_view dir) override;
  wal::Status mkdir(std::string_view path) override;
  wal::Status sync_dir(std::string_view dir) override;
  wal::Result<wal::FileStat> stat(std::string_view path) override;
  wal::Result<std::unique_ptr<wal::FileLock>> lock(std::string_view path) override;

  // Sleeps the calling thread for one operation's latency, `op` on `path`. False, without
  // sleeping, on an OS thread the scheduler does not run (ThreadScheduler::owns_caller): the
  // call is then refused with an I/O error and never reaches the Fs below, where it would race
  // the baton holder; the run's verdict says so (RunLoop::run_threads).
  [[nodiscard]] bool io(bool sync, std::string_view op, std::string_view path);
  // The same check, for calls that take no time (a file's size, a writeback hint).
  [[nodiscard]] bool admit(std::string_view op, std::string_view path);

 private:
  wal::Fs& base_;
  ThreadScheduler& scheduler_;
  const DeviceModel device_;
};

}  // namespace sim
