#include "sim/walsim/diagnose.h"

#include <optional>

#include "sim/harness/crash_diagnosis.h"
#include "sim/harness/mutants.h"
#include "sim/walsim/scenario_swarm.h"

namespace walsim {

std::string diagnose(const Scenario& scenario, std::uint64_t seed) {
  std::string error;
  const std::optional<Scenario> concrete = for_seed(scenario, seed, &error);
  if (!concrete) return "";
  std::optional<harness::ScopedMutant> mutant;
  if (concrete->mutant) mutant.emplace(*concrete->mutant);
  const harness::Rerun rerun = [seed](const harness::RunConfig& config, sim::Trace& trace) {
    return harness::run_simulation(config, seed, &trace);
  };
  return harness::diagnose_failure(concrete->config, rerun).text;
}

}  // namespace walsim
