// One simulated run of the WAL target (runner.h says what a run does): the production wal::Log,
// unchanged, on deterministic threads. Its appending callers are the workload's writer threads,
// its periodic syncer and spare preparer are its own, and all of them run on a
// sim::ThreadScheduler that switches at every lock, wait, notify and Fs call, with device
// latencies on virtual time. The oracle learns what the Log does through wal::Listener (the
// LSNs a call was given before it waits, sync tickets, every advance of durable_lsn), so an
// entry whose append never returned is still known by its LSN.
//
// The crash is a power cut in the Fs stack (HaltingFs): from that instant nothing reaches the
// disk and no call that returns counts as returned; the threads run on against refusing I/O
// until they end (the Log poisons and fails its waiters, the writers stop at their next op),
// then the disk loses what the power loss policy says. Recovery and its checks run on the
// harness's own thread through LogCore::open (what Log::open runs, minus its threads).
//
// Split over wal_run.cc (the phases: crash points, power loss, recovery, judging) and
// wal_run_ops.cc (the threads: writers, ops, the listener).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <wal/listener.h>
#include <wal/log.h>
#include <wal/log_core.h>

#include "sim/harness/coverage_matrix.h"
#include "sim/harness/crash_aim.h"
#include "sim/harness/crash_site.h"
#include "sim/harness/fault_stack.h"
#include "sim/harness/halting_fs.h"
#include "sim/harness/oracle.h"
#include "sim/harness/recovery_memo.h"
#include "sim/harness/runner.h"
#include "sim/harness/workload.h"
#include "sim/sim_fs.h"
#include "sim/sim_runtime.h"
#include "sim/thread_scheduler.h"
#include "sim/yielding_fs.h"

namespace harness {

// The runner reads fault events back from the trace (drain_faults); without any fault source
// only the hash is needed, and keeping no events saves an allocation per Fs call.
bool may_inject(const RunConfig& config);

class Run final : private wal::Listener {
 public:
  Run(const RunConfig& config, std::uint64_t seed, sim::Trace& trace);
  ~Run() override;

  // Exploration: instead of one seeded power loss, every distinct post-crash state of the
  // crash point, each recovered and checked (explore.h).
  void set_explorer(std::function<void(Run&)> explorer, RecoveryMemo* memo) {
    explorer_ = std::move(explorer);
    memo_ = memo;
  }
  // For the explorer: the state at the crash point, and one recovery + check of a state.
  const sim::SimFsState& crash_state() const { return fs_.state(); }
  // `hash`: sim::durable_hash(state), which the enumerator already has.
  CheckResult check_crash_state(const sim::SimFsState& state, std::uint64_t hash);
  bool reached_crash() const { return crash_reached_; }

  // crash.at = "inside-op" (crash_aim.h): this run only opens the log and runs the workload,
  // writing down which Fs operations each op made and which were durability barriers.
  // REQUIRES: crash.at = fs-op with an unlimited budget (nothing halts).
  void set_survey(OpSurvey* survey) {
    WAL_ASSERT(survey != nullptr);
    survey_ = survey;
    halting_->record_barriers(&survey->barriers);
  }

  RunResult execute();

 private:
  // What one simulated thread is doing, for the oracle (the call whose LSNs the listener
  // hears) and the coverage matrix (the activity a power cut lands in).
  struct ThreadCtx {
    Activity activity = Activity::kOpen;
    bool ticket = false;  // inside a sync ticket this thread leads
    std::uint64_t call = kNoCall;
    const Op* op = nullptr;
    const std::vector<std::vector<std::byte>>* payloads = nullptr;
  };
  static constexpr std::uint64_t kNoCall = ~std::uint64_t{0};
  static constexpr std::uint64_t kNeverOp = std::numeric_limits<std::uint64_t>::max();

  Workload make_workload_or_script(std::uint64_t seed) const;
  void choose_crash_point();
  bool crash_configured() const { return crash_at_.kind != CrashAt::Kind::kNone; }
  void trigger_stop(std::string why);
  // The power goes out here (idempotent: the first crash wins).
  void crash_here(CrashAt where, CrashSite site);
  CrashAt crash_point_reached() const;
  void reached(const CrashSite& site) {
    ++result_.coverage[crash_cell(site, config_.crash.power_loss.policy)];
  }

  // The run's phases (wal_run.cc).
  // Opens the log (`how`: kOpen for a new log, kRecovery for a later epoch) and runs the
  // writers' remaining ops on the scheduler; false when the log did not open.
  bool run_workload(Activity how);
  bool next_epoch();
  void power_loss();
  void apply_media_faults();
  void recover_and_check(std::uint32_t count);
  RecoveredImage recover_close_recover(bool memoize);
  void replay_calls(const RecoveredImage& image);
  void close_and_reopen_clean();
  // `from_checkpoint`: also read through reader_from_checkpoint() (a repeat, only compared for
  // idempotence, skips it).
  Recovery recover(wal::Fs& fs, std::unique_ptr<wal::LogCore>* keep, bool from_checkpoint = true);
  // The same through wal::Log::open on the simulated threads (a workload reopen).
  Recovery recover_log(std::shared_ptr<wal::Log>* keep);
  Recovery counted(const std::function<void(Recovery&)>& open_and_read);
  void judge(const CheckInput& input);

  // The threads (wal_run_ops.cc).
  void main_thread(Activity how, bool* opened);
  void writer(std::uint32_t index);
  void power_thread();
  void do_op(const Op& op);
  void op_append(const Op& op);
  void op_checkpoint(const Op& op);
  void op_sync(const Op& op);
  void op_read(const Op& op);
  void op_truncate(const Op& op);
  void op_reopen(const Op& op);
  ThreadCtx& ctx();
  wal::Options live_options();

  // wal::Listener: the Log's own account, on the thread doing the work.
  void on_assigned(wal::LsnRange lsns, wal::EntryType type) override;
  void on_sync_begin(wal::Lsn target) override;
  void on_sync_end(wal::Lsn target, const wal::Status& status) override;
  void on_durable(wal::Lsn lsn) override;
  void on_poisoned(const wal::Status& cause) override;

  // The Fs of the live log: device latencies and scheduling points over the power switch.
  wal::Fs& live_fs() { return *yielding_; }
  // The Fs of recoveries on the harness thread: the fault stack.
  wal::Fs& rest_fs() { return faults_->top(); }
  // The power went out (the crash point, or a stop).
  bool halted() const { return halting_->halted(); }
  std::uint64_t step() const { return threads_.steps(); }
  // Where in `log`'s durable entries `ppm` millionths of the way falls (kNoLsn: none).
  wal::Lsn position(wal::Log& log, std::uint32_t ppm);
  // Oracle bookkeeping; faults recorded in the trace are pulled in first so their order
  // relative to calls is exact. A call that returns after the power cut returns to nobody:
  // end() then leaves it in flight.
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
  void observe_durable();
  // The same for the recoveries on the harness thread, after the power cut.
  std::uint64_t begin_at_rest(CallKind kind);
  void end_at_rest(std::uint64_t call, const wal::Status& status);
  void note(std::string_view what, std::uint64_t a = 0, std::uint64_t b = 0);

  const RunConfig& config_;
  std::uint64_t seed_;
  sim::Trace& trace_;
  sim::Prng prng_;
  sim::ThreadScheduler threads_;
  sim::SimRuntime runtime_;  // also the run's wal::Clock
  sim::SimFs fs_;
  sim::Prng latency_prng_;
  sim::Prng crash_prng_;
  Workload workload_;
  sim::Prng fault_prng_;
  sim::Prng crash_point_prng_{0};
  sim::Prng epoch_prng_{0};
  std::unique_ptr<wal::Fs> decorated_;
  std::unique_ptr<FaultStack> faults_;
  std::unique_ptr<HaltingFs> halting_;        // the power switch of the live log
  std::unique_ptr<sim::YieldingFs> yielding_;  // over halting_
  CrashAt crash_at_;
  std::function<void(Run&)> explorer_;
  RecoveryMemo* memo_ = nullptr;
  OpSurvey* survey_ = nullptr;
  std::optional<std::uint64_t> crash_state_hash_;  // of fs_.state(), while check_crash_state runs
  wal::Options options_;
  Oracle oracle_;
  std::shared_ptr<wal::Log> log_;  // the live log (null while none is open)
  std::unique_ptr<wal::Runtime::Mutex> reopen_mutex_;
  std::map<int, ThreadCtx> threads_ctx_;
  RunResult result_;

  std::uint64_t crash_op_ = kNeverOp;
  std::vector<std::size_t> next_op_;  // per writer: its next op (later epochs resume there)
  std::uint32_t epoch_ = 1;           // crash epochs so far (crash.epochs)
  bool rebased_ = false;              // the last recovery opened, passed and became the history
  std::optional<sim::SimFsState> resume_from_;  // the image the next epoch opens
  bool crash_reached_ = false;       // the configured crash point happened (not end of run)
  CrashAt crashed_at_;               // where, in explicit form
  CrashSites sites_;                 // what the workload last followed, for the coverage matrix
  CrashSite crashed_site_;           // where the crash point landed, in the matrix's terms
  std::uint64_t ops_at_last_crash_ = 0;
  std::vector<std::uint64_t> recovery_crashes_;
  std::uint64_t crash_sync_ = kNeverOp;
  bool crash_after_sync_ = false;
  bool stop_requested_ = false;
  bool workload_done_ = false;        // the power thread's cue to leave without a cut
  std::string stop_reason_;
  std::size_t faults_seen_ = 0;
  std::uint64_t noted_us_ = 0;  // the virtual time the trace last said
  std::map<int, std::vector<PendingFault>> deferred_;
  wal::Lsn durable_seen_ = wal::kNoLsn;
  std::vector<Violation> live_violations_;
};

}  // namespace harness
