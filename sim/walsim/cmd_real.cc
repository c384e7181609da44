// `walsim real` (SPEC 4.5): the scenario's seeds on the real disk, killed with SIGKILL (run_kill)
// and/or failed through libfiu's syscall points (run_fiu), judged by the harness's oracle; and
// with --diff, the same seeds' work on PosixFs and on SimFs side by side (differential.h).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/vfs.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sim/harness/differential.h"
#include "sim/harness/mutants.h"
#include "sim/harness/quiet_log.h"
#include "sim/harness/real_disk.h"
#include "sim/harness/target.h"
#include "sim/walsim/commands.h"
#include "sim/walsim/exit_codes.h"
#include "sim/walsim/scenario_files.h"

namespace walsim {
namespace {

namespace stdfs = std::filesystem;

// linux/magic.h's value; spelled here to keep the kernel headers out.
constexpr long kTmpfsMagic = 0x01021994;

bool on_tmpfs(const stdfs::path& dir) {
  struct statfs info {};
  return ::statfs(dir.c_str(), &info) == 0 && static_cast<long>(info.f_type) == kTmpfsMagic;
}

stdfs::path default_parent() {
  for (const char* name : {"WAL_BUILD_DIR", "TMPDIR"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  }
  return "/tmp";
}

// A new directory "walsim-real-XXXXXX" under `parent`; empty on failure.
stdfs::path fresh_dir(const stdfs::path& parent) {
  std::string pattern = (parent / "walsim-real-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

struct Mode {
  const char* name;
  harness::RealResult (*run)(const harness::RunConfig&, std::uint64_t, const std::string&);
};

// The repro of one seed of one mode: the exact command, with --dir when one was given.
std::string repro(const RealArgs& args, const std::string& file, const char* mode,
                  std::uint64_t seed) {
  const bool canary = args.diff_canary && std::string_view(mode) == "diff";
  return fmt::format("walsim real {} --{} --seed {}{}", file, canary ? "diff-canary" : mode, seed,
                     args.dir.empty() ? "" : " --dir " + args.dir);
}

struct Tally {
  std::uint64_t runs = 0;
  std::uint64_t failed = 0;
};

// --kill / --fiu: one line per seed, the failure and its repro under a failing one.
Tally run_mode(const Mode& mode, const RealArgs& args, const Scenario& scenario,
               const std::vector<std::uint64_t>& seeds, const stdfs::path& root,
               std::uint64_t& killed) {
  Tally tally;
  std::error_code error;
  for (std::uint64_t seed : seeds) {
    const stdfs::path dir = root / fmt::format("{}-{}", mode.name, seed);
    const harness::RealResult result = mode.run(scenario.config, seed, dir.string());
    ++tally.runs;
    if (result.killed) ++killed;
    std::string faults;
    for (const auto& [kind, count] : result.faults_injected) {
      faults += fmt::format(" {}={}", kind, count);
    }
    fmt::print("{:<4} seed {:<6} {}  ops {}/{} returned{}{}\n", mode.name, seed,
               result.passed ? "pass" : "FAIL", result.ops_returned, result.ops_started,
               result.killed ? ", killed" : "", faults.empty() ? "" : ", faults" + faults);
    if (!result.passed) {
      ++tally.failed;
      fmt::print("  {}\n  kept: {}\n  repro: {}\n", result.failure, dir.string(),
                 repro(args, scenario.file, mode.name, seed));
      continue;
    }
    stdfs::remove_all(dir, error);
  }
  return tally;
}

// --diff: per seed, the raw fs sequence and the WAL workload, each on PosixFs under the seed's
// directory and on SimFs; OK, or each part's first mismatch on a line ending with its repro.
Tally run_diff(const RealArgs& args, const Scenario& scenario,
               const std::vector<std::uint64_t>& seeds, const stdfs::path& root) {
  Tally tally;
  std::uint64_t ops = 0;
  std::uint64_t snapshots = 0;
  std::error_code error;
  harness::DiffOptions options;
  if (args.diff_canary) {
    options.decorate_sim = [](wal::Fs& sim) {
      return std::make_unique<harness::DropNthWrite>(sim, 3);
    };
    fmt::print("canary:   the SimFs side drops its 3rd write; every seed must mismatch\n");
  }
  for (std::uint64_t seed : seeds) {
    const stdfs::path dir = root / fmt::format("diff-{}", seed);
    const harness::DiffResult fs_ops = harness::diff_fs_ops(
        harness::fs_ops_config(scenario.config), seed, (dir / "fs").string(), options);
    // The WAL's own workload, or a registered target's (its store on both filesystems).
    const bool is_wal = scenario.target == "wal";
    const harness::DiffResult wal =
        is_wal ? harness::diff_wal(scenario.config, seed, dir.string(), options)
               : harness::diff_target(scenario.config, seed, (dir / "target").string(), options);
    ++tally.runs;
    ops += fs_ops.ops + wal.ops;
    snapshots += fs_ops.snapshots + wal.snapshots;
    if (fs_ops.ok && wal.ok) {
      if (is_wal) {
        fmt::print("diff seed {:<6} OK  fs: {} calls, {} file checks; wal: {} calls, {} file "
                   "checks, {} entries recovered alike\n",
                   seed, fs_ops.ops, fs_ops.snapshots, wal.ops, wal.snapshots, wal.entries);
      } else {
        fmt::print("diff seed {:<6} OK  fs: {} calls, {} file checks; {}: {} calls, {} file "
                   "checks, its check alike\n",
                   seed, fs_ops.ops, fs_ops.snapshots, scenario.target, wal.ops, wal.snapshots);
      }
      stdfs::remove_all(dir, error);
      continue;
    }
    ++tally.failed;
    const char* store = is_wal ? "wal" : scenario.target.c_str();
    for (const auto& [part, result] : {std::pair{"fs", &fs_ops}, std::pair{store, &wal}}) {
      if (result->ok) continue;
      fmt::print("diff seed {:<6} MISMATCH  {}: {}  repro: {}\n", seed, part,
                 result->first_mismatch, repro(args, scenario.file, "diff", seed));
    }
    fmt::print("  kept: {}\n", dir.string());
  }
  fmt::print("summary: diff {} seed(s), {} matched, {} mismatched; {} calls and {} file checks "
             "compared\n",
             tally.runs, tally.runs - tally.failed, tally.failed, ops, snapshots);
  if (args.diff_canary) {
    // The canary is meant to mismatch: it passes when the differential caught the dropped
    // write on every seed, and fails (a differential that cannot see a lost write) otherwise.
    const std::uint64_t missed = tally.runs - tally.failed;
    if (missed == 0) {
      fmt::print("canary caught, as expected: all {} seed(s) mismatched\n", tally.runs);
    } else {
      fmt::print("canary NOT caught on {} of {} seed(s): the differential missed a dropped "
                 "write\n",
                 missed, tally.runs);
    }
    return {tally.runs, missed};
  }
  return tally;
}

}  // namespace

int cmd_real(const RealArgs& args) {
  const LoadedScenarios loaded = load_scenarios({args.file}, true);
  print_scenario_errors(loaded.errors);
  if (!loaded.errors.empty()) return loaded.exit_code;
  const Scenario& scenario = loaded.scenarios.front();
  if (scenario.target != "wal") {
    // A registered target: only the differential, and only one that makes no threads.
    const harness::TargetInfo* info = harness::find_target(scenario.target);
    if (args.kill || args.fiu || !args.diff) {
      fmt::print(stderr,
                 "walsim real: {}: target \"{}\": --kill and --fiu run the WAL only; a "
                 "registered target runs on a real disk with --diff\n",
                 args.file, scenario.target);
      return kExitUnavailable;
    }
    if (info == nullptr || !info->single_threaded) {
      fmt::print(stderr,
                 "walsim real: {}: target \"{}\" makes threads of its own; --diff runs a "
                 "single-threaded target (sqlite)\n",
                 args.file, scenario.target);
      return kExitUnavailable;
    }
  }
  std::vector<Mode> modes;
  const bool neither = !args.kill && !args.fiu && !args.diff;
  if (args.kill || neither) modes.push_back({"kill", &harness::run_kill});
  if (args.fiu || neither) modes.push_back({"fiu", &harness::run_fiu});
  // The differential runs clean on both sides: a lying device is no obstacle to it.
  if (scenario.lying_fsync && !modes.empty()) {
    fmt::print(stderr,
               "walsim real: {}: [device] lying_fsync is a simulated device; a real disk "
               "cannot play it\n",
               args.file);
    return kExitUnavailable;
  }

  const bool given = !args.dir.empty();
  const stdfs::path parent = given ? stdfs::path(args.dir) : default_parent();
  std::error_code error;
  stdfs::create_directories(parent, error);
  if (error) {
    fmt::print(stderr, "walsim real: cannot create {}: {}\n", parent.string(), error.message());
    return kExitIo;
  }
  if (on_tmpfs(parent)) {
    fmt::print(stderr,
               "walsim real: {} is on tmpfs, where fsync costs nothing and a kill loses nothing "
               "the page cache holds: nothing would be tested. Pass --dir on a real disk "
               "(ext4, xfs, btrfs)\n",
               parent.string());
    return kExitUnavailable;
  }
  const stdfs::path root = fresh_dir(parent);
  if (root.empty()) {
    fmt::print(stderr, "walsim real: cannot create a directory under {}\n", parent.string());
    return kExitIo;
  }

  std::vector<std::uint64_t> seeds;
  if (args.seed) {
    seeds.push_back(*args.seed);
  } else {
    for (std::uint64_t i = 0; i < args.seeds; ++i) seeds.push_back(scenario.first_seed + i);
  }

  spdlog::set_level(spdlog::level::off);
  harness::quiet_wal_log();
  std::optional<harness::ScopedMutant> mutant;
  if (scenario.mutant) mutant.emplace(*scenario.mutant);
  fmt::print("scenario: {} ({})\ndir:      {}\n", scenario.name, scenario.file, root.string());
  std::uint64_t failed = 0;
  if (!modes.empty()) {
    Tally tally;
    std::uint64_t killed = 0;
    for (const Mode& mode : modes) {
      const Tally one = run_mode(mode, args, scenario, seeds, root, killed);
      tally.runs += one.runs;
      tally.failed += one.failed;
    }
    fmt::print("summary: {} run(s), {} passed, {} failed; {} killed mid-workload\n", tally.runs,
               tally.runs - tally.failed, tally.failed, killed);
    failed += tally.failed;
  }
  if (args.diff) failed += run_diff(args, scenario, seeds, root).failed;
  // A caught canary mismatched on purpose and printed where each seed's files were kept.
  if (failed == 0 && !args.diff_canary) stdfs::remove_all(root, error);
  return failed == 0 ? kExitOk : kExitMismatch;
}

}  // namespace walsim
