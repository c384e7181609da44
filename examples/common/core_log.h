// AppLog over wal::LogCore, single-threaded: the runtime a simulated store runs on. Each call
// drives the core's durability protocol to the end before returning (commit_step; begin_sync,
// run_sync, finish_sync), so a store on it behaves as one application thread on wal::Log:
//   grouped, immediate   append returns once its entry is durable (a group of one)
//   periodic             append returns at once; a sync runs whenever the core says one is due
//                        (sync_due on the injected clock), as the background syncer would
//   none                 nothing is synced but by sync() and checkpoint()
// A group window (kWaitUntil) is not waited for: with one thread there is nobody to group with.
#pragma once

#include <memory>
#include <string>

#include <wal/clock.h>
#include <wal/fs.h>
#include <wal/log_core.h>
#include <wal/options.h>

#include "examples/common/app_log.h"

namespace examples {

class CoreLog final : public AppLog {
 public:
  // Opens (recovering) the log in `dir` on `fs`; `clock` must outlive the CoreLog.
  [[nodiscard]] static wal::Result<std::unique_ptr<CoreLog>> open(wal::Fs& fs, wal::Clock& clock,
                                                                  std::string dir,
                                                                  const wal::Options& options);
  CoreLog(std::unique_ptr<wal::LogCore> core, wal::Clock& clock)
      : core_(std::move(core)), clock_(clock) {}

  wal::LogCore& core() { return *core_; }
  const wal::LogCore& core() const { return *core_; }

  [[nodiscard]] wal::Result<wal::Lsn> append(std::span<const std::byte> payload) override;
  [[nodiscard]] wal::Result<wal::Lsn> checkpoint(std::span<const std::byte> payload) override;
  [[nodiscard]] wal::Status sync() override;
  wal::Lsn durable_lsn() const override;
  [[nodiscard]] wal::Result<std::unique_ptr<wal::Reader>> reader_from_checkpoint() override;
  [[nodiscard]] wal::Status truncate_front(wal::Lsn lsn) override;
  [[nodiscard]] wal::Status close() override;

 private:
  // Runs sync tickets until `lsn` is durable or the core is poisoned.
  [[nodiscard]] wal::Status wait_durable(wal::Lsn lsn);
  [[nodiscard]] wal::Status sync_once();

  std::unique_ptr<wal::LogCore> core_;
  wal::Clock& clock_;
};

}  // namespace examples
