// The one run loop (runner.h says what a run does), for every system under test: the WAL's own
// target (wal_run.h) and every registered harness::Target (target_run.h) are the same loop with
// a different store in it.
//
// What the loop owns: the streams drawn from the seed (always in the same order), the
// deterministic thread scheduler on virtual time and the runtime the store's threads run on,
// the simulated disk under the fault stack, the power switch (HaltingFs) with the scheduling
// layer over it (YieldingFs), the crash point and its kinds, the workload's writer threads and
// the power thread of a time crash, the power loss, the crash epochs, the coverage cells and the
// verdict. What a system adds: how it opens on the live disk, what a workload op calls, how it
// closes or is dropped, and how a crash image is recovered and judged.
//
// The crash is a power cut in the Fs stack: from that instant nothing reaches the disk and no
// call that returns counts as returned; the threads run on against refusing I/O until they end,
// then the disk loses what the power loss policy says.
//
// Persistence-point crashes (before-sync:K, after-sync:K) come from wal::Listener: a store on
// wal::Log or wal::LogCore that passes on the Options it is given reports its sync tickets, and
// the loop cuts the power around the Kth.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <wal/listener.h>
#include <wal/options.h>
#include <wal/runtime.h>

#include "sim/harness/coverage_matrix.h"
#include "sim/harness/crash_aim.h"
#include "sim/harness/crash_site.h"
#include "sim/harness/fault_stack.h"
#include "sim/harness/halting_fs.h"
#include "sim/harness/runner.h"
#include "sim/harness/workload.h"
#include "sim/sim_fs.h"
#include "sim/sim_runtime.h"
#include "sim/thread_scheduler.h"
#include "sim/yielding_fs.h"

namespace harness {

// The runner reads fault events back from the trace; without any fault source only the hash is
// needed, and keeping no events saves an allocation per Fs call.
bool may_inject(const RunConfig& config);

class RunLoop : protected wal::Listener {
 public:
  RunLoop(const RunConfig& config, std::uint64_t seed, sim::Trace& trace);
  ~RunLoop() override = default;
  RunLoop(const RunLoop&) = delete;
  RunLoop& operator=(const RunLoop&) = delete;

  // survey_ops (runner.h): this run only opens the store and runs the workload, writing down
  // which Fs operations each op made and what each operation was.
  // REQUIRES: crash.at = fs-op with an unlimited budget (nothing halts).
  void set_survey(OpSurvey* survey) {
    WAL_ASSERT(survey != nullptr);
    survey_ = survey;
    halting_->record_calls(&survey->calls, &survey->files);
  }
  bool reached_crash() const { return crash_reached_; }

  // Exploration (explore.h): instead of one seeded power loss, `explorer` gets the run at its
  // crash point to enumerate every post-crash state and check each with check_crash_state.
  void set_explorer(std::function<void(RunLoop&)> explorer) { explorer_ = std::move(explorer); }
  // The disk at the crash point, before the power loss decides what survives.
  const sim::SimFsState& crash_state() const { return fs_.state(); }
  // One recovery and check of `state` as the crash image (`hash`: sim::durable_hash(state),
  // which the enumerator already has).
  virtual CheckResult check_crash_state(const sim::SimFsState& state, std::uint64_t hash) = 0;
  // The power loss leaves exactly `state` instead of drawing what survives (a registered
  // target's check of one explored state: the same run again, up to this crash point). Once:
  // a later epoch's power loss is its own. (RunConfig::power_loss_hook does the same from
  // outside a run, for the diagnosis.)
  void force_crash_state(sim::SimFsState state) { forced_state_ = std::move(state); }

  RunResult execute();

 protected:
  // What one simulated thread is doing: the activity a power cut lands in (coverage matrix),
  // and for the WAL's oracle the call whose LSNs the listener hears.
  struct ThreadCtx {
    Activity activity = Activity::kOpen;
    bool ticket = false;  // inside a sync ticket this thread leads
    std::uint64_t call = ~std::uint64_t{0};
    const Op* op = nullptr;
    const std::vector<std::vector<std::byte>>* payloads = nullptr;
  };
  static constexpr std::uint64_t kNoCall = ~std::uint64_t{0};
  static constexpr std::uint64_t kNeverOp = std::numeric_limits<std::uint64_t>::max();

  // ---- What a system under test supplies.
  // On the main simulated thread: opens (recovers) the store on live_fs(). `how`: kOpen for a
  // new store, kRecovery for a later epoch's open of a checked image. False when it did not
  // open; a failure that no fault explains is recorded as a problem here.
  virtual bool open_live(Activity how) = 0;
  // On a writer thread: one workload op.
  virtual void do_op(const Op& op) = 0;
  // On the main thread, after the writers, without a crash point: the clean close.
  virtual void close_live() = 0;
  // On the main thread, last: the live store goes away (after a cut its close reaches nothing).
  virtual void drop_live() = 0;
  // On the harness's thread, after a power loss: recover the image `count` times (the first
  // count - 1 losing power themselves) and judge it; sets rebased_ when the checks passed and
  // resume_from_ when another epoch may follow.
  virtual void recover_and_check(std::uint32_t count) = 0;
  // Without a crash point: reopen what close_live() left and judge it.
  virtual void close_and_reopen_clean() = 0;
  // The loop's events reach the system's bookkeeping in order.
  virtual void before_power_loss() {}
  virtual void before_finish() {}
  virtual void count_faults() = 0;  // result_.faults_injected
  virtual void threads_ended() {}  // every simulated thread of a run_threads() ended
  // wal::Listener's sync ticket events (`begin` or end), before the loop looks at them; and a
  // ticket the loop counted as started.
  virtual void sync_event(bool begin) { static_cast<void>(begin); }
  virtual void sync_started(wal::Lsn target) { static_cast<void>(target); }

  // ---- The loop's services.
  // After a hang the scheduler's parked threads still use what the store holds: it must never
  // be destroyed from the harness's thread. Kept, like the threads (thread_scheduler.h).
  static void keep_forever(std::shared_ptr<void> held);
  ThreadCtx& ctx();
  // Runs `body` as the main simulated thread until every thread ended; false (and a problem
  // that says what each thread was waiting for) on a deadlock, the step limit or a stall.
  bool run_threads(const std::function<void()>& body);
  // A problem for the calls the scheduler refused from OS threads it does not run
  // (ThreadScheduler::owns_caller): the run could not stay deterministic.
  void report_foreign_calls();
  bool crash_configured() const { return crash_at_.kind != CrashAt::Kind::kNone; }
  // The power goes out here (idempotent: the first crash wins).
  void crash_here(CrashAt where, CrashSite site);
  void trigger_stop(std::string why);
  void reached(const CrashSite& site) {
    ++result_.coverage[crash_cell(site, config_.crash.power_loss.policy, config_.target)];
  }
  // The site of the fs-op cut, on the thread whose call it refused.
  CrashSite site_of_this_cut();
  void apply_media_faults();
  // crash.count > 1: the budget of Fs operations the next interrupted recovery gets before its
  // power goes out, of the `operations` an uninterrupted one made (a script's, if it says).
  std::uint64_t recovery_crash_budget(std::uint64_t operations);
  // The power went out in a recovery (`halting` its switch): coverage, the loss, media damage.
  void recovery_lost_power(const HaltingFs& halting);
  // The Fs of the live store: device latencies and scheduling points over the power switch.
  wal::Fs& live_fs() { return *yielding_; }
  // The Fs of recoveries at rest: the fault stack.
  wal::Fs& rest_fs() { return faults_->top(); }
  bool halted() const { return halting_->halted(); }
  // The one step numbering of a run: the seq of the trace's latest event (sim::Event::seq). The
  // failure text, the report's timeline and `walsim replay --trace` all say steps in it, so a
  // call's step is the seq of its own note (callers note first, then ask).
  std::uint64_t step() const { return trace_.size() == 0 ? 0 : trace_.size() - 1; }
  void note(std::string_view what, std::uint64_t a = 0, std::uint64_t b = 0);
  void note_time();  // a "schedule" note when virtual time moved since the last one

  // wal::Listener: persistence points. A system that listens to more overrides the rest.
  void on_sync_begin(wal::Lsn target) override;
  void on_sync_end(wal::Lsn target, const wal::Status& status) override;

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
  std::unique_ptr<HaltingFs> halting_;        // the power switch of the live store
  std::unique_ptr<sim::YieldingFs> yielding_;  // over halting_
  CrashAt crash_at_;
  OpSurvey* survey_ = nullptr;
  wal::Options options_;  // the scenario's [wal], fs/clock/runtime/listener unset
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
  bool gave_up_ = false;          // the store failed at rest and the application restarted
  bool workload_done_ = false;    // the power thread's cue to leave without a cut
  std::string stop_reason_;       // "crash" and "gave-up" are not problems
  std::uint64_t noted_us_ = 0;    // the virtual time the trace last said
  std::map<int, ThreadCtx> threads_ctx_;
  std::vector<Violation> live_violations_;
  std::function<void(RunLoop&)> explorer_;
  std::optional<sim::SimFsState> forced_state_;

 private:
  Workload make_workload_or_script(std::uint64_t seed) const;
  void choose_crash_point();
  CrashAt crash_point_reached() const;
  bool run_workload(Activity how);
  void main_thread(Activity how, bool* opened);
  void writer(std::uint32_t index);
  void power_thread();
  bool next_epoch();
  void power_loss();
};

}  // namespace harness
