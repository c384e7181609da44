// The WAL target in the one run loop (run_loop.h): the production wal::Log, unchanged, on
// deterministic threads. Its appending callers are the workload's writer threads,
// its periodic syncer and spare preparer are its own, and all of them run on a
// sim::ThreadScheduler that switches at every lock, wait, notify and Fs call, with device
// latencies on virtual time. The oracle learns what the Log does through wal::Listener (the
// LSNs a call was given before it waits, sync tickets, every advance of durable_lsn), so an
// entry whose append never returned is still known by its LSN.
//
// After the power cut the Log poisons and fails its waiters and the writers stop at their next
// op. Recovery and its checks run on the harness's own thread through LogCore::open (what
// Log::open runs, minus its threads), judged by the oracle and the ten invariants.
//
// Split over wal_run.cc (the oracle's bookkeeping), wal_run_ops.cc (the ops and the listener)
// and wal_run_recovery.cc (recovery, its checks, exploration).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <wal/log.h>
#include <wal/log_core.h>

#include "sim/harness/oracle.h"
#include "sim/harness/recovery_memo.h"
#include "sim/harness/run_loop.h"
#include "sim/hash_mix.h"

namespace harness {

class WalRun final : public RunLoop {
 public:
  WalRun(const RunConfig& config, std::uint64_t seed, sim::Trace& trace);
  ~WalRun() override;

  // Exploration: each distinct crash image is recovered once (recovery_memo.h).
  void set_memo(RecoveryMemo* memo) { memo_ = memo; }
  // Recovers and checks `state` in place (the oracle is restored after): no second run.
  CheckResult check_crash_state(const sim::SimFsState& state, std::uint64_t hash) override;

 private:
  // The loop's hooks (run_loop.h).
  bool open_live(Activity how) override;
  void do_op(const Op& op) override;
  void close_live() override;
  void drop_live() override {
    tails_.clear();  // readers of the log go before it
    log_.reset();
  }
  void recover_and_check(std::uint32_t count) override;
  void close_and_reopen_clean() override;
  void before_power_loss() override;
  void before_finish() override { drain_faults(); }
  void count_faults() override;
  void threads_ended() override { release_deferred(-1); }
  void sync_event(bool begin) override;
  void sync_started(wal::Lsn target) override;

  // Recovery (wal_run_recovery.cc).
  RecoveredImage recover_close_recover(bool memoize);
  void replay_calls(const RecoveredImage& image);
  // `from_checkpoint`: also read through reader_from_checkpoint() (a repeat, only compared for
  // idempotence, skips it).
  Recovery recover(wal::Fs& fs, std::unique_ptr<wal::LogCore>* keep, bool from_checkpoint = true);
  // The same through wal::Log::open on the simulated threads (a workload reopen).
  Recovery recover_log(std::shared_ptr<wal::Log>* keep);
  Recovery counted(const std::function<void(Recovery&)>& open_and_read);
  void judge(const CheckInput& input);
  CheckInput check_input(const Recovery& recovery, std::optional<std::uint64_t> open_handles);

  // The ops (wal_run_ops.cc).
  void op_append(const Op& op);
  void op_checkpoint(const Op& op);
  void op_sync(const Op& op);
  void op_read(const Op& op);
  // `truncations`: truncations_ when the read op began (kUncounted: one was in flight).
  void read_from_checkpoint(wal::Log& log, const Op& op, std::uint64_t truncations);
  // Whether the live log only grew since `truncations` was taken: no fault in the run, no
  // retention, no truncate_front begun since (nor in flight then).
  bool only_grew_since(std::uint64_t truncations);
  // A violation when a live read failed with nothing to explain it.
  void read_failed(wal::Lsn from, const wal::Status& error, std::uint64_t truncations);
  void tail_read(wal::Log& log, const Op& op, wal::Lsn from);
  // False (and a violation) when a live read returned an entry the history does not hold.
  bool live_entry_matches(wal::Lsn from, const RecoveredEntry& found);
  void op_truncate(const Op& op);
  void op_reopen(const Op& op);
  wal::Options live_options();
  // The options of the next open: each with a salt of its own (odd, as the run's), as an
  // application's opens pick one each; a log that exists must keep the one in its headers.
  wal::Options opening_options() {
    wal::Options options = options_;
    options.salt = sim::mix64(options_.salt + ++opens_) | 1;
    return options;
  }

  // wal::Listener: the Log's own account, on the thread doing the work.
  void on_assigned(wal::LsnRange lsns, wal::EntryType type) override;
  void on_durable(wal::Lsn lsn) override;
  void on_poisoned(const wal::Status& cause) override;

  // Where in `log`'s durable entries `ppm` millionths of the way falls (kNoLsn: none).
  wal::Lsn position(wal::Log& log, std::uint32_t ppm);
  // Oracle bookkeeping (wal_run.cc); faults recorded in the trace are pulled in first so their
  // order relative to calls is exact. A call that returns after the power cut returns to
  // nobody: end() then leaves it in flight.
  void drain_faults();
  // A failure the WAL meets outside its lock (a sync ticket's write or fdatasync, the spare
  // preparer) reaches the rest of the log when that thread hands it over (finish_sync poisons
  // the core); calls that other threads complete in between are concurrent with it, not after
  // it. Such poisoning faults wait here for that moment.
  struct PendingFault {
    FaultKind kind;
    std::string where;
    std::optional<wal::LsnRange> hit;
    std::string path;
    std::uint64_t offset = 0;
  };
  bool outside_lock(int thread) const;
  void feed(const PendingFault& fault);
  void release_deferred(int thread);  // -1: every thread's
  std::uint64_t begin(CallKind kind, const Op& op, wal::LsnRange lsns = {});
  // `durable`: an OK return promises the call's entries durable (Oracle::acknowledge_durable).
  void end(std::uint64_t call, const wal::Status& status, bool durable = false);
  // A call other than a read or an open that failed on a log no fault has touched, for any
  // reason but a close by another writer's reopen, fails error-honesty.
  void failure_needs_a_cause(const Call& call, const wal::Status& status);
  void observe_durable();
  // The same for the recoveries on the harness thread, after the power cut.
  std::uint64_t begin_at_rest(CallKind kind);
  void end_at_rest(std::uint64_t call, const wal::Status& status);

  RecoveryMemo* memo_ = nullptr;
  std::optional<std::uint64_t> crash_state_hash_;  // of fs_.state(), while check_crash_state runs
  Oracle oracle_;
  std::shared_ptr<wal::Log> log_;  // the live log (null while none is open)
  std::unique_ptr<wal::Runtime::Mutex> reopen_mutex_;
  std::size_t faults_seen_ = 0;
  std::map<int, std::vector<PendingFault>> deferred_;
  wal::Lsn durable_seen_ = wal::kNoLsn;
  // A reader each writer keeps from one of its reads to the next, to tail the log
  // (wal/reader.h: next() at the end returns nothing now, and later what became durable
  // since). Dropped before any close of the log, as an application would.
  struct Tail {
    std::unique_ptr<wal::Reader> reader;
    wal::Lsn last = wal::kNoLsn;        // the last LSN it returned
    std::uint64_t truncations = 0;      // truncate_front calls when it began
  };
  std::map<std::uint32_t, Tail> tails_;
  std::uint64_t opens_ = 0;  // opens so far (each draws its salt from the count)
  // truncate_front calls begun so far, and in flight: a reader may miss what they cut.
  std::uint64_t truncations_ = 0;
  std::uint32_t truncating_ = 0;
  static constexpr std::uint64_t kUncounted = ~std::uint64_t{0};  // a tail begun beside one
};

}  // namespace harness
