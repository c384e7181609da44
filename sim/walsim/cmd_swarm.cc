// `walsim swarm` (SPEC 9.1): seeds that each draw their whole configuration, for a number of
// seeds or of seconds, or until the coverage matrix is covered (--until-covered). Each seed is
// deterministic; --seconds only decides how many run, and steering (--steer) only which.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/walsim/commands.h"
#include "sim/walsim/exit_codes.h"
#include "sim/walsim/load_one.h"
#include "sim/walsim/progress.h"
#include "sim/walsim/run_record.h"
#include "sim/walsim/scenario_coverage.h"

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

// --until-covered and --steer: the cells a round's seeds are meant to reach, and what the
// rounds so far reached of them.
class Coverage {
 public:
  Coverage(std::vector<std::string> listed, const std::string& pattern) {
    for (std::string& cell : listed) {
      if (harness::cell_matches(pattern, cell)) wanted_.push_back(std::move(cell));
    }
    wanted_set_.insert(wanted_.begin(), wanted_.end());
  }
  bool empty() const { return wanted_.empty(); }
  void add(const reports::Sweep& done) {
    for (const reports::RunRecord& run : done.runs) {
      for (const auto& [cell, hits] : run.coverage) reached_.insert(cell);
    }
  }
  std::vector<std::string> remaining() const {
    std::vector<std::string> out;
    for (const std::string& cell : wanted_) {
      if (reached_.count(cell) == 0) out.push_back(cell);
    }
    return out;
  }
  std::size_t wanted() const { return wanted_.size(); }
  // The pool's candidates, each with the wanted cells its drawn configuration permits.
  std::vector<Candidate> candidates(const Scenario& scenario, std::uint64_t first,
                                    std::uint64_t count, std::uint64_t base,
                                    const std::optional<Shard>& shard) const {
    std::vector<Candidate> pool;
    for (std::uint64_t seed = first; seed < first + count; ++seed) {
      if (shard && (seed - base) % shard->count != shard->index) continue;
      Candidate c{seed, seed_cells(scenario, seed)};
      std::erase_if(c.cells, [&](const std::string& cell) { return wanted_set_.count(cell) == 0; });
      pool.push_back(std::move(c));
    }
    return pool;
  }
  const std::set<std::string>& reached() const { return reached_; }

 private:
  std::vector<std::string> wanted_;
  std::set<std::string> wanted_set_;
  std::set<std::string> reached_;
};

void print_remaining(const Coverage& coverage, const std::string& pattern, std::uint64_t ran) {
  const std::vector<std::string> left = coverage.remaining();
  if (left.empty()) {
    fmt::print("\nuntil-covered: all {} listed cells matching '{}' reached after {} seeds\n",
               coverage.wanted(), pattern, ran);
    return;
  }
  fmt::print("\nuntil-covered: {} of {} listed cells matching '{}' not reached after {} seeds:\n",
             left.size(), coverage.wanted(), pattern, ran);
  constexpr std::size_t kShown = 60;
  for (std::size_t i = 0; i < left.size() && i < kShown; ++i) fmt::print("  {}\n", left[i]);
  if (left.size() > kShown) fmt::print("  ... and {} more (summary.json: coverage)\n", left.size() - kShown);
}

// The next round's seeds into `options` (and `part`): the `take` seeds after `next_seed`, or,
// steering, the best `take` (one shard's share) of the kPoolFactor times as many after it.
void choose_round(const Scenario& scenario, const Coverage& coverage, bool steering,
                  std::uint64_t take, std::uint64_t first_seed, std::uint64_t& next_seed,
                  SweepOptions& options, Scenario& part) {
  if (!steering) {
    part.first_seed = next_seed;
    options.seeds = take;
    next_seed += take;
    return;
  }
  constexpr std::uint64_t kPoolFactor = 8;
  const std::vector<Candidate> pool =
      coverage.candidates(scenario, next_seed, take * kPoolFactor, first_seed, options.shard);
  next_seed += take * kPoolFactor;
  const std::uint64_t shards = options.shard ? options.shard->count : 1;
  options.only_seeds = steer(pool, coverage.reached(), take / shards);
}

void add_round(reports::Sweep& sweep, reports::Sweep done) {
  if (sweep.scenarios.empty()) {
    sweep.scenarios = std::move(done.scenarios);
    sweep.coverage_cells = std::move(done.coverage_cells);
  }
  sweep.jobs = done.jobs;
  sweep.shards = std::move(done.shards);
  sweep.runs.insert(sweep.runs.end(), std::make_move_iterator(done.runs.begin()),
                    std::make_move_iterator(done.runs.end()));
}

void print_shrink_commands(const reports::Sweep& sweep, const Scenario& scenario) {
  std::size_t shown = 0;
  for (const reports::RunRecord& run : sweep.runs) {
    if (run.passed || shown++ >= 5) continue;
    if (shown == 1) fmt::print("\nto shrink a failing seed to a plain scenario file:\n");
    std::string shrink = fmt::format("{} shrink --swarm --seed {}", program_name(), run.seed);
    if (scenario.target != "wal") shrink += " --target " + scenario.target;
    if (scenario.mutant) shrink += " --mutant " + *scenario.mutant;
    shrink += media_faults_flag(scenario.target, scenario.swarm->media_faults);
    fmt::print("  {}\n", shrink);
  }
}

}  // namespace

int cmd_swarm(const SwarmArgs& args) {
  int exit_code = 0;
  ScenarioSource source;
  source.swarm = true;
  source.target = args.target;
  source.mutant = args.mutant;
  source.media_faults = args.media_faults;
  source.no_media_faults = args.no_media_faults;
  std::optional<Scenario> loaded = load_one(source, exit_code);
  if (!loaded) return exit_code;
  Scenario& scenario = *loaded;
  scenario.first_seed = args.first_seed;
  SweepOptions options = args.sweep;
  // A mutant's swarm hunts its first catch: stop there (the time-to-catch of docs/bug-zoo.md).
  if (scenario.mutant) options.fail_fast = true;

  const std::string pattern =
      args.until_covered && !args.until_covered->empty() ? *args.until_covered : "*";
  const bool steering = args.steer || (args.until_covered && !args.no_steer);
  Coverage coverage(listed_cells({scenario}), pattern);
  if ((args.until_covered || steering) && coverage.empty()) {
    fmt::print(stderr, "walsim swarm: no listed coverage cell matches '{}'{}\n", pattern,
               scenario.target == "wal" ? ""
                                        : " (a target lists crash sites between ops and at a "
                                          "time only)");
    return kExitUsage;
  }

  std::string error;
  const ReportFolder report =
      resolve_report_folder(args.report_dir, "swarm", "latest-swarm", error);
  if (!error.empty()) {
    fmt::print(stderr, "walsim swarm: {}\n", error);
    return kExitIo;
  }
  // Rounds of seeds, each following the last, until the seeds or the time are used up, or (a
  // mutant's hunt, --fail-fast) a seed fails: a hunt's seed count is its time to catch.
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t budget = args.seconds ? UINT64_MAX : args.seeds.value_or(1000);
  // Rounds start small (a hunt's early catch is seen early) and double up to 64 times that
  // (each round forks its workers afresh); a steered swarm stops doubling at 4 times, so that
  // what a round reached steers the next one soon. Always a multiple of the shard count, so
  // seed k of the whole run is in shard k % N whatever round it falls in.
  const std::uint64_t shards = options.shard ? options.shard->count : 1;
  const std::uint64_t first_round = 16 * std::uint64_t{std::max<std::uint32_t>(1, options.jobs)} *
                                    shards;
  const std::uint64_t round_max = first_round * (steering ? 4 : 64);
  std::uint64_t round = first_round;
  const bool stop_at_failure = scenario.mutant.has_value() || options.fail_fast;
  options.fail_fast = false;
  // One line for the whole swarm, after each round, not one per round's sweep.
  ProgressLine progress(options.progress);
  ProgressCounts counts;
  counts.runs = args.seconds ? 0 : budget;
  progress.update(counts, true);
  options.progress = false;
  reports::Sweep sweep;
  std::uint64_t ran = 0;
  std::uint64_t next_seed = args.first_seed;  // the first seed no round has looked at
  for (;;) {
    Scenario part = scenario;
    const std::uint64_t take = std::min(round, budget - ran);
    choose_round(scenario, coverage, steering, take, args.first_seed, next_seed, options, part);
    reports::Sweep done = run_sweep({part}, options);
    ran += take;
    round = std::min(round * 2, round_max);
    if (scenario.mutant) drop_false_catches(scenario, options, done);
    coverage.add(done);
    const bool failed = std::any_of(done.runs.begin(), done.runs.end(),
                                    [](const reports::RunRecord& r) { return !r.passed; });
    counts.runs_done = ran;
    const auto failing = static_cast<std::size_t>(
        std::count_if(done.runs.begin(), done.runs.end(),
                      [](const reports::RunRecord& r) { return !r.passed; }));
    counts.failing += failing;
    counts.unexpected += scenario.mutant ? 0 : failing;  // a hunt expects its catch
    progress.update(counts);
    add_round(sweep, std::move(done));
    // A long swarm keeps only its failing seeds one by one (memory, and summary.json's size).
    if (!args.full_summary) sweep.fold_passing();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sweep.wall_ms = elapsed * 1000;
    const bool covered = args.until_covered && coverage.remaining().empty();
    if (ran >= budget || (failed && stop_at_failure) || covered ||
        (args.seconds && elapsed >= static_cast<double>(*args.seconds))) {
      break;
    }
  }
  progress.update(counts, true);
  progress.finish();
  sweep.scenarios.front().seeds = ran;
  sweep.command = args.command;
  print_summary(sweep);
  if (args.until_covered) print_remaining(coverage, pattern, ran);
  print_shrink_commands(sweep, scenario);
  return finish_sweep(sweep, report, "walsim", args.full_summary);
}

}  // namespace walsim
