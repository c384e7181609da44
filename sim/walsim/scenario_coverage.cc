#include "sim/walsim/scenario_coverage.h"

#include <algorithm>
#include <map>

#include "sim/walsim/scenario_swarm.h"

namespace walsim {
namespace {

using harness::Activity;

// Everything scenario_swarm.cc draws (its tables in docs/swarm.md). A test draws thousands of
// seeds and checks that each one's cells are among these.
harness::CoverageSpace swarm_space(const Scenario& scenario) {
  const SwarmSpace& space = *scenario.swarm;
  harness::CoverageSpace s;
  s.target = scenario.target;
  s.policies = {faults::CrashPolicy::kDropUnsynced, faults::CrashPolicy::kPrefix,
                faults::CrashPolicy::kReorder, faults::CrashPolicy::kTorn,
                faults::CrashPolicy::kGarbageTail, faults::CrashPolicy::kProcess};
  s.modes = {wal::RecoveryMode::kTolerateTail, wal::RecoveryMode::kAbsolute,
             wal::RecoveryMode::kPointInTime, wal::RecoveryMode::kSkipCorrupted};
  using At = harness::CrashAt::Kind;
  s.crash_kinds = {At::kRandom, At::kPersistencePoints, At::kOp,    At::kTime,
                   At::kNone,   At::kFsOp,              At::kInsideOp};
  for (int a = 0; a < harness::kActivities; ++a) s.ops.insert(static_cast<Activity>(a));
  s.recovery_crashes = space.crash_count_max > 1;
  s.epochs = space.epochs_max > 1;
  if (!s.recovery_crashes && !s.epochs) s.ops.erase(Activity::kRecovery);
  s.ticket_appends = true;
  s.preallocate = true;
  s.background_rotation = true;
  if (space.io_faults) {
    s.faults = {"fsync_eio", "write_eio",          "write_short", "read_eio",
                "enospc_after_bytes", "read_short", "close_eio"};
  }
  if (space.media_faults) {
    s.faults.insert({"bit_flip", "latent_sector", "misdirected_write"});
  }
  s.gives_up = !s.faults.empty() || scenario.config.decorate_fs != nullptr;
  return s;
}

}  // namespace

harness::CoverageSpace coverage_space(const Scenario& scenario) {
  if (scenario.swarm) return swarm_space(scenario);
  return harness::coverage_space(scenario.config);
}

std::vector<std::string> listed_cells(const std::vector<Scenario>& scenarios) {
  std::set<std::string> all;
  for (const Scenario& scenario : scenarios) {
    for (std::string& cell : harness::listed_cells(coverage_space(scenario))) {
      all.insert(std::move(cell));
    }
  }
  std::vector<std::string> cells(all.begin(), all.end());
  harness::sort_cells(cells);
  return cells;
}

std::vector<std::string> seed_cells(const Scenario& scenario, std::uint64_t seed) {
  return harness::listed_cells(coverage_space(draw_for_seed(scenario, seed)));
}

std::vector<std::uint64_t> steer(const std::vector<Candidate>& pool,
                                 const std::set<std::string>& reached, std::size_t count) {
  // Per candidate, its unreached cells (numbered) with the weight each adds to its worth.
  struct Open {
    std::uint64_t seed = 0;
    std::vector<std::pair<std::size_t, double>> cells;
  };
  std::map<std::string, std::size_t> ids;
  std::vector<Open> open;
  for (const Candidate& c : pool) {
    const auto crash_cells = static_cast<double>(
        std::count_if(c.cells.begin(), c.cells.end(),
                      [](const std::string& cell) { return cell.rfind("crash/", 0) == 0; }));
    Open o{c.seed, {}};
    for (const std::string& cell : c.cells) {
      if (reached.count(cell) != 0) continue;
      const std::size_t id = ids.emplace(cell, ids.size()).first->second;
      o.cells.emplace_back(id, cell.rfind("crash/", 0) == 0 ? 1.0 / crash_cells : 0.5);
    }
    open.push_back(std::move(o));
  }
  std::sort(open.begin(), open.end(),
            [](const Open& a, const Open& b) { return a.seed < b.seed; });
  std::vector<int> picked_for(ids.size(), 0);
  std::vector<bool> taken(open.size(), false);
  std::vector<std::uint64_t> chosen;
  while (chosen.size() < std::min(count, open.size())) {
    std::size_t best = open.size();
    double best_worth = -1;
    for (std::size_t i = 0; i < open.size(); ++i) {
      if (taken[i]) continue;
      double worth = 0;
      for (const auto& [id, weight] : open[i].cells) worth += weight / (1 + picked_for[id]);
      if (worth > best_worth) {  // strict: ties keep the lower seed
        best = i;
        best_worth = worth;
      }
    }
    taken[best] = true;
    chosen.push_back(open[best].seed);
    for (const auto& [id, weight] : open[best].cells) ++picked_for[id];
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace walsim
