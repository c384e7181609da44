// Swarm testing (SPEC 9.1): each seed draws its whole configuration, every key of a scenario,
// from a bounded space, then runs it. Scenario authors pick one corner of the space each; the
// swarm visits the combinations nobody wrote down (a tiny buffer under an fs-op crash inside a
// truncate_front, an fsync EIO before a reopen, aimed bit flips under every recovery mode...).
// Like TigerBeetle's VOPR, and for the reason Groce et al. give (ISSTA 2012): leaving features
// out of a run at random finds bugs that one configuration with everything on hides.
//
// A swarm scenario is an ordinary Scenario with `swarm` set (from `walsim swarm`, or a file with
// a [swarm] table); for_seed() turns it into the concrete one for a seed. The concrete scenario
// goes through the TOML writer and the strict parser before it runs, so what runs is exactly
// what `walsim shrink` saves, and a combination the parser refuses is a drawing bug that shows
// up as a failed run, never silently skipped. Invalid combinations are excluded by rule in the
// drawing (scenario_limits.h), not retried until one passes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sim/walsim/scenario.h"

namespace walsim {

// `base` with swarm set: the scenario that seed runs (swarm unset, config drawn, name and
// description saying where it came from). A base without swarm comes back unchanged. A drawn
// configuration the parser refuses comes back as nullopt with `error` set.
std::optional<Scenario> for_seed(const Scenario& base, std::uint64_t seed, std::string* error);
// The drawing alone, without the writer and the parser: what for_seed runs, for a caller that
// only needs to know what a seed draws (steering, scenario_coverage.h) and many of them fast.
Scenario draw_for_seed(const Scenario& base, std::uint64_t seed);

// The swarm scenario `walsim swarm` runs: the default space (or `space`), every invariant.
Scenario swarm_scenario(const std::string& target, const std::optional<std::string>& mutant,
                        const SwarmSpace& space = {});

// The [swarm] table: keys ops_max, writers_max, crash_count_max, epochs_max, io_faults,
// media_faults, torn_fill, torn_scope. Errors name the key and line.
std::vector<ScenarioError> read_swarm_table(const toml::table& table, std::string_view file,
                                            SwarmSpace& space);
std::string swarm_to_toml(const SwarmSpace& space);

// Whether the WAL's swarm space has media faults when nothing says otherwise. On: the plain
// swarm then catches the zoo's damage-at-rest mutants too (docs/bug-zoo.md), and a million
// seeds of that space pass (docs/soak.md). Other targets never default to them: their own
// checks do not know what injected damage may destroy.
inline constexpr bool kWalSwarmMediaFaultsByDefault = true;

// Media faults in a swarm's space (SwarmSpace::media_faults): the default above for the WAL,
// off for other targets; --media-faults and --no-media-faults decide otherwise.
bool swarm_media_faults(std::string_view target, bool on, bool off);
// What a repro command adds to draw the same space: "", " --media-faults" or
// " --no-media-faults".
std::string media_faults_flag(std::string_view target, bool media_faults);

}  // namespace walsim
