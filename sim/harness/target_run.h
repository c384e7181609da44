// A registered harness::Target (target.h) in the one run loop (run_loop.h). Every call into the
// target is made on a simulated thread: its ops on the writers' threads, one at a time under the
// application's lock; its opens, checks and closes at rest on a main thread of their own, so a
// store on wal::Log keeps its syncer and preparer running on the scheduler throughout. The
// target judges itself: check() compares what it recovered with what it acknowledged.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sim/harness/run_loop.h"
#include "sim/harness/target.h"

namespace harness {

class TargetRun final : public RunLoop {
 public:
  TargetRun(const RunConfig& config, const TargetInfo& info, std::uint64_t seed,
            sim::Trace& trace);
  ~TargetRun() override;

  // A target cannot be copied or rolled back: the same run again, up to this crash point,
  // whose power loss leaves `state`; a problem there (a failed recovery) fails the state.
  CheckResult check_crash_state(const sim::SimFsState& state, std::uint64_t hash) override;

 private:
  bool open_live(Activity how) override;
  void do_op(const Op& op) override;
  void close_live() override;
  void drop_live() override;
  void recover_and_check(std::uint32_t count) override;
  void close_and_reopen_clean() override;
  void count_faults() override;

  // Opens the store on `fs`, on the calling simulated thread; an open that an injected fault
  // failed is tried again, `attempts` in all, as an application would.
  bool open_store(wal::Fs& fs, int attempts);
  // The target's calls at rest, on a main thread of their own over `fs` with device latencies.
  void at_rest(wal::Fs& fs, const std::function<void(wal::Fs&)>& body);
  // One of the first recoveries of crash.count > 1: it loses power after a seeded number of Fs
  // operations (of those an uninterrupted one makes).
  void recover_with_power_cut();
  void check_and_reopen(bool power_lost, wal::Fs& fs);
  void open_failed(std::string_view when);
  void give_up(const wal::Status& status);
  void reopen(const Op& op);
  void judge(std::vector<Violation> violations);
  bool faults_fired() const { return trace_.injected_fault_count() != 0; }
  bool media_damage() const;
  std::uint64_t begin(CallKind kind, const Op& op);
  void end(std::uint64_t call, const wal::Status& status);

  const TargetInfo& info_;
  std::unique_ptr<Target> target_;
  std::unique_ptr<wal::Runtime::Mutex> app_mutex_;  // a store is one application thread
  wal::Status open_error_;
  std::uint64_t next_call_ = 0;
};

}  // namespace harness
