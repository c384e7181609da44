// The log an example store writes through. A store's logic (encode a mutation, append it,
// replay from the last checkpoint, checkpoint its whole state) is the same whether the WAL runs
// threaded on the real disk (wal::Log, the CLIs) or step-driven on the simulator (wal::LogCore,
// driven by the harness); this interface is the seam between the two.
//
// Contract, the same as wal::Log's: append() returns once the entry is as durable as the
// log's sync policy promises (durable_lsn() tells how far that is); checkpoint() and sync() are
// durable on return. Any error leaves the log poisoned or closed: a store stops using it.
#pragma once

#include <memory>
#include <span>

#include <wal/reader.h>
#include <wal/status.h>
#include <wal/types.h>

namespace examples {

class AppLog {
 public:
  virtual ~AppLog() = default;

  [[nodiscard]] virtual wal::Result<wal::Lsn> append(std::span<const std::byte> payload) = 0;
  [[nodiscard]] virtual wal::Result<wal::Lsn> checkpoint(std::span<const std::byte> payload) = 0;
  [[nodiscard]] virtual wal::Status sync() = 0;
  virtual wal::Lsn durable_lsn() const = 0;
  // The last durable checkpoint, then every entry after it (from the front of the log when
  // there is no checkpoint), up to the durable end.
  [[nodiscard]] virtual wal::Result<std::unique_ptr<wal::Reader>> reader_from_checkpoint() = 0;
  [[nodiscard]] virtual wal::Status truncate_front(wal::Lsn lsn) = 0;
  [[nodiscard]] virtual wal::Status close() = 0;
};

}  // namespace examples
