// A harness run turned into what reports are made of: the RunResult's facts, the append latencies
// and (for a failure) the timeline read back from the trace, and the command that repeats it.
#pragma once

#include <cstdint>
#include <string>

#include "reports/run_record.h"
#include "sim/harness/runner.h"
#include "sim/trace.h"
#include "sim/walsim/scenario.h"

namespace walsim {

// Timelines longer than this keep their last events (the ones nearest the crash). The
// file-system calls share the budget: a run of consecutive writes is one row.
inline constexpr std::size_t kTimelineMax = 400;

// "walsim replay FILE --seed S" ("walsim replay --swarm --seed S [--target T] [--mutant M]" for
// `walsim swarm`'s own scenario): every failure line ends with it.
std::string repro_command(const Scenario& scenario, std::uint64_t seed);

reports::ScenarioInfo scenario_info(const Scenario& scenario, std::uint64_t seeds);

// `trace` must be the run's trace with its events kept. The timeline is filled only when the
// run failed or `with_timeline`.
reports::RunRecord make_record(const Scenario& scenario, const harness::RunResult& result,
                               const sim::Trace& trace, bool with_timeline = false);

// One run of a scenario, with its bug-zoo mutant (if any) switched on for the run. A swarm
// scenario runs the configuration the seed draws (scenario_swarm.h).
harness::RunResult simulate(const Scenario& scenario, std::uint64_t seed,
                            sim::Trace* trace = nullptr);

// Runs one seed of a scenario and records it (wall time included).
reports::RunRecord run_one(const Scenario& scenario, std::uint64_t seed);

}  // namespace walsim
