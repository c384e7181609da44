#include "sim/walsim/load_one.h"

#include <fmt/format.h>

#include "sim/walsim/scenario_files.h"
#include "sim/walsim/test_abort_hook.h"

namespace walsim {

std::optional<Scenario> load_one(const std::string& file, int& exit_code) {
  LoadedScenarios loaded = load_scenarios({file}, true);
  for (const ScenarioError& e : loaded.errors) fmt::print(stderr, "{}\n", e.to_string());
  exit_code = loaded.exit_code;
  if (!loaded.errors.empty()) return std::nullopt;
  apply_test_abort_hook(loaded.scenarios);
  return std::move(loaded.scenarios.front());
}

}  // namespace walsim
