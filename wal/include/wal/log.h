// wal::Log: the thread-safe write-ahead log. Many threads may append at once.
//
//   auto log = wal::Log::open("/var/lib/db/wal", options);        // recovers
//   if (!log) { fail(log.error()); }
//   wal::Result<wal::Lsn> lsn = (*log)->append(bytes);           // durable per options.sync
//
// A thin runtime around wal::LogCore: a mutex, condition variables for group commit waiters,
// and one background thread for SyncPolicy::kPeriodic.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <wal/fs.h>
#include <wal/metrics.h>
#include <wal/options.h>
#include <wal/reader.h>
#include <wal/recovery_report.h>
#include <wal/status.h>
#include <wal/types.h>

namespace wal {

class Log {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Log>> open(std::string_view dir,
                                                         const Options& options = {});
  ~Log();  // close()s if still open; an error there is logged, not lost silently
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  const RecoveryReport& recovery_report() const;

  // Returns once the entry is as durable as options.sync promises.
  [[nodiscard]] Result<Lsn> append(std::span<const std::byte> payload);
  // Atomic: after any crash all or none of the batch is recovered. Consecutive LSNs.
  [[nodiscard]] Result<LsnRange> append_batch(std::span<const std::span<const std::byte>> entries);
  // Durable on return, under every policy.
  [[nodiscard]] Result<Lsn> checkpoint(std::span<const std::byte> payload);
  // Everything appended before the call is durable on OK.
  [[nodiscard]] Status sync();
  // Blocks until `lsn` is durable (starting a sync if nobody else will).
  [[nodiscard]] Status wait_durable(Lsn lsn);

  Lsn durable_lsn() const;
  Lsn last_lsn() const;
  Lsn first_lsn() const;  // oldest entry still in the log (kNoLsn when empty)

  [[nodiscard]] Result<std::unique_ptr<Reader>> reader(Lsn from_lsn);
  [[nodiscard]] Result<std::unique_ptr<Reader>> reader_from_checkpoint();
  [[nodiscard]] Status truncate_front(Lsn lsn);

  MetricsSnapshot metrics() const;
  // Waits for a sync in flight, stops the periodic syncer, then flushes, syncs and trims the
  // active segment. Under SyncPolicy::kNone it only hands the buffer to the OS (no sync: kNone
  // never syncs on its own). A poisoned log reports its poison here.
  [[nodiscard]] Status close();

 private:
  struct Impl;
  explicit Log(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Full read-only scan of a log directory (walctl verify, fuzzing, the harness): never takes the
// lock, never modifies a byte. The report lists every damaged range; options.recovery decides
// which of them make the returned Status an error.
[[nodiscard]] Result<RecoveryReport> verify(Fs& fs, std::string_view dir,
                                            const Options& options = {});

}  // namespace wal
