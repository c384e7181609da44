#include "examples/common/threaded_log.h"

namespace examples {

wal::Result<std::unique_ptr<ThreadedLog>> ThreadedLog::open(std::string_view dir,
                                                           const wal::Options& options) {
  wal::Result<std::unique_ptr<wal::Log>> log = wal::Log::open(dir, options);
  if (!log) return log.error();
  return std::unique_ptr<ThreadedLog>(new ThreadedLog(std::move(log).value()));
}

wal::Result<wal::Lsn> ThreadedLog::append(std::span<const std::byte> payload) {
  return log_->append(payload);
}

wal::Result<wal::Lsn> ThreadedLog::checkpoint(std::span<const std::byte> payload) {
  return log_->checkpoint(payload);
}

wal::Status ThreadedLog::sync() { return log_->sync(); }

wal::Lsn ThreadedLog::durable_lsn() const { return log_->durable_lsn(); }

wal::Result<std::unique_ptr<wal::Reader>> ThreadedLog::reader_from_checkpoint() {
  return log_->reader_from_checkpoint();
}

wal::Status ThreadedLog::truncate_front(wal::Lsn lsn) { return log_->truncate_front(lsn); }

wal::Status ThreadedLog::close() { return log_->close(); }

}  // namespace examples
