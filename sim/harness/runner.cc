// run_simulation, the verdict every runner shares, and exploration. The WAL's own run is
// wal_run.h; every other system under test is a registered target (target_runner.cc).
#include "sim/harness/runner.h"

#include <fmt/format.h>

#include "faults/crash_enumerator.h"
#include "sim/harness/explore.h"
#include "sim/harness/target.h"
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

RunResult run_simulation(const RunConfig& config, std::uint64_t seed, sim::Trace* trace) {
  // Any other system under test is a registered harness::Target (target.h).
  if (config.target != "wal") return run_target(config, seed, trace);
  if (config.crash.at.kind == CrashAt::Kind::kInsideOp && !config.script) {
    // A survey pass without a crash finds the ops' Fs operations; the same run then loses
    // power at the one aimed at (a run is a pure function of config and seed).
    RunConfig surveyed = config;
    surveyed.crash.at = CrashAt{CrashAt::Kind::kFsOp, HaltingFs::kUnlimited};
    OpSurvey survey;
    {
      sim::Trace quiet(may_inject(config));
      Run run(surveyed, seed, quiet);
      run.set_survey(&survey);
      run.execute();
    }
    surveyed.crash.at = aim_inside_op(survey, seed);
    return run_simulation(surveyed, seed, trace);
  }
  sim::Trace own(may_inject(config));
  Run run(config, seed, trace != nullptr ? *trace : own);
  return run.execute();
}

namespace {

std::string describe_plan(const sim::CrashPlan& plan) {
  std::string text;
  for (const auto& [inode, fates] : plan.files) {
    text += fmt::format("{}file inode {}: {}", text.empty() ? "" : "; ", inode,
                        faults::describe_fates(fates));
  }
  for (const auto& [inode, survive] : plan.dirs) {
    std::string kept;
    for (bool s : survive) kept += s ? 'K' : 'D';
    text += fmt::format("{}dir inode {}: {}", text.empty() ? "" : "; ", inode, kept);
  }
  return text.empty() ? "nothing pending" : text;
}

}  // namespace

ExploreResult explore(const RunConfig& base, std::uint64_t seed, std::uint64_t max_states,
                      bool memoize) {
  ExploreResult out;
  if (base.target != "wal") {
    out.problem = "exploration runs the wal target only (target \"" + base.target + "\")";
    return out;
  }
  RunConfig config = base;
  config.crash.count = 1;
  config.crash.epochs = 1;
  faults::EnumerateOptions options;
  options.policy = config.crash.power_loss.policy;
  options.lose_unsynced_dir_ops = config.crash.power_loss.lose_unsynced_dir_ops;
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
    Run run(config, seed, trace);
    run.set_explorer([&](Run& live) {
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
                failure.plan = describe_plan(plan);
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
    }, memoize ? &memo : nullptr);
    const RunResult result = run.execute();
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
