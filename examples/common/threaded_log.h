// AppLog over wal::Log: the production runtime (threads, group commit, background syncer), for
// the examples' command-line programs and anyone embedding a store in a real process.
#pragma once

#include <memory>
#include <string_view>

#include <wal/log.h>
#include <wal/options.h>

#include "examples/common/app_log.h"

namespace examples {

class ThreadedLog final : public AppLog {
 public:
  // Opens (recovering) the log in `dir`.
  [[nodiscard]] static wal::Result<std::unique_ptr<ThreadedLog>> open(
      std::string_view dir, const wal::Options& options = {});

  const wal::RecoveryReport& recovery_report() const { return log_->recovery_report(); }

  [[nodiscard]] wal::Result<wal::Lsn> append(std::span<const std::byte> payload) override;
  [[nodiscard]] wal::Result<wal::Lsn> checkpoint(std::span<const std::byte> payload) override;
  [[nodiscard]] wal::Status sync() override;
  wal::Lsn durable_lsn() const override;
  [[nodiscard]] wal::Result<std::unique_ptr<wal::Reader>> reader_from_checkpoint() override;
  [[nodiscard]] wal::Status truncate_front(wal::Lsn lsn) override;
  [[nodiscard]] wal::Status close() override;

 private:
  explicit ThreadedLog(std::unique_ptr<wal::Log> log) : log_(std::move(log)) {}
  std::unique_ptr<wal::Log> log_;
};

}  // namespace examples
