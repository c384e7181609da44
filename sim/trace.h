// The simulation trace: every fs operation, injected fault, crash decision and harness note of a
// run, in order, with a stable 64-bit hash. The hash is over a canonical encoding of the event
// fields (integers as values, strings as length + bytes; never pointers, never unordered
// iteration), folded in as events arrive, so it costs O(1) per event and is the same on every
// machine and every run of the same seed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <wal/status.h>

namespace sim {

enum class EventKind : std::uint8_t {
  kFsOp,   // a call on an Fs or File: op, path, offset, length, outcome
  kFault,  // an injected fault (always tagged injected): name is its kind (SPEC 3.4)
  kCrash,  // a power loss and what survived it
  kNote,   // anything else the harness wants in the record (scheduling choices, WAL calls)
};

enum class FsOp : std::uint8_t {
  kNone,
  kOpen,
  kRead,
  kWrite,
  kSyncData,
  kSync,
  kTruncate,
  kAllocate,
  kSize,
  kClose,
  kRename,
  kUnlink,
  kList,
  kMkdir,
  kSyncDir,
  kStat,
  kLock,
  // SimFs calls beyond wal::Fs (replaying a recorded program, crashes/replay.h).
  kLink,
  kRmdir,
  kSyncAll,
};

std::string_view to_string(EventKind kind);
std::string_view to_string(FsOp op);

struct Event {
  std::uint64_t seq = 0;  // position in the trace, from 0
  EventKind kind = EventKind::kNote;
  FsOp op = FsOp::kNone;
  wal::Code outcome = wal::Code::kOk;
  bool injected = false;
  std::string name;    // fault kind, crash policy or note label
  std::string path;    // file or directory ("a -> b" for a rename)
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string detail;  // free text, part of the hash
  // The simulated thread that caused it (sim::ThreadScheduler::current_thread(); -1: none).
  // Not part of the hash: the schedule is hashed by the scheduler.
  int thread = -1;
};

class Trace {
 public:
  // keep_events = false keeps only the hash, the count and the fault tallies (for sweeps that
  // need no timeline).
  explicit Trace(bool keep_events = true) : keep_events_(keep_events) {}

  void fs_op(FsOp op, std::string_view path, std::uint64_t offset, std::uint64_t length,
             wal::Code outcome);
  // An injected fault of kind `fault_kind` ("fsync_eio", "write_short", ...) on `op`.
  void fault(std::string_view fault_kind, FsOp op, std::string_view path, std::uint64_t offset,
             std::uint64_t length, std::string_view detail = {});
  void crash(std::string_view policy, std::string_view path, std::string_view detail);
  void note(std::string_view label, std::string_view subject, std::uint64_t a = 0,
            std::uint64_t b = 0, std::string_view detail = {});
  void record(Event event);

  std::uint64_t hash() const { return hash_; }
  std::uint64_t size() const { return count_; }
  const std::vector<Event>& events() const { return events_; }
  // Injected faults per kind, in name order.
  const std::map<std::string, std::uint64_t>& injected_faults() const { return injected_; }
  std::uint64_t injected_fault_count() const;

  // One line per event, e.g. "#12 write seg/0001.wal @4096+512 -> Ok".
  static std::string format(const Event& event);
  std::string dump() const;

 private:
  // An event's fields as views: hashed and counted as they are, copied into an Event only when
  // the events are kept (most runs keep only the hash, and every Fs call makes an event).
  struct Fields {
    EventKind kind = EventKind::kNote;
    FsOp op = FsOp::kNone;
    wal::Code outcome = wal::Code::kOk;
    bool injected = false;
    std::string_view name;
    std::string_view path;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::string_view detail;
  };
  void add(const Fields& fields);

  bool keep_events_;
  std::uint64_t count_ = 0;
  std::uint64_t hash_ = 0x5157'4c5f'5452'4143ull;  // "QWL_TRAC": any fixed start
  std::vector<Event> events_;
  std::map<std::string, std::uint64_t> injected_;
};

}  // namespace sim
