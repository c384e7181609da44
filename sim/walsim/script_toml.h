// The [script] table of a scenario: an explicit run (ops per writer, the faults that fire, the
// crash point) that replaces the seeded workload and probabilistic faults, so a shrunk failure
// replays without the seed's randomness.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sim/harness/run_config.h"
#include "sim/walsim/scenario.h"

namespace walsim {

std::vector<ScenarioError> read_script(const toml::table& table, std::string_view file,
                                       harness::RunConfig& config);

// The [script] table of `script`, parseable by read_script.
std::string script_to_toml(const harness::Script& script);
// A TOML basic string's body: quotes, backslashes and control characters escaped.
std::string toml_escape(std::string_view text);
// The 1-based line of a parsed TOML node, for error messages.
std::uint32_t toml_line_of(const toml::node& node);

}  // namespace walsim
