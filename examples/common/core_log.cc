#include "examples/common/core_log.h"

#include <wal/assert.h>

namespace examples {
namespace {

// One ticket covers everything appended before it began, so a caller needs at most one sync
// after the one that may be in flight; more rounds than this is a core that never converges.
constexpr int kMaxSyncRounds = 4;

}  // namespace

wal::Result<std::unique_ptr<CoreLog>> CoreLog::open(wal::Fs& fs, wal::Clock& clock,
                                                   std::string dir,
                                                   const wal::Options& options) {
  wal::Result<std::unique_ptr<wal::LogCore>> core =
      wal::LogCore::open(fs, clock, std::move(dir), options);
  if (!core) return core.error();
  return std::make_unique<CoreLog>(std::move(core).value(), clock);
}

wal::Result<wal::Lsn> CoreLog::append(std::span<const std::byte> payload) {
  wal::Result<wal::Lsn> lsn = core_->append(payload);
  if (!lsn) return lsn;
  switch (core_->options().sync) {
    case wal::SyncPolicy::kGrouped:
    case wal::SyncPolicy::kImmediate:
      WAL_RETURN_IF_ERROR(wait_durable(*lsn));
      break;
    case wal::SyncPolicy::kPeriodic:
      if (core_->sync_due(clock_.now_us())) WAL_RETURN_IF_ERROR(sync_once());
      break;
    case wal::SyncPolicy::kNone:
      break;
  }
  return lsn;
}

wal::Result<wal::Lsn> CoreLog::checkpoint(std::span<const std::byte> payload) {
  wal::Result<wal::Lsn> lsn = core_->append_checkpoint(payload);
  if (!lsn) return lsn;
  WAL_RETURN_IF_ERROR(wait_durable(*lsn));
  return lsn;
}

wal::Status CoreLog::sync() { return wait_durable(core_->last_lsn()); }

wal::Lsn CoreLog::durable_lsn() const { return core_->durable_lsn(); }

wal::Result<std::unique_ptr<wal::Reader>> CoreLog::reader_from_checkpoint() {
  return core_->reader_from_checkpoint();
}

wal::Status CoreLog::truncate_front(wal::Lsn lsn) { return core_->truncate_front(lsn); }

wal::Status CoreLog::close() { return core_->close(); }

wal::Status CoreLog::wait_durable(wal::Lsn lsn) {
  for (int round = 0; round < kMaxSyncRounds; ++round) {
    const wal::CommitStep step = core_->commit_step(lsn, clock_.now_us());
    switch (step.action) {
      case wal::CommitAction::kDurable:
        return wal::Status::ok();
      case wal::CommitAction::kFailed:
        return core_->poison_cause();
      case wal::CommitAction::kLead:
      case wal::CommitAction::kWait:
      case wal::CommitAction::kWaitUntil:
        WAL_RETURN_IF_ERROR(sync_once());
        break;
    }
  }
  WAL_ASSERT(false && "LogCore did not make an LSN durable after repeated syncs");
  return wal::Status::io_error("unreachable");
}

wal::Status CoreLog::sync_once() {
  wal::Result<wal::SyncTicket> ticket = core_->begin_sync();
  if (!ticket) return ticket.error();
  const wal::Status status = wal::LogCore::run_sync(*ticket);
  core_->finish_sync(*ticket, status);
  return status;
}

}  // namespace examples
