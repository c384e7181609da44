// walsim's command line (SPEC 6): run chaos scenarios on the simulator, replay and shrink
// failures, explore, swarm, merge sharded sweeps. The walsim binary is this plus the example
// targets; a user's binary is this plus theirs (walsim_main.h).
#include "sim/walsim/walsim_main.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sim/harness/wal_log_route.h"
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

// `walsim trace`'s command is every word after its `--`, as typed (CLI11 would also take
// words before it); false after printing why when there is none or --dir is missing.
bool trace_command_after_separator(int argc, char** argv, walsim::TraceArgs& args) {
  const std::string_view usage =
      "Usage: walsim trace --dir D [--out T] -- CMD ARGS...\nRun 'walsim trace --help' for more.";
  int trace = 1;
  while (trace < argc && std::string_view(argv[trace]) != "trace") ++trace;
  int separator = trace + 1;
  while (separator < argc && std::string_view(argv[separator]) != "--") ++separator;
  std::vector<std::string> after(argv + std::min(separator + 1, argc), argv + argc);
  std::string problem;
  if (separator >= argc) {
    problem = "the command to record goes after --";
  } else if (after.empty()) {
    problem = "no command after --";
  } else if (args.command != after) {
    problem = "words before -- that are not options";
  } else if (args.dir.empty()) {
    problem = "--dir D is required";
  }
  if (!problem.empty()) {
    fmt::print(stderr, "walsim trace: {}\n{}\n", problem, usage);
    return false;
  }
  args.command = std::move(after);
  return true;
}

std::string& program_name_storage() {
  static std::string name = "walsim";
  return name;
}

}  // namespace

namespace walsim {

const std::string& program_name() { return program_name_storage(); }
void set_program_name(std::string_view argv0) {
  const std::size_t slash = argv0.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  if (!base.empty()) program_name_storage() = std::string(base);
}

}  // namespace walsim

namespace harness {

int walsim_main(int argc, char** argv) {
  using namespace walsim;
  if (argc > 0 && argv[0] != nullptr) set_program_name(argv[0]);
  // Every verdict says what broke; the WAL's own error lines (each simulated power cut poisons
  // a log, and ~Log reports the close that cannot reach the disk) go into the trace of the run
  // they belong to, never to the terminal (wal_log_route.h).
  harness::route_wal_log();
  constexpr std::uint64_t kAnySeed = UINT64_MAX;
  CLI::App app{"walsim: the WAL under chaos on a deterministic simulator. Scenario keys: "
               "docs/scenarios.md (or `walsim keys`); the tour: README.md",
               "walsim"};
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
  run_cmd->add_flag("--no-progress", no_progress,
                    "No progress line on stderr (a terminal: redrawn; else a line every 5 s)");
  run_cmd->add_flag("--full-summary", run.full_summary,
                    "summary.json lists every passing seed too (default: failing seeds one by "
                    "one, passing seeds folded per scenario; reports/README.md)");
  run_cmd->add_flag("--mutants-off", run.mutants_off,
                    "Run bug-zoo scenarios with their mutant switched off, expecting every seed "
                    "to pass");

  // replay, shrink and explore take a scenario file, or --swarm: the seed's swarm configuration.
  ScenarioSource source;
  auto add_source = [&](CLI::App* cmd) {
    CLI::Option* file = cmd->add_option("file", source.file, "Scenario file");
    CLI::Option* swarm = cmd->add_flag("--swarm", source.swarm,
                                       "The configuration `walsim swarm` draws for the seed");
    cmd->add_option("--target", source.target, "With --swarm: the system under test")
        ->needs(swarm);
    cmd->add_option("--mutant", source.mutant, "With --swarm: the bug-zoo mutant switched on")
        ->needs(swarm);
    CLI::Option* media =
        cmd->add_flag("--media-faults", source.media_faults,
                      "With --swarm: media faults in the space (the default for the WAL)")
            ->needs(swarm);
    cmd->add_flag("--no-media-faults", source.no_media_faults,
                  "With --swarm: no media faults in the space")
        ->needs(swarm)
        ->excludes(media);
    file->excludes(swarm);
    cmd->callback([file, swarm] {
      if (file->count() == 0 && swarm->count() == 0) {
        throw CLI::RequiredError("a scenario file or --swarm");
      }
    });
  };
  std::uint64_t replay_seed = 0;
  bool trace = false;
  CLI::App* replay_cmd = app.add_subcommand("replay", "Replay one seed bit for bit");
  add_source(replay_cmd);
  replay_cmd->add_option("--seed", replay_seed, "Seed")
      ->required()
      ->check(unsigned_in(0, kAnySeed));
  replay_cmd->add_flag("--trace", trace, "Print the trace, the timeline and the executed script");

  ShrinkArgs shrink_args;
  CLI::App* shrink_cmd =
      app.add_subcommand("shrink", "Minimal ops + faults that still fail, saved as a scenario");
  add_source(shrink_cmd);
  shrink_cmd->add_option("--seed", shrink_args.seed, "A failing seed")
      ->required()
      ->check(unsigned_in(0, kAnySeed));
  shrink_cmd->add_option("--out,-o", shrink_args.out,
                         "Where to save it (default: reports/out/shrunk/<file's stem>-seed<S>.shrunk.toml)");
  shrink_cmd->add_option("--max-runs", shrink_args.max_runs, "Simulation budget (runs)")
      ->capture_default_str()
      ->check(unsigned_in(1, UINT64_MAX));

  std::optional<std::uint64_t> explore_seed;
  std::uint64_t max_states = 10'000;
  CLI::App* explore_cmd = app.add_subcommand("explore", "Exhaustive bounded crash states");
  add_source(explore_cmd);
  explore_cmd->add_option("--seed", explore_seed, "Seed of the workload")
      ->check(unsigned_in(0, kAnySeed));
  explore_cmd->add_option("--max-states", max_states, "Bound")
      ->capture_default_str()
      ->check(unsigned_in(1, UINT64_MAX));

  SwarmArgs swarm;
  std::string swarm_shard;
  bool swarm_no_progress = false;
  CLI::App* swarm_cmd = app.add_subcommand(
      "swarm", "Seeds that each draw their whole configuration (docs/swarm.md)");
  CLI::Option* swarm_seeds = swarm_cmd->add_option("--seeds", swarm.seeds, "Seeds (default 1000)")
                                 ->check(unsigned_in(1, std::uint64_t{1} << 40));
  swarm_cmd->add_option("--seconds", swarm.seconds, "Run rounds of seeds for this long instead")
      ->check(unsigned_in(1, 30 * 24 * 3600))
      ->excludes(swarm_seeds);
  swarm_cmd->add_option("--first-seed", swarm.first_seed, "First seed")
      ->capture_default_str()
      ->check(unsigned_in(0, kAnySeed / 2));
  swarm_cmd->add_option("--target", swarm.target, "System under test")->capture_default_str();
  swarm_cmd->add_option("--mutant", swarm.mutant,
                        "Switch this bug-zoo mutant on and stop at its first catch");
  CLI::Option* swarm_media = swarm_cmd->add_flag(
      "--media-faults", swarm.media_faults,
      "Draw media faults (bit flips, latent sectors, misdirected writes) for any target; the "
      "WAL's space has them by default (docs/swarm.md)");
  swarm_cmd
      ->add_flag("--no-media-faults", swarm.no_media_faults,
                 "Leave media faults out of the space")
      ->excludes(swarm_media);
  swarm_cmd->add_option("--jobs,-j", swarm.sweep.jobs, "Worker processes (default 1)")
      ->check(unsigned_in(1, 256));
  swarm_cmd->add_option("--shard", swarm_shard, "I/N: run only seed number k with k % N == I");
  swarm_cmd->add_option("--report", swarm.report_dir, "Report folder")->capture_default_str();
  swarm_cmd->add_flag("--fail-fast", swarm.sweep.fail_fast, "Stop at the first failure");
  swarm_cmd->add_flag("--no-progress", swarm_no_progress,
                      "No progress line on stderr (a terminal: redrawn; else a line every 5 s)");
  swarm_cmd->add_flag("--full-summary", swarm.full_summary,
                      "summary.json lists every passing seed too (reports/README.md)");
  swarm_cmd
      ->add_option("--until-covered", swarm.until_covered,
                   "Stop once every listed coverage cell matching PATTERN (default *: all; "
                   "e.g. 'crash/truncate_front/*') is reached, or when --seeds/--seconds run "
                   "out; steers unless --no-steer")
      ->expected(0, 1)
      ->default_str("*");
  CLI::Option* swarm_steer =
      swarm_cmd->add_flag("--steer", swarm.steer,
                          "Pick each round's seeds from a larger pool, preferring those whose "
                          "drawn configuration can reach unreached cells (docs/swarm.md)");
  swarm_cmd->add_flag("--no-steer", swarm.no_steer, "Run consecutive seeds (with --until-covered)")
      ->excludes(swarm_steer);

  RealArgs real;
  CLI::App* real_cmd = app.add_subcommand(
      "real", "Real-disk modes; without --kill, --fiu or --diff: --kill and --fiu");
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
                     "report a mismatch; exit 0 when every seed did (\"canary caught\"), 1 when "
                     "one did not (the differential is blind)");
  real_cmd->add_option("--seeds", real.seeds, "Seeds per mode")
      ->capture_default_str()
      ->check(unsigned_in(1, std::uint64_t{1} << 20));
  real_cmd->add_option("--seed", real.seed, "Run only this seed")->check(unsigned_in(0, kAnySeed));

  std::vector<std::string> results;
  std::string merge_report;
  CLI::App* merge_cmd = app.add_subcommand("merge", "Join shards' summary.json into one report");
  merge_cmd->add_option("results", results, "summary.json files")->required();
  merge_cmd->add_option("--report", merge_report, "Report folder")->required();
  bool merge_full_summary = false;
  merge_cmd->add_flag("--full-summary", merge_full_summary,
                      "Keep every seed the inputs list one by one (reports/README.md)");

  CrashesArgs crashes;
  CLI::App* crashes_cmd = app.add_subcommand(
      "crashes", "Crash states of a recorded program (walsim trace), checked by a command "
                 "(docs/trace.md)");
  crashes_cmd->add_option("trace", crashes.trace, "Trace file (walsim trace --out)")->required();
  crashes_cmd
      ->add_option("--checker", crashes.checker,
                   "Shell command judging one state: {dir} is its directory, {output} a file of "
                   "what the program printed before the crash; exit 0 = consistent")
      ->required();
  crashes_cmd
      ->add_option("--policy", crashes.policy,
                   "all, drop-unsynced, prefix, reorder, torn or garbage-tail")
      ->capture_default_str();
  crashes_cmd->add_option("--max-states", crashes.max_states, "Distinct states checked at most")
      ->capture_default_str()
      ->check(unsigned_in(1, std::uint64_t{1} << 32));
  crashes_cmd
      ->add_option("--max-plans", crashes.max_plans,
                   "Survival plans tried at most (several may give one state)")
      ->capture_default_str()
      ->check(unsigned_in(1, std::uint64_t{1} << 40));
  crashes_cmd->add_option("--jobs,-j", crashes.jobs, "Checkers run at once")
      ->capture_default_str()
      ->check(unsigned_in(1, 256));
  crashes_cmd->add_option("--timeout", crashes.timeout_s, "Seconds a checker may run")
      ->capture_default_str()
      ->check(unsigned_in(1, 86'400));
  crashes_cmd->add_option("--sector-bytes", crashes.sector_bytes, "Unit of a torn write")
      ->capture_default_str()
      ->check(unsigned_in(1, 1 << 20));
  crashes_cmd->add_option("--seed", crashes.seed, "Where the junk of random torn fills comes from")
      ->capture_default_str()
      ->check(unsigned_in(0, kAnySeed));
  crashes_cmd->add_option("--state", crashes.state,
                          "Check only this state (its number) and keep its directory")
      ->check(unsigned_in(1, kAnySeed));
  crashes_cmd->add_option("--work", crashes.work,
                          "Scratch directory (default: a fresh one under $TMPDIR, removed)");
  crashes_cmd->add_option("--report", crashes.report_dir, "Report folder")->capture_default_str();

  std::vector<std::string> list_paths{"scenarios"};
  CLI::App* list_cmd = app.add_subcommand("list", "List scenarios (default: scenarios/)");
  list_cmd->add_option("paths", list_paths, "Files or folders");

  std::vector<std::string> validate_files;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "Check scenario files (every key: docs/scenarios.md, or `walsim keys`)");
  CLI::App* keys_cmd = app.add_subcommand(
      "keys", "Print every scenario key: type, accepted values, default, meaning (Markdown)");
  validate_cmd->add_option("files", validate_files, "Files or folders")->required();

  TraceArgs trace_args;
  CLI::App* trace_cmd = app.add_subcommand(
      "trace", "Record a program's file-system calls: --dir D -- CMD ARGS (docs/trace.md)");
  trace_cmd->add_option("--dir", trace_args.dir,
                        "D: the directory whose file-system calls are recorded (required)");
  trace_cmd->add_option("--out,-o", trace_args.out, "The trace file to write")
      ->capture_default_str();
  trace_cmd->add_option("command", trace_args.command,
                        "After --: the program to run under ptrace, and its arguments");
  trace_cmd->require_subcommand(0, 1);
  std::string trace_show_file;
  CLI::App* trace_show_cmd =
      trace_cmd->add_subcommand("show", "Print a trace file: its header, then one line per call");
  trace_show_cmd->add_option("file", trace_show_file, "The trace file")->required();

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

  // --shard I/N, checked the same way for run and swarm.
  auto parse_shard = [](const std::string& text, std::optional<Shard>& out) {
    if (text.empty()) return true;
    out = Shard::parse(text);
    if (out) return true;
    fmt::print(stderr,
               "walsim: --shard '{}': expected I/N, two integers with 0 <= I < N <= {}\n"
               "Run 'walsim --help' for usage.\n",
               text, UINT32_MAX);
    return false;
  };
  if (run_cmd->parsed()) {
    run.sweep.seeds = seeds;
    run.sweep.seed = seed;
    run.sweep.progress = !no_progress;
    if (!parse_shard(shard, run.sweep.shard)) return kExitUsage;
    run.command = joined(argc, argv);
    return cmd_run(run);
  }
  if (swarm_cmd->parsed()) {
    swarm.sweep.progress = !swarm_no_progress;
    if (!parse_shard(swarm_shard, swarm.sweep.shard)) return kExitUsage;
    swarm.command = joined(argc, argv);
    return cmd_swarm(swarm);
  }
  if (replay_cmd->parsed()) return cmd_replay(source, replay_seed, trace);
  shrink_args.source = source;
  if (shrink_cmd->parsed()) return cmd_shrink(shrink_args);
  if (explore_cmd->parsed()) return cmd_explore(source, explore_seed, max_states);
  if (real_cmd->parsed()) {
    real.diff = real.diff || real.diff_canary;
    return cmd_real(real);
  }
  if (merge_cmd->parsed()) {
    return cmd_merge(results, merge_report, joined(argc, argv), merge_full_summary);
  }
  if (crashes_cmd->parsed()) {
    crashes.command = joined(argc, argv);
    return cmd_crashes(crashes);
  }
  if (list_cmd->parsed()) return cmd_list(list_paths);
  if (validate_cmd->parsed()) return cmd_validate(validate_files);
  if (keys_cmd->parsed()) return cmd_keys();
  if (trace_show_cmd->parsed()) return cmd_trace_show(trace_show_file);
  if (trace_cmd->parsed()) {
    if (!trace_command_after_separator(argc, argv, trace_args)) return kExitUsage;
    return cmd_trace(trace_args);
  }
  return kExitUsage;
}

}  // namespace harness
