// A Scenario written back as TOML (every key, so the file says exactly what runs), and the
// one-line description of its setup used in reports.
#pragma once

#include <string>

#include "sim/walsim/scenario.h"

namespace walsim {

// parse_scenario(scenario_to_toml(s)) gives s back (probabilities to 1e-9).
std::string scenario_to_toml(const Scenario& scenario);

// "sync=grouped crash=torn@random faults: fsync_eio(ext4) bit_flip"
std::string describe_setup(const Scenario& scenario);

}  // namespace walsim
