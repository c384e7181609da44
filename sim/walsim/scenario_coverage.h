// The coverage matrix (sim/harness/coverage_matrix.h) at the level of scenarios: which cells a
// scenario can reach, and, for `walsim swarm --steer`, which seeds to run next so that the
// unreached ones come up.
//
// Steering keeps every seed reproducible: it only chooses WHICH seeds run. A seed's
// configuration is still drawn from the seed alone (scenario_swarm.h), so `walsim replay
// --swarm --seed S` repeats any seed a steered swarm ran without knowing its history. Between
// rounds the swarm takes a pool of the next candidate seeds, reads what each one's drawn
// configuration permits (its listed cells: crash policy, crash point kind, op kinds, sync
// policy, retention, fault kinds, recovery mode; computed from the drawing, not by running
// it) and picks the seeds whose cells are most often still unreached.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "sim/harness/coverage_matrix.h"
#include "sim/walsim/scenario.h"

namespace walsim {

// A concrete scenario's configuration; for a swarm, every configuration it can draw.
harness::CoverageSpace coverage_space(const Scenario& scenario);

// The union of the scenarios' listed cells, in the matrix's order.
std::vector<std::string> listed_cells(const std::vector<Scenario>& scenarios);

// The cells one seed of `scenario` can reach (for a swarm: its drawn configuration's).
std::vector<std::string> seed_cells(const Scenario& scenario, std::uint64_t seed);

struct Candidate {
  std::uint64_t seed = 0;
  std::vector<std::string> cells;  // seed_cells(), restricted to the cells wanted
};

// Picks up to `count` of `pool`, greedily: a candidate is worth, per crash cell it permits that
// is not in `reached`, 1 / (crash cells it permits) (a crash lands in one of them), plus per
// such fault cell 1/2 (a configured fault may not fire), each cell's worth divided by 1 + the
// candidates already picked for it (so one round does not spend itself on one cell). Ties go
// to the lower seed; the result is in seed order. A pure function of its arguments.
std::vector<std::uint64_t> steer(const std::vector<Candidate>& pool,
                                 const std::set<std::string>& reached, std::size_t count);

}  // namespace walsim
