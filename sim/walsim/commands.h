// The walsim subcommands (SPEC 6). Each returns its exit code (exit_codes.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/walsim/load_one.h"
#include "sim/walsim/report_folder.h"
#include "sim/walsim/sweep.h"

namespace walsim {

// The name the command lines this binary prints start with (repro and shrink commands): the
// basename of argv[0] as walsim_main saw it, "walsim" before that. A user's own walsim
// (walsim_main.h) prints its own name.
const std::string& program_name();
void set_program_name(std::string_view argv0);

struct RunArgs {
  std::vector<std::string> paths;
  SweepOptions sweep;
  std::string report_dir{kNewRunReport};  // report_folder.h: a new folder, and `latest`
  std::string command;  // the command line, for the report
  bool mutants_off = false;  // bug-zoo scenarios run with their mutant off, expecting "pass"
  bool full_summary = false;  // summary.json: every passing seed too, not folded
};
int cmd_run(const RunArgs& args);

int cmd_replay(const ScenarioSource& source, std::uint64_t seed, bool trace);

struct SwarmArgs {
  std::optional<std::uint64_t> seeds;    // default 1000 without --seconds
  std::optional<std::uint64_t> seconds;  // rounds of seeds until this much wall time passed
  std::uint64_t first_seed = 1;
  std::string target = "wal";
  std::optional<std::string> mutant;     // hunt this bug-zoo mutant: stop at its first catch
  bool media_faults = false;             // --media-faults (load_one.h swarm_media_faults)
  bool no_media_faults = false;          // --no-media-faults
  // --until-covered [PATTERN]: stop once every listed coverage cell matching PATTERN is reached
  // (harness::cell_matches; "*" is all of them).
  std::optional<std::string> until_covered;
  bool steer = false;     // --steer: choose seeds toward unreached cells (scenario_coverage.h)
  bool no_steer = false;  // --no-steer: consecutive seeds even with --until-covered
  SweepOptions sweep;
  std::string report_dir{kNewSwarmReport};  // a new folder, and `latest-swarm`
  bool full_summary = false;
  std::string command;
};
int cmd_swarm(const SwarmArgs& args);

struct ShrinkArgs {
  ScenarioSource source;
  std::uint64_t seed = 0;
  std::string out;  // "": kShrunkFolder/<file's stem>-seed<S>.shrunk.toml (report_folder.h)
  std::uint64_t max_runs = 20000;
};
int cmd_shrink(const ShrinkArgs& args);

int cmd_explore(const ScenarioSource& source, std::optional<std::uint64_t> seed,
                std::uint64_t max_states);
struct RealArgs {
  std::string file;
  std::string dir;  // "": a fresh directory under $WAL_BUILD_DIR, else $TMPDIR, else /tmp
  bool kill = false;  // none of kill, fiu, diff: kill and fiu
  bool fiu = false;
  bool diff = false;  // harness::diff_fs_ops and diff_wal per seed
  bool diff_canary = false;  // --diff over a SimFs that drops its 3rd write: must mismatch
  std::uint64_t seeds = 10;  // seeds first_seed .. first_seed + seeds - 1
  std::optional<std::uint64_t> seed;  // only this one
};
int cmd_real(const RealArgs& args);
// walsim crashes (SPEC 9.4, docs/trace.md).
inline constexpr std::string_view kNewCrashesReport = "reports/out/<time>-crashes";
struct CrashesArgs {
  std::string trace;
  std::string checker;
  std::string policy = "all";
  std::uint64_t max_states = 10'000;
  std::uint64_t max_plans = 200'000;
  std::uint32_t jobs = 1;
  std::uint64_t timeout_s = 10;
  std::uint32_t sector_bytes = 4096;
  std::uint64_t seed = 1;              // the junk of random torn fills
  std::optional<std::uint64_t> state;  // --state N: only that one, its directory kept
  std::string work;                    // scratch directory ("": a fresh one under $TMPDIR)
  std::string report_dir{kNewCrashesReport};
  std::string command;
};
int cmd_crashes(const CrashesArgs& args);

int cmd_merge(const std::vector<std::string>& results, const std::string& report_dir,
              const std::string& command, bool full_summary);
int cmd_list(const std::vector<std::string>& paths);
// The scenario key reference (docs/scenarios.md) as a Markdown table.
int cmd_keys();

int cmd_validate(const std::vector<std::string>& files);

// `walsim trace` (SPEC 9.4, docs/trace.md): records a run of any program into a trace file.
struct TraceArgs {
  std::string dir;                   // D, the directory whose calls are recorded
  std::string out = "walsim.trace";  // where the trace goes
  std::vector<std::string> command;  // what to run: the words after `--`
};
int cmd_trace(const TraceArgs& args);
// `walsim trace show T`: the trace's header and one line per call.
int cmd_trace_show(const std::string& path);

// Prints the per-scenario table and the failure lines of a sweep to stdout.
void print_summary(const reports::Sweep& sweep);
// Writes the sweep's report to `report.dir` (none when empty), points report.link at it, and gives
// the exit code: kExitOk iff every scenario matched, kExitIo when the report cannot be written
// (`who` prefixes it). every_seed: summary.json lists passing seeds one by one too.
int finish_sweep(const reports::Sweep& sweep, const ReportFolder& report, std::string_view who,
                 bool every_seed);

}  // namespace walsim
