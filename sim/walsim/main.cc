// walsim: run chaos scenarios against the WAL on the simulator, replay and shrink failures,
// merge sharded sweeps (SPEC 6).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sim/walsim/cli_numbers.h"
#include "sim/walsim/commands.h"
#include "sim/walsim/exit_codes.h"
#include "wal_git_revision.h"

namespace {

std::string joined(int argc, char** argv) {
  std::string out = "walsim";
  for (int i = 1; i < argc; ++i) {
    out += ' ';
    out += argv[i];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace walsim;
  constexpr std::uint64_t kAnySeed = UINT64_MAX;
  CLI::App app{"walsim: the WAL under chaos on a deterministic simulator (SPEC 6)", "walsim"};
  app.footer(kExitCodeTable);
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Every subcommand's help");
  // The revision is the one CMake saw when it configured (cmake/GitRevision.cmake).
  app.set_version_flag("--version",
                       fmt::format("walsim {} (git {})", WAL_VERSION_STRING, WAL_GIT_REVISION),
                       "Print the version and the git revision it was built from, then exit");

  RunArgs run;
  std::optional<std::uint64_t> seeds;
  std::optional<std::uint64_t> seed;
  std::string shard;
  CLI::App* run_cmd = app.add_subcommand("run", "Run scenarios (files or suite folders)");
  run_cmd->add_option("paths", run.paths, "Scenario files or folders")->required();
  run_cmd->add_option("--seeds", seeds, "Seeds per scenario (overrides `seeds`)")
      ->check(unsigned_in(1, std::uint64_t{1} << 40));
  run_cmd->add_option("--seed", seed, "Run only this seed")->check(unsigned_in(0, kAnySeed));
  run_cmd->add_option("--jobs,-j", run.sweep.jobs, "Worker processes (default 1)")
      ->check(unsigned_in(1, 256));
  run_cmd->add_option("--shard", shard,
                      "I/N: run only seed number k (0-based, per scenario) with k % N == I");
  run_cmd->add_option("--report", run.report_dir, "Report folder")->capture_default_str();
  run_cmd->add_flag("--fail-fast", run.sweep.fail_fast, "Stop at the first unexpected failure");
  bool no_progress = false;
  run_cmd->add_flag("--no-progress", no_progress, "No progress line on a terminal");
  run_cmd->add_flag("--mutants-off", run.mutants_off,
                    "Run bug-zoo scenarios with their mutant switched off, expecting every seed "
                    "to pass");

  std::string file;
  std::uint64_t replay_seed = 0;
  bool trace = false;
  CLI::App* replay_cmd = app.add_subcommand("replay", "Replay one seed bit for bit");
  replay_cmd->add_option("file", file, "Scenario file")->required();
  replay_cmd->add_option("--seed", replay_seed, "Seed")
      ->required()
      ->check(unsigned_in(0, kAnySeed));
  replay_cmd->add_flag("--trace", trace, "Print the trace, the timeline and the executed script");

  ShrinkArgs shrink_args;
  CLI::App* shrink_cmd =
      app.add_subcommand("shrink", "Minimal ops + faults that still fail, saved as a scenario");
  shrink_cmd->add_option("file", shrink_args.file, "Scenario file")->required();
  shrink_cmd->add_option("--seed", shrink_args.seed, "A failing seed")
      ->required()
      ->check(unsigned_in(0, kAnySeed));
  shrink_cmd->add_option("--out,-o", shrink_args.out,
                         "Where to save it (default: <file>.shrunk.toml next to the input)");
  shrink_cmd->add_option("--max-runs", shrink_args.max_runs, "Simulation budget")
      ->capture_default_str()
      ->check(unsigned_in(1, UINT64_MAX));

  std::optional<std::uint64_t> explore_seed;
  std::uint64_t max_states = 10'000;
  CLI::App* explore_cmd = app.add_subcommand("explore", "Exhaustive bounded crash states");
  explore_cmd->add_option("file", file, "Scenario file")->required();
  explore_cmd->add_option("--seed", explore_seed, "Seed of the workload")
      ->check(unsigned_in(0, kAnySeed));
  explore_cmd->add_option("--max-states", max_states, "Bound")
      ->capture_default_str()
      ->check(unsigned_in(1, UINT64_MAX));

  RealArgs real;
  CLI::App* real_cmd = app.add_subcommand(
      "real", "Real-disk modes (SPEC 4.5); without --kill, --fiu or --diff: --kill and --fiu");
  real_cmd->add_option("file", real.file, "Scenario file")->required();
  real_cmd->add_option("--dir", real.dir,
                       "Directory on a real disk, not tmpfs (default: a fresh one under "
                       "$WAL_BUILD_DIR, else $TMPDIR, else /tmp)");
  real_cmd->add_flag("--kill", real.kill, "SIGKILL a child process at a seeded moment");
  real_cmd->add_flag("--fiu", real.fiu, "libfiu syscall failures through PosixFs's fault points");
  real_cmd->add_flag("--diff", real.diff,
                     "The seed's fs calls and WAL workload on PosixFs and on SimFs: every "
                     "outcome and the files compared (no faults, no crashes)");
  real_cmd->add_flag("--diff-canary", real.diff_canary,
                     "--diff with a planted SimFs bug (it drops its 3rd write): every seed must "
                     "report a mismatch, or the differential is blind");
  real_cmd->add_option("--seeds", real.seeds, "Seeds per mode")
      ->capture_default_str()
      ->check(unsigned_in(1, std::uint64_t{1} << 20));
  real_cmd->add_option("--seed", real.seed, "Run only this seed")->check(unsigned_in(0, kAnySeed));

  std::vector<std::string> results;
  std::string merge_report;
  CLI::App* merge_cmd = app.add_subcommand("merge", "Join shards' summary.json into one report");
  merge_cmd->add_option("results", results, "summary.json files")->required();
  merge_cmd->add_option("--report", merge_report, "Report folder")->required();

  std::vector<std::string> list_paths{"scenarios"};
  CLI::App* list_cmd = app.add_subcommand("list", "List scenarios (default: scenarios/)");
  list_cmd->add_option("paths", list_paths, "Files or folders");

  std::vector<std::string> validate_files;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check scenario files");
  validate_cmd->add_option("files", validate_files, "Files or folders")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "walsim: {}\nRun 'walsim --help' for usage.\n", e.what());
    return kExitUsage;
  }

  if (run_cmd->parsed()) {
    run.sweep.seeds = seeds;
    run.sweep.seed = seed;
    run.sweep.progress = !no_progress;
    if (!shard.empty()) {
      run.sweep.shard = Shard::parse(shard);
      if (!run.sweep.shard) {
        fmt::print(stderr,
                   "walsim: --shard '{}': expected I/N, two integers with 0 <= I < N <= {}\n"
                   "Run 'walsim --help' for usage.\n",
                   shard, UINT32_MAX);
        return kExitUsage;
      }
    }
    run.command = joined(argc, argv);
    return cmd_run(run);
  }
  if (replay_cmd->parsed()) return cmd_replay(file, replay_seed, trace);
  if (shrink_cmd->parsed()) return cmd_shrink(shrink_args);
  if (explore_cmd->parsed()) return cmd_explore(file, explore_seed, max_states);
  if (real_cmd->parsed()) {
    real.diff = real.diff || real.diff_canary;
    return cmd_real(real);
  }
  if (merge_cmd->parsed()) return cmd_merge(results, merge_report, joined(argc, argv));
  if (list_cmd->parsed()) return cmd_list(list_paths);
  if (validate_cmd->parsed()) return cmd_validate(validate_files);
  return kExitUsage;
}
