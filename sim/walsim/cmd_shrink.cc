#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "sim/walsim/commands.h"
#include "sim/walsim/exit_codes.h"
#include "sim/walsim/load_one.h"
#include "sim/walsim/run_record.h"
#include "sim/walsim/scenario_toml.h"
#include "sim/walsim/shrink.h"

namespace walsim {
namespace {

// Beside the reports, never in the suite's folder: a saved file there would join every later run
// of the suite and dirty the checkout (report_folder.h kShrunkFolder).
std::string default_out(const std::string& file, std::uint64_t seed) {
  std::filesystem::path path(file);
  std::string stem = path.stem().string();
  if (stem.size() > 7 && stem.ends_with(".shrunk")) stem.resize(stem.size() - 7);
  // A swarm seed's scenario is already named for its seed ("swarm-<mutant>-<seed>").
  const std::string name = stem.starts_with("swarm-") && stem.ends_with(fmt::format("-{}", seed))
                               ? stem
                               : fmt::format("{}-seed{}", stem, seed);
  return (std::filesystem::path(kShrunkFolder) / (name + ".shrunk.toml")).string();
}

// The input as a user wrote it: the file, or the swarm seed's command line.
std::string origin(const ShrinkArgs& args) {
  if (!args.source.swarm) return args.source.file;
  std::string out = "--swarm";
  if (args.source.target != "wal") out += " --target " + args.source.target;
  if (args.source.mutant) out += " --mutant " + *args.source.mutant;
  out += media_faults_flag(args.source.target,
                           swarm_media_faults(args.source.target, args.source.media_faults,
                                              args.source.no_media_faults));
  return out;
}

// The scenario pinned to the one seed, under its .shrunk name; the caller adds the script.
Scenario unshrunk(const Scenario& scenario, const ShrinkArgs& args, const ShrinkResult& result) {
  Scenario out = scenario;
  // A swarm seed's file is named for its concrete scenario ("swarm-<seed>"), here.
  const std::string input = args.source.swarm ? scenario.name + ".toml" : args.source.file;
  out.file = args.out.empty() ? default_out(input, args.seed) : args.out;
  if (!out.name.ends_with("-shrunk")) out.name += "-shrunk";
  out.config.name = out.name;
  out.description = fmt::format("Seed {} of {}, not shrunk; fails '{}': {}", args.seed,
                                origin(args), result.target, result.failure);
  out.seeds = 1;
  out.first_seed = args.seed;
  return out;
}

int save(const Scenario& shrunk, std::uint64_t seed, const ShrinkResult& result, bool shrank) {
  const std::string text = scenario_to_toml(shrunk);
  fmt::print("{}\n", text);
  {
    const std::filesystem::path parent = std::filesystem::path(shrunk.file).parent_path();
    std::error_code error;
    if (!parent.empty()) std::filesystem::create_directories(parent, error);
    std::ofstream out(shrunk.file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      fmt::print(stderr, "walsim shrink: cannot write {}\n", shrunk.file);
      return kExitIo;
    }
  }
  if (shrank) {
    fmt::print("shrunk {} ops + {} faults to {} ops + {} faults in {} runs{}; still fails '{}':\n"
               "  {}\n",
               result.original.total_ops(), result.original.faults.size(),
               result.minimal.total_ops(), result.minimal.faults.size(), result.runs,
               result.budget_hit ? " (run budget hit: may not be minimal)" : "", result.target,
               result.failure);
  }
  fmt::print("saved: {}\n  {}\n", shrunk.file, repro_command(shrunk, seed));
  return kExitOk;
}

}  // namespace

int cmd_shrink(const ShrinkArgs& args) {
  int exit_code = 0;
  const std::optional<Scenario> loaded = load_one(args.source, exit_code);
  if (!loaded) return exit_code;
  // A swarm seed shrinks as the plain scenario it drew: the saved file needs no swarm.
  const std::optional<Scenario> concrete = concrete_for_seed(*loaded, args.seed, exit_code);
  if (!concrete) return exit_code;
  const Scenario& scenario = *concrete;
  // Every run of the shrink is of the broken variant, when the scenario names one (and each
  // smaller script must pass without it).
  const ShrinkResult result = shrink(scenario.config, args.seed, args.max_runs, scenario.mutant);
  if (!result.failed) {
    fmt::print(stderr, "walsim shrink: {} seed {} passes: nothing to shrink\n", origin(args),
               args.seed);
    return kExitMismatch;
  }
  if (result.aborted) {
    fmt::print(stderr, "walsim shrink: {} seed {}: {}\n", origin(args), args.seed, result.failure);
  }
  if (!result.replayable && result.aborted) {
    // Saved anyway, pinned to the seed: it reproduces the abort, only not smaller.
    fmt::print(stderr,
               "walsim shrink: the seed's workload given back as a script does not abort (the "
               "abort needs the seed's drawn faults or crash point): saving it unshrunk\n");
    return save(unshrunk(scenario, args, result), args.seed, result, false);
  }
  if (!result.replayable) {
    fmt::print(stderr,
               "walsim shrink: the script {} seed {} executed did not fail the same way when "
               "replayed (a harness bug: RunResult::script must replay bit for bit)\n",
               origin(args), args.seed);
    return kExitMismatch;
  }
  Scenario shrunk = unshrunk(scenario, args, result);
  shrunk.description = fmt::format("Shrunk by `{} shrink {} --seed {}` from {} ops and {} "
                                   "faults; fails '{}': {}",
                                   program_name(), origin(args), args.seed,
                                   result.original.total_ops(),
                                   result.original.faults.size(), result.target, result.failure);
  const std::string name = shrunk.config.name;
  shrunk.config = result.config;
  shrunk.config.name = name;
  shrunk.config.script = result.minimal;
  return save(shrunk, args.seed, result, true);
}

}  // namespace walsim
