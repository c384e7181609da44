// What the log tells an observer as it happens, for the things a caller cannot see from the
// return of its own call: which LSNs an append was given before it waits for durability (a
// replicator ships entries before they are synced, as etcd's raft does), when a sync ticket
// starts and ends, and every advance of durable_lsn() (a sync, a rotation finishing a segment,
// a close). The simulator's oracle is built on it: it learns the LSN of an entry whose append
// never returned because the power went out.
//
// Every call comes from inside the log, under its lock, on the thread doing the work (an
// appender, the periodic syncer, a closer): keep it short and never call back into the log.
#pragma once

#include <wal/status.h>
#include <wal/types.h>

namespace wal {

class Listener {
 public:
  virtual ~Listener() = default;
  // An append, batch or checkpoint was given `lsns` (one entry of `type` each; a batch's
  // entries are kBatch). Its records are in the write buffer or with the OS, not durable.
  virtual void on_assigned(LsnRange lsns, EntryType type) {
    static_cast<void>(lsns);
    static_cast<void>(type);
  }
  // A sync ticket took everything up to `target`; its write and fdatasync come next.
  virtual void on_sync_begin(Lsn target) { static_cast<void>(target); }
  // That ticket ended: `status` is its write's and fdatasync's outcome.
  virtual void on_sync_end(Lsn target, const Status& status) {
    static_cast<void>(target);
    static_cast<void>(status);
  }
  // durable_lsn() is now `lsn`: every entry up to it survives a power loss. Also said once by
  // an open that recovered entries (they are durable from there on).
  virtual void on_durable(Lsn lsn) { static_cast<void>(lsn); }
  // The log failed for good (fail-stop, SPEC 2.6): from here every call fails until reopen.
  // Called once, by the thread that found the failure, when it hands it to the log.
  virtual void on_poisoned(const Status& cause) { static_cast<void>(cause); }
};

}  // namespace wal
