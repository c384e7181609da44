// The step-driven heart of the WAL. Single-threaded, owns no threads, never sleeps, never
// blocks on anything but the Fs call it is making; it reads time only from the injected Clock.
// Two runtimes drive it:
//   * wal::Log (production): a mutex around the core, condition variables for waiters, and a
//     background thread for kPeriodic; fdatasync runs outside the mutex.
//   * sim/ (simulation): a deterministic scheduler on virtual time, with simulated writer
//     tasks, timers and I/O completions.
// Both run the same decisions (commit_step, sync_due, begin_sync/finish_sync), so the group
// commit and background sync that the simulator crashes are the production ones.
//
// The durability protocol, used by every sync (explicit, group commit, periodic):
//   1. ticket = begin_sync()          under the runtime's lock: takes the write buffer's bytes
//                                     (swapped out, no copy) and snapshots what must become
//                                     durable
//   2. status = LogCore::run_sync(t)  WITHOUT the lock: writes those bytes, then the fdatasync;
//                                     other writers keep appending into the core meanwhile
//   3. finish_sync(ticket, status)    under the lock: advances durable_lsn, or poisons the log
// At most one ticket is in flight. A failed sync poisons the core for good (fsyncgate): every
// waiter of that ticket gets the error, later calls fail with kPoisoned, nothing is retried.
//
// The spare segment, prepared off the append path in the same three steps, whenever
// spare_wanted():
//   1. ticket = begin_prepare()       under the lock
//   2. LogCore::run_prepare(ticket)   WITHOUT the lock: creates "<dir>/spare-segment.tmp" (a
//                                     leftover like any *.tmp), fallocates it whole and fsyncs
//   3. finish_prepare(ticket)         under the lock: keeps it for the next rotation
// A rotation that finds a spare only writes its header, syncs, renames and syncs the directory:
// no open, no fallocate and no heap allocation on the append path. Without one (a runtime that
// never prepares, or a preparation still running) the rotation creates its segment itself.
// A failed write or sync while preparing poisons the core as anywhere else (fail-stop); a full
// disk (kNoSpace) leaves no spare, and the rotation that then needs a segment fails cleanly.
//
// With Options::background_rotation, a rotation onto the spare does not sync: it flushes and
// trims the finished segment, writes the spare's header and renames the spare to
// "<segment>.tmp", where appends go on. The next sync ticket (SyncTicket::previous) syncs the
// finished segment, then the new one, and only then renames it to its name and syncs the
// directory: the durable watermark never passes the rotation before that. A second rotation
// before any ticket publishes the first on the append path. Recovery adopts such a continuation
// when it continues the log exactly (wal/FORMAT.md 3.2).
//
// A rotation never runs beside a sync ticket: an append that needs one while a ticket is in
// flight changes nothing and returns kBusy with the message kRotationWaits; the runtime waits
// for finish_sync and calls again (finishing the segment meanwhile could take the success of a
// second fsync for durability after the ticket's fsync failed: fsyncgate).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <wal/fs.h>
#include <wal/options.h>
#include <wal/reader.h>
#include <wal/recovery_report.h>
#include <wal/status.h>
#include <wal/types.h>

namespace wal {

class Clock;
class Metrics;

// The message of the kBusy an append returns while its rotation waits for a sync ticket.
inline constexpr std::string_view kRotationWaits = "rotation waits for the sync in flight";

// What a sync must make durable. Cheap to copy; holding it keeps its file handles open even if
// the core rotates or closes them meanwhile.
struct SyncTicket {
  std::uint64_t id = 0;
  Lsn target_lsn = kNoLsn;  // durable_lsn() once this ticket succeeds
  std::shared_ptr<File> file;  // the segment to sync (null: nothing to sync, already durable)
  bool full_sync = false;      // sync() instead of sync_data(): the file's size changed
  std::uint64_t started_us = 0;
  // The group's bytes, which run_sync writes at `write_offset` before syncing, outside the
  // runtime's lock. They live in the core until finish_sync.
  std::uint64_t write_offset = 0;
  std::span<const std::byte> write_bytes;
  // A rotation to publish (Options::background_rotation, wal/FORMAT.md 3.2): run_sync first
  // syncs `previous`, the finished segment, then writes and syncs `file` as above, then renames
  // it from `publish_from` to `publish_to` and syncs `dir`. Null: nothing to publish.
  std::shared_ptr<File> previous;
  Fs* fs = nullptr;
  std::string_view dir, publish_from, publish_to;
  // Set by run_sync: the failure was the group's write, not the fdatasync (metrics tell them
  // apart: a failed write is not a failed sync).
  mutable bool write_failed = false;
};

// A spare segment being prepared. Holding it keeps the file open; dropping it unused leaves a
// temp file that the next open deletes.
struct PrepareTicket {
  Fs* fs = nullptr;
  std::string path;  // "<dir>/spare-segment.tmp"
  std::uint64_t capacity_bytes = 0;
  bool preallocate = true;
  std::unique_ptr<File> file;  // run_prepare's product
  Status status;               // run_prepare's outcome
};

enum class CommitAction : std::uint8_t {
  kDurable,    // the LSN is durable: return to the caller
  kFailed,     // the log is poisoned: return poison_status()
  kLead,       // this caller leads: call begin_sync(), run it, finish_sync()
  kWait,       // a sync is in flight that may cover it: wait for finish_sync, then ask again
  kWaitUntil,  // group window: wait until `until_us` (or a finish_sync), then ask again
};

struct CommitStep {
  CommitAction action = CommitAction::kWait;
  std::uint64_t until_us = 0;  // kWaitUntil only
};

class LogCore {
 public:
  // Recovers `dir` per options.recovery (creating it if allowed) and returns a core positioned
  // after the last recovered entry. Takes the directory lock unless options.read_only.
  [[nodiscard]] static Result<std::unique_ptr<LogCore>> open(Fs& fs, Clock& clock,
                                                             std::string dir,
                                                             const Options& options);
  // Destroying a core that was not close()d is a process crash as far as the log is concerned:
  // buffered entries are dropped, nothing is synced, handles and the lock are released.
  ~LogCore();
  LogCore(const LogCore&) = delete;
  LogCore& operator=(const LogCore&) = delete;

  const RecoveryReport& recovery_report() const;
  const Options& options() const;

  // Encodes entries into the write buffer (and, when it is full or a segment rotates, hands
  // them to the Fs). No heap allocation. Not durable on return: durability is the runtime's
  // job through commit_step()/begin_sync().
  [[nodiscard]] Result<Lsn> append(std::span<const std::byte> payload);
  [[nodiscard]] Result<LsnRange> append_batch(std::span<const std::span<const std::byte>> entries);
  [[nodiscard]] Result<Lsn> append_checkpoint(std::span<const std::byte> payload);

  // Group commit decision for a caller that needs `lsn` durable (policy kGrouped/kImmediate,
  // checkpoint(), wait_durable()). Pure: changes nothing.
  CommitStep commit_step(Lsn lsn, std::uint64_t now_us) const;

  // kPeriodic: whether the background syncer should sync now, and when it should next look.
  bool sync_due(std::uint64_t now_us) const;
  std::uint64_t next_sync_due_us() const;  // max() when nothing waits

  [[nodiscard]] Result<SyncTicket> begin_sync();
  [[nodiscard]] static Status run_sync(const SyncTicket& ticket);
  void finish_sync(const SyncTicket& ticket, const Status& status);
  bool sync_in_flight() const;
  // A rotation's new segment is not published yet (Options::background_rotation): the next
  // sync ticket publishes it. wal::Log's preparer runs one as soon as it can.
  bool publication_pending() const;

  bool spare_wanted() const;  // writable, not poisoned, no spare and no preparation running
  [[nodiscard]] PrepareTicket begin_prepare();
  static void run_prepare(PrepareTicket& ticket);
  void finish_prepare(PrepareTicket ticket);
  bool prepare_in_flight() const;
  bool has_spare() const;

  // Hands the write buffer to the OS (survives a process crash, not a power loss).
  [[nodiscard]] Status flush();

  // Drops whole segments whose every entry is below `lsn`, crash-safely; never one that the
  // last durable checkpoint needs.
  [[nodiscard]] Status truncate_front(Lsn lsn);

  // Readers see entries up to durable_lsn() (of this core, read at each next()).
  [[nodiscard]] Result<std::unique_ptr<Reader>> reader(Lsn from_lsn);
  [[nodiscard]] Result<std::unique_ptr<Reader>> reader_from_checkpoint();

  Lsn durable_lsn() const;     // every entry <= this survives a power loss
  Lsn last_lsn() const;        // last LSN handed out
  Lsn first_lsn() const;       // oldest entry still in the log (kNoLsn when empty)
  Lsn checkpoint_lsn() const;  // last checkpoint appended (kNoLsn if none)
  bool poisoned() const;
  // kPoisoned, carrying the text of the failure that poisoned the core: what every call made
  // after the failure gets.
  const Status& poison_status() const;
  // The failure itself (kIoError, kNoSpace, ...): what the waiters of the failed sync, and the
  // append whose write failed, get (CommitAction::kFailed).
  const Status& poison_cause() const;
  Metrics& metrics();

  // Flushes, trims the preallocated tail of the active segment and syncs it, closes every file
  // and the lock. Under kNone nothing is synced: close only flushes, and trims (unsynced) only
  // when every entry is durable already (the caller synced). No call but the destructor is
  // allowed after close().
  [[nodiscard]] Status close();

 private:
  struct Impl;
  explicit LogCore(std::unique_ptr<Impl> impl);
  [[nodiscard]] static Status publish(const SyncTicket& ticket);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wal
