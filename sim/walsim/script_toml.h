// The [script] table of a scenario: an explicit run (ops per writer, the faults that fire, the
// crash point) that replaces the seeded workload and probabilistic faults, so a shrunk failure
// replays without the seed's randomness.
#pragma once

#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sim/harness/run_config.h"
#include "sim/walsim/scenario.h"

namespace walsim {

std::vector<ScenarioError> read_script(const toml::table& table, std::string_view file,
                                       harness::RunConfig& config);

}  // namespace walsim
