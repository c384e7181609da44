#include "crashes/crashes.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "crashes/materialize.h"

namespace crashes {
namespace {

// One crash state waiting for its checker.
struct Pending {
  CrashState state;
  sim::SimFsState after;
  std::vector<PendingItem> items;
  std::vector<sim::OpFate> fates;
  std::string output;  // acknowledged at its point
  CheckerRun run;
};

constexpr std::size_t kBatch = 64;

sim::DeviceModel device_of(const CrashesOptions& options) {
  sim::DeviceModel device;
  device.sector_bytes = options.sector_bytes;
  return device;
}

std::string write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return out ? std::string() : fmt::format("cannot write {}", path);
}

// Writes `state` and `output` under slot directory `slot`, runs the checker on them.
CheckerRun check_state(const CrashesOptions& options, const std::string& slot,
                       const sim::SimFsState& state, const std::string& output) {
  const std::string dir = slot + "/dir";
  const std::string acked = slot + "/acknowledged.out";
  CheckerRun run;
  if (std::string problem = materialize(state, dir); !problem.empty()) {
    run.problem = problem;
    return run;
  }
  if (std::string problem = write_text(acked, output); !problem.empty()) {
    run.problem = problem;
    return run;
  }
  return run_checker(checker_command(options.checker, dir, acked), options.timeout_ms);
}

class Checking {
 public:
  Checking(const systrace::Trace& trace, const CrashesOptions& options, CrashesResult& result)
      : trace_(trace), options_(options), result_(result) {}

  std::string slot(std::size_t job) const {
    return fmt::format("{}/job{}", options_.work_dir, job);
  }

  // Runs the batch's checkers, `jobs` at a time, then judges the results in order.
  void flush() {
    std::atomic<std::size_t> next{0};
    const auto work = [&](std::size_t job) {
      for (std::size_t i = next++; i < batch_.size(); i = next++) {
        batch_[i].run = check_state(options_, slot(job), batch_[i].after, batch_[i].output);
      }
    };
    const std::size_t jobs = std::min<std::size_t>(options_.jobs, batch_.size());
    std::vector<std::thread> threads;
    for (std::size_t job = 1; job < jobs; ++job) threads.emplace_back(work, job);
    work(0);
    for (std::thread& thread : threads) thread.join();
    for (Pending& pending : batch_) judge(pending);
    batch_.clear();
  }

  void add(Pending pending) {
    batch_.push_back(std::move(pending));
    if (batch_.size() >= kBatch) flush();
  }

 private:
  void judge(Pending& pending) {
    ++result_.checked;
    if (!pending.run.problem.empty() && result_.problem == Problem::kNone) {
      result_.problem = Problem::kIo;
      result_.error = pending.run.problem;
    }
    if (pending.run.passed) {
      result_.passed_states.push_back(pending.state.number);
      return;
    }
    ++result_.failed;
    for (Vulnerability& known : result_.vulnerabilities) {
      if (breaks_any(known, pending)) {
        note(known, pending.state.point);
        return;
      }
    }
    FailedState first{pending.state, describe(pending.items, pending.fates), pending.run};
    Explanation found = explain_state(pending);
    if (found.assumption == Assumption::kIntermediate) {
      // Every crash point from an output that acknowledged what was not yet written up to the
      // write itself fails the same way: one vulnerability, the output's.
      found.group = acknowledging_group(pending.state.point, found.group);
    }
    for (Vulnerability& known : result_.vulnerabilities) {
      if (known.explanation.group != found.group) continue;
      const bool seen = known.explanation.key == found.key ||
                        std::any_of(known.more.begin(), known.more.end(),
                                    [&](const Explanation& e) { return e.key == found.key; });
      if (!seen) {
        known.more.push_back(std::move(found));
        known.sentence = sentence_of(known);
      }
      note(known, pending.state.point);
      return;
    }
    Vulnerability fresh;
    fresh.explanation = std::move(found);
    fresh.first = std::move(first);
    fresh.sentence = sentence_of(fresh);
    note(fresh, pending.state.point);
    result_.vulnerabilities.push_back(std::move(fresh));
  }

  // The group of the vulnerability of the latest output at or before `point`, when that output
  // was found acknowledging what was not yet written; else `own`.
  std::string acknowledging_group(std::size_t point, const std::string& own) const {
    for (std::size_t call = std::min(point, trace_.calls.size()); call >= 1; --call) {
      if (trace_.calls[call - 1].kind != systrace::CallKind::kOutput) continue;
      const std::string group = fmt::format("intermediate:{}", call);
      for (const Vulnerability& known : result_.vulnerabilities) {
        if (known.explanation.group == group) return group;
      }
      return own;
    }
    return own;
  }

  static bool breaks_any(const Vulnerability& known, const Pending& pending) {
    if (breaks(known.explanation, pending.state.point, pending.items, pending.fates)) return true;
    return std::any_of(known.more.begin(), known.more.end(), [&](const Explanation& e) {
      return breaks(e, pending.state.point, pending.items, pending.fates);
    });
  }

  std::string sentence_of(const Vulnerability& vulnerability) const {
    std::vector<const Explanation*> members{&vulnerability.explanation};
    for (const Explanation& e : vulnerability.more) members.push_back(&e);
    return group_sentence(trace_, members);
  }

  static void note(Vulnerability& vulnerability, std::size_t point) {
    ++vulnerability.states;
    auto& points = vulnerability.points;
    if (std::find(points.begin(), points.end(), point) == points.end()) {
      points.insert(std::upper_bound(points.begin(), points.end(), point), point);
    }
  }

  Explanation explain_state(const Pending& pending) {
    Replay replay(trace_, device_of(options_));
    if (std::string problem = replay_to(replay, pending.state.point); !problem.empty()) {
      Explanation broken;
      broken.sentence = problem;
      broken.key = "unexplained:" + problem;
      broken.group = broken.key;
      return broken;
    }
    const sim::SimFsState before = replay.state();
    const std::vector<PendingItem> items = pending_items(before, replay);
    const std::string output = pending.output;
    Explanation out = explain(
        trace_, pending.state.point, items, pending.fates,
        [&](const std::vector<sim::OpFate>& fates) {
          const sim::SimFsState after = sim::apply_crash(before, plan_of(before, items, fates));
          return !check_state(options_, slot(0), after, output).passed;
        },
        options_.max_probes);
    result_.probes += out.probes;
    return out;
  }

  const systrace::Trace& trace_;
  const CrashesOptions& options_;
  CrashesResult& result_;
  std::vector<Pending> batch_;
};

}  // namespace

CrashesResult check_crashes(const systrace::Trace& trace, const CrashesOptions& options) {
  CrashesResult result;
  const sim::DeviceModel device = device_of(options);
  if (std::string problem = empty_directory(options.work_dir); !problem.empty()) {
    result.problem = Problem::kIo;
    result.error = problem;
    return result;
  }
  SearchOptions search_options;
  search_options.policies = options.policies;
  search_options.max_states = options.max_states;
  search_options.seed = options.seed;
  search_options.max_plans = options.max_plans;
  search_options.output_matters = options.checker.find("{output}") != std::string::npos;

  if (options.only_state) {
    result.search = search(
        trace, device, search_options,
        [&](const CrashState& state, const sim::SimFsState& after, const Replay& replay,
            const std::vector<PendingItem>& items) {
          if (state.number != *options.only_state) return true;
          const std::string slot = fmt::format("{}/state{}", options.work_dir, state.number);
          CheckerRun run = check_state(options, slot, after, replay.output());
          result.only = FailedState{state, describe(items, fates_of(items, state.spec)), run};
          result.only_dir = slot + "/dir";
          return false;
        });
    if (!result.search.error.empty()) {
      result.problem = Problem::kReplay;
      result.error = result.search.error;
    } else if (!result.only) {
      result.problem = Problem::kNoSuchState;
      result.error = fmt::format("there are only {} crash states", result.search.states);
    }
    return result;
  }

  // The checker must accept the end of the run with nothing lost.
  Replay whole(trace, device);
  if (std::string problem = replay_to(whole, trace.calls.size()); !problem.empty()) {
    result.problem = Problem::kReplay;
    result.error = problem;
    return result;
  }
  const sim::SimFsState end =
      sim::apply_crash(whole.state(), sim::CrashPlan::keep_all(whole.state()));
  const CheckerRun sanity =
      check_state(options, fmt::format("{}/job0", options.work_dir), end, whole.output());
  if (!sanity.passed) {
    result.problem = sanity.problem.empty() ? Problem::kChecker : Problem::kIo;
    result.error = sanity.problem.empty()
                       ? fmt::format("the checker rejects the state the program left with nothing "
                                     "lost ({}); it cannot judge crash states. Its output:\n{}",
                                     sanity.verdict(), sanity.output)
                       : sanity.problem;
    return result;
  }

  Checking checking(trace, options, result);
  result.search = search(trace, device, search_options,
                         [&](const CrashState& state, const sim::SimFsState& after,
                             const Replay& replay, const std::vector<PendingItem>& items) {
                           checking.add(Pending{state, after, items,
                                                fates_of(items, state.spec), replay.output(),
                                                {}});
                           return result.problem == Problem::kNone;
                         });
  checking.flush();
  if (!result.search.error.empty() && result.problem == Problem::kNone) {
    result.problem = Problem::kReplay;
    result.error = result.search.error;
  }
  return result;
}

}  // namespace crashes
