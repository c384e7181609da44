// Command-line paths to scenarios: a file is itself, a folder (a suite) is every *.toml under it,
// sorted, so a suite always runs in the same order.
#pragma once

#include <string>
#include <vector>

#include "sim/walsim/scenario.h"

namespace walsim {

struct LoadedScenarios {
  std::vector<Scenario> scenarios;
  std::vector<ScenarioError> errors;
  int exit_code = 0;  // of the first error; 0 when none
};

std::vector<std::string> expand_paths(const std::vector<std::string>& paths,
                                      std::vector<ScenarioError>& errors);
// Loads every scenario; also reports those this build cannot run when `runnable` is set.
LoadedScenarios load_scenarios(const std::vector<std::string>& paths, bool runnable);

}  // namespace walsim
