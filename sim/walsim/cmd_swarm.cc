// `walsim swarm` (SPEC 9.1): seeds that each draw their whole configuration, for a number of
// seeds or of seconds. Each seed is deterministic; --seconds only decides how many run.
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "sim/walsim/commands.h"
#include "sim/walsim/exit_codes.h"
#include "sim/walsim/load_one.h"
#include "sim/walsim/run_record.h"

namespace walsim {
namespace {

// A hunt's catch counts only if the seed passes with the mutant off: a seed that fails either
// way found something else (a bug of the unmutated WAL, or of the harness) and is reported as
// such, not as the mutant caught.
void drop_false_catches(const Scenario& scenario, const SweepOptions& options,
                        reports::Sweep& done) {
  Scenario control = scenario;
  control.mutant.reset();
  control.config.expect = harness::ExpectConfig{};
  std::vector<reports::RunRecord> kept;
  for (reports::RunRecord& run : done.runs) {
    if (!run.passed) {
      SweepOptions one = options;
      one.seed = run.seed;
      const reports::Sweep check = run_sweep({control}, one);
      if (!check.runs.empty() && !check.runs.front().passed) {
        fmt::print("seed {} also fails with the mutant off (not counted as a catch): {}\n  {}\n",
                   run.seed, check.runs.front().failure, check.runs.front().repro);
        continue;
      }
    }
    kept.push_back(std::move(run));
  }
  done.runs = std::move(kept);
}

}  // namespace

int cmd_swarm(const SwarmArgs& args) {
  int exit_code = 0;
  ScenarioSource source;
  source.swarm = true;
  source.target = args.target;
  source.mutant = args.mutant;
  source.media_faults = args.media_faults;
  std::optional<Scenario> loaded = load_one(source, exit_code);
  if (!loaded) return exit_code;
  Scenario& scenario = *loaded;
  scenario.first_seed = args.first_seed;
  SweepOptions options = args.sweep;
  options.progress = options.progress && ::isatty(STDERR_FILENO) != 0;
  // A mutant's swarm hunts its first catch: stop there (the time-to-catch of docs/bug-zoo.md).
  if (scenario.mutant) options.fail_fast = true;

  // Rounds of seeds, each following the last, until the seeds or the time are used up, or (a
  // mutant's hunt, --fail-fast) a seed fails: a hunt's seed count is its time to catch.
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t budget = args.seconds ? UINT64_MAX : args.seeds.value_or(1000);
  // Rounds start small (a hunt's early catch is seen early) and double up to 64 times that
  // (each round forks its workers afresh). Always a multiple of the shard count, so seed k of
  // the whole run is in shard k % N whatever round it falls in.
  const std::uint64_t first_round = 16 * std::uint64_t{std::max<std::uint32_t>(1, options.jobs)} *
                                    (options.shard ? options.shard->count : 1);
  std::uint64_t round = first_round;
  const bool stop_at_failure = scenario.mutant.has_value() || options.fail_fast;
  options.fail_fast = false;
  options.progress = false;
  reports::Sweep sweep;
  std::uint64_t ran = 0;
  for (;;) {
    Scenario part = scenario;
    part.first_seed = args.first_seed + ran;
    options.seeds = std::min(round, budget - ran);
    reports::Sweep done = run_sweep({part}, options);
    ran += *options.seeds;
    round = std::min(round * 2, first_round * 64);
    if (scenario.mutant) drop_false_catches(scenario, options, done);
    const bool failed = std::any_of(done.runs.begin(), done.runs.end(),
                                    [](const reports::RunRecord& r) { return !r.passed; });
    if (sweep.scenarios.empty()) sweep.scenarios = done.scenarios;
    sweep.jobs = done.jobs;
    sweep.shards = done.shards;
    sweep.runs.insert(sweep.runs.end(), done.runs.begin(), done.runs.end());
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sweep.wall_ms = elapsed * 1000;
    if (ran >= budget || (failed && stop_at_failure) ||
        (args.seconds && elapsed >= static_cast<double>(*args.seconds))) {
      break;
    }
  }
  sweep.scenarios.front().seeds = ran;
  sweep.command = args.command;
  print_summary(sweep);
  std::size_t shown = 0;
  for (const reports::RunRecord& run : sweep.runs) {
    if (run.passed || shown++ >= 5) continue;
    if (shown == 1) fmt::print("\nto shrink a failing seed to a plain scenario file:\n");
    std::string shrink = fmt::format("walsim shrink --swarm --seed {}", run.seed);
    if (scenario.target != "wal") shrink += " --target " + scenario.target;
    if (scenario.mutant) shrink += " --mutant " + *scenario.mutant;
    if (args.media_faults) shrink += " --media-faults";
    fmt::print("  {}\n", shrink);
  }
  return finish_sweep(sweep, args.report_dir, "walsim");
}

}  // namespace walsim
