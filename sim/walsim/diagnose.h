// The one-sentence diagnosis of a failing seed (sim/harness/crash_diagnosis.h), run as walsim
// runs the seed: its bug-zoo mutant switched on, a swarm seed's drawn configuration.
#pragma once

#include <cstdint>
#include <string>

#include "sim/walsim/scenario.h"

namespace walsim {

// "" when the seed passes. Re-runs the seed a few dozen times at most.
std::string diagnose(const Scenario& scenario, std::uint64_t seed);

}  // namespace walsim
