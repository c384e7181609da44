#include "sim/walsim/sweep.h"


#include <chrono>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reports/summary_json.h"
#include "sim/walsim/cli_numbers.h"
#include "sim/walsim/diagnose.h"
#include "sim/walsim/isolated.h"
#include "sim/walsim/progress.h"
#include "sim/walsim/run_record.h"
#include "sim/walsim/scenario_coverage.h"
#include "sim/walsim/worker_pool.h"

namespace walsim {
namespace {

struct Item {
  std::size_t scenario = 0;
  std::uint64_t seed = 0;
};

// A seed whose worker died under it: a failure of that seed (e.g. a WAL_ASSERT).
reports::RunRecord died(const Scenario& scenario, std::uint64_t seed, int status) {
  reports::RunRecord r;
  r.scenario = scenario.name;
  r.file = scenario.file;
  r.seed = seed;
  r.passed = false;
  r.matched = !scenario.config.expect.pass;
  r.failure = describe_death(status);
  r.problems.push_back(r.failure);
  r.repro = repro_command(scenario, seed);
  return r;
}

bool unexpected(const Scenario& scenario, const reports::RunRecord& record) {
  return scenario.config.expect.pass && !record.passed;
}

// The diagnosis of each failing run whose timeline the report keeps (crash_diagnosis.h): it
// re-runs the seed several times, so only those, in workers of their own. The same workers
// run each such seed once more as it ran and keep its trace hash: the determinism check,
// which says whether the verdict replays bit for bit (a foreign thread or lock, or host
// randomness in a target, would show there).
void diagnose_kept(const std::vector<Scenario>& scenarios, reports::Sweep& sweep,
                   std::uint32_t jobs) {
  std::map<std::string, const Scenario*> by_file;
  for (const Scenario& scenario : scenarios) by_file.emplace(scenario.file, &scenario);
  std::vector<reports::RunRecord*> kept;
  for (reports::RunRecord& run : sweep.runs) {
    if (!run.passed && !run.timeline.empty() && by_file.count(run.file) != 0) kept.push_back(&run);
  }
  PoolWork pool;
  pool.work = [&](std::size_t k) {
    const Scenario& scenario = *by_file.at(kept[k]->file);
    const harness::RunResult again = simulate(scenario, kept[k]->seed);
    return nlohmann::json{{"diagnosis", diagnose(scenario, kept[k]->seed)},
                          {"replay_hash", fmt::format("{:016x}", again.trace_hash)}}
        .dump();
  };
  pool.done = [&](std::size_t k, const std::string& line) {
    const nlohmann::json j = nlohmann::json::parse(line);
    kept[k]->diagnosis = j.at("diagnosis").get<std::string>();
    kept[k]->replay_hash = j.at("replay_hash").get<std::string>();
  };
  pool.died = [&](std::size_t k, int status) {
    kept[k]->diagnosis = "No diagnosis: a re-run died (" + describe_death(status) + ").";
  };
  run_pool(kept.size(), jobs, pool);
}

}  // namespace

std::optional<Shard> Shard::parse(const std::string& text) {
  // Strict: sscanf("%u") took "-1" as 4294967295 and clamped what overflowed.
  const std::string_view whole = text;
  const std::size_t slash = whole.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::optional<std::uint64_t> index = parse_unsigned(whole.substr(0, slash));
  const std::optional<std::uint64_t> count = parse_unsigned(whole.substr(slash + 1));
  if (!index || !count || *count == 0 || *count > UINT32_MAX || *index >= *count) {
    return std::nullopt;
  }
  return Shard{static_cast<std::uint32_t>(*index), static_cast<std::uint32_t>(*count)};
}

std::string Shard::to_string() const { return fmt::format("{}/{}", index, count); }

std::vector<std::uint64_t> seed_list(const Scenario& scenario, const SweepOptions& options) {
  if (options.seed) return {*options.seed};
  if (options.only_seeds) return *options.only_seeds;
  const std::uint64_t n = options.seeds.value_or(scenario.seeds);
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t k = 0; k < n; ++k) {
    if (options.shard && k % options.shard->count != options.shard->index) continue;
    seeds.push_back(scenario.first_seed + k);
  }
  return seeds;
}

reports::Sweep run_sweep(const std::vector<Scenario>& scenarios, const SweepOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  reports::Sweep sweep;
  std::vector<Item> items;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const std::uint64_t planned = options.seed         ? 1
                                  : options.only_seeds ? options.only_seeds->size()
                                                       : options.seeds.value_or(scenarios[s].seeds);
    sweep.scenarios.push_back(scenario_info(scenarios[s], planned));
    for (std::uint64_t seed : seed_list(scenarios[s], options)) items.push_back({s, seed});
  }
  if (options.shard) sweep.shards.push_back(options.shard->to_string());
  sweep.coverage_cells = listed_cells(scenarios);
  const std::uint32_t jobs =
      std::max<std::uint32_t>(1, std::min<std::uint32_t>(options.jobs,
                                                         static_cast<std::uint32_t>(items.size())));
  sweep.jobs = options.jobs;

  ProgressLine progress(options.progress);
  ProgressCounts counts{0, scenarios.size(), 0, items.size(), 0};
  std::vector<std::size_t> left(scenarios.size(), 0);  // runs not reported yet, per scenario
  for (const Item& item : items) ++left[item.scenario];
  for (std::size_t n : left) counts.scenarios_done += n == 0 ? 1 : 0;
  progress.update(counts, true);
  bool stop = false;
  auto accept = [&](reports::RunRecord record, std::size_t index) {
    const Scenario& scenario = scenarios[items[index].scenario];
    if (!record.passed) ++counts.failing;
    if (unexpected(scenario, record)) ++counts.unexpected;
    if (--left[items[index].scenario] == 0) ++counts.scenarios_done;
    ++counts.runs_done;
    if (options.fail_fast && unexpected(scenario, record)) stop = true;
    sweep.runs.push_back(std::move(record));
    progress.update(counts);
  };
  PoolWork pool;
  pool.work = [&](std::size_t k) {
    const Item& item = items[k];
    return reports::run_to_json(run_one(scenarios[item.scenario], item.seed), true).dump();
  };
  pool.done = [&](std::size_t k, const std::string& line) {
    accept(reports::run_from_json(nlohmann::json::parse(line)), k);
  };
  pool.died = [&](std::size_t k, int status) {
    accept(died(scenarios[items[k].scenario], items[k].seed, status), k);
  };
  pool.stop = [&] { return stop; };
  run_pool(items.size(), jobs, pool);
  progress.update(counts, true);
  progress.finish();
  sweep.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  sweep.normalize();
  diagnose_kept(scenarios, sweep, std::max<std::uint32_t>(1, options.jobs));
  return sweep;
}

}  // namespace walsim
