// run_simulation, the verdict every run shares, and exploration. Every system under test runs
// in the one loop of run_loop.h: the WAL as wal_run.h, every registered target as target_run.h.
#include "sim/harness/runner.h"

#include <fmt/format.h>

#include "faults/crash_enumerator.h"
#include "faults/crash_words.h"
#include "sim/harness/explore.h"
#include "sim/harness/target.h"
#include "sim/harness/target_run.h"
#include "sim/harness/wal_run.h"

namespace harness {

void settle_verdict(RunResult& result, const ExpectConfig& expect,
                    std::vector<Violation> live_violations,
                    const std::vector<std::string>& contract_violations) {
  for (const std::string& violation : contract_violations) {
    result.problems.push_back("Fs contract violation: " + violation);
  }
  for (Violation& violation : live_violations) {
    result.checks[violation.invariant].checked = true;
    result.checks[violation.invariant].violations.push_back(std::move(violation));
  }
  bool violated = false;
  for (Invariant invariant : result.checks.violated()) {
    if (!expect.invariants.empty() && expect.invariants.count(invariant) == 0) continue;
    if (!violated && result.failure.empty()) {
      result.failure = result.checks[invariant].violations.front().message;
    }
    violated = true;
  }
  if (!result.problems.empty() && result.failure.empty()) {
    result.failure = result.problems.front();
  }
  result.passed = !violated && result.problems.empty();
  result.matched = result.passed == expect.pass;
}

namespace {

// An unknown target is a failed run that says which names this build has.
RunResult unknown_target(const RunConfig& config, std::uint64_t seed) {
  RunResult result;
  result.seed = seed;
  std::string known = "wal";
  for (const std::string& name : target_names()) known += "|" + name;
  result.failure = fmt::format("unknown target '{}' (this build has {})", config.target, known);
  result.problems.push_back(result.failure);
  result.matched = !config.expect.pass;
  return result;
}

// The loop with the configured system under test in it. REQUIRES: a known target.
std::unique_ptr<RunLoop> make_run(const RunConfig& config, std::uint64_t seed, sim::Trace& trace) {
  if (config.target == "wal") return std::make_unique<WalRun>(config, seed, trace);
  const TargetInfo* info = find_target(config.target);
  WAL_ASSERT(info != nullptr);  // the callers checked the name
  return std::make_unique<TargetRun>(config, *info, seed, trace);
}

RunResult run_once(const RunConfig& config, std::uint64_t seed, sim::Trace& trace,
                   OpSurvey* survey) {
  std::unique_ptr<RunLoop> run = make_run(config, seed, trace);
  if (survey != nullptr) run->set_survey(survey);
  return run->execute();
}

}  // namespace

RunResult run_simulation(const RunConfig& config, std::uint64_t seed, sim::Trace* trace) {
  if (config.target != "wal" && find_target(config.target) == nullptr) {
    return unknown_target(config, seed);
  }
  if (config.crash.at.kind == CrashAt::Kind::kInsideOp && !config.script) {
    // A survey pass without a crash finds the ops' Fs operations; the same run then loses
    // power at the one aimed at (a run is a pure function of config and seed).
    RunConfig aimed = config;
    aimed.crash.at = aim_inside_op(survey_ops(config, seed), seed);
    return run_simulation(aimed, seed, trace);
  }
  sim::Trace own(may_inject(config));
  return run_once(config, seed, trace != nullptr ? *trace : own, nullptr);
}

OpSurvey survey_ops(const RunConfig& config, std::uint64_t seed) {
  if (config.target != "wal" && find_target(config.target) == nullptr) return {};
  // Whatever crash point the config or its script has, the survey runs without one: nothing
  // halts, so every op of the first epoch runs and is seen.
  RunConfig surveyed = config;
  const CrashAt never{CrashAt::Kind::kFsOp, HaltingFs::kUnlimited};
  if (surveyed.script) {
    surveyed.script->crash = never;
  } else {
    surveyed.crash.at = never;
  }
  OpSurvey survey;
  sim::Trace quiet(may_inject(config));
  run_once(surveyed, seed, quiet, &survey);
  return survey;
}

namespace {

// In words, by path (faults/crash_words.h): what the failing state kept and lost.
std::string describe_plan(const sim::SimFsState& before, const sim::CrashPlan& plan) {
  std::string text;
  for (const faults::CrashLine& line : faults::describe_crash(before, plan)) {
    text += fmt::format("{}{}: {}", text.empty() ? "" : "; ", line.path, line.words);
  }
  return text.empty() ? "nothing pending" : text;
}

}  // namespace

ExploreResult explore(const RunConfig& base, std::uint64_t seed, std::uint64_t max_states,
                      bool memoize) {
  ExploreResult out;
  if (base.target != "wal" && find_target(base.target) == nullptr) {
    out.problem = unknown_target(base, seed).failure;
    return out;
  }
  RunConfig config = base;
  config.crash.count = 1;
  config.crash.epochs = 1;
  faults::EnumerateOptions options;
  options.policy = config.crash.power_loss.policy;
  options.lose_unsynced_dir_ops = config.crash.power_loss.lose_unsynced_dir_ops;
  options.torn_fill = config.crash.power_loss.torn_fill;
  options.torn_scope = config.crash.power_loss.torn_scope;
  bool cut = false;
  RecoveryMemo memo;
  for (std::uint64_t n = 0; !cut; ++n) {
    const CrashAt at{CrashAt::Kind::kFsOp, n};
    if (config.script) {
      config.script->crash = at;
    } else {
      config.crash.at = at;
    }
    bool reached = false;
    sim::Trace trace(may_inject(config));
    std::unique_ptr<RunLoop> run = make_run(config, seed, trace);
    if (memoize && config.target == "wal") static_cast<WalRun&>(*run).set_memo(&memo);
    run->set_explorer([&](RunLoop& live) {
      reached = live.reached_crash();
      ++out.crash_points;
      const sim::SimFsState state = live.crash_state();
      options.max_states = max_states - out.states;
      std::uint64_t index = 0;
      const faults::EnumerationResult walked = faults::enumerate_crash_states(
          state, config.device, options,
          [&](const sim::SimFsState& after, const sim::CrashPlan& plan, std::uint64_t hash) {
            CheckResult checks = live.check_crash_state(after, hash);
            ++out.states;
            if (!checks.passed()) {
              ++out.failed_states;
              if (!out.first_failure) {
                ExploreFailure failure;
                failure.crash = at;
                failure.state = index;
                failure.plan = describe_plan(state, plan);
                failure.checks = std::move(checks);
                failure.repro = fmt::format(
                    "walsim explore --seed {}: crash {} state #{} ({})", seed, at.to_string(),
                    index, failure.plan);
                out.first_failure = std::move(failure);
              }
            }
            ++index;
            return true;
          });
      out.plans += walked.plans;
      if (!walked.complete) cut = true;
    });
    const RunResult result = run->execute();
    if (!result.problems.empty()) {
      out.problem = fmt::format("crash {}: {}", at.to_string(), result.problems.front());
      return out;
    }
    if (!reached) {
      out.complete = !cut;
      return out;
    }
    if (out.states >= max_states) cut = true;
  }
  return out;
}

}  // namespace harness
