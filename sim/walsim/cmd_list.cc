#include <fmt/format.h>

#include "sim/walsim/commands.h"
#include "sim/walsim/exit_codes.h"
#include "sim/walsim/scenario_files.h"
#include "sim/walsim/scenario_key_docs.h"
#include "sim/walsim/scenario_toml.h"

namespace walsim {

int cmd_keys() {
  fmt::print("{}", scenario_keys_markdown());
  return kExitOk;
}

int cmd_list(const std::vector<std::string>& paths) {
  const LoadedScenarios loaded = load_scenarios(paths, false);
  for (const Scenario& s : loaded.scenarios) {
    fmt::print("{}\n  {} · {} seeds · expect {}\n  {}\n  {}\n", s.file, s.name, s.seeds,
               s.config.expect.pass ? "pass" : "fail", describe_setup(s), s.description);
  }
  print_scenario_errors(loaded.errors);
  fmt::print("{} scenario(s)\n", loaded.scenarios.size());
  return loaded.exit_code;
}

int cmd_validate(const std::vector<std::string>& files) {
  const LoadedScenarios loaded = load_scenarios(files, true);
  for (const Scenario& s : loaded.scenarios) fmt::print("ok: {} ({})\n", s.file, s.name);
  print_scenario_errors(loaded.errors);
  return loaded.exit_code;
}

}  // namespace walsim
