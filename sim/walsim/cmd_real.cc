// `walsim real` (SPEC 4.5): the scenario's seeds on the real disk, killed with SIGKILL (run_kill)
// and/or failed through libfiu's syscall points (run_fiu), judged by the harness's oracle.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/vfs.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "sim/harness/mutants.h"
#include "sim/harness/real_disk.h"
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

}  // namespace

int cmd_real(const RealArgs& args) {
  const LoadedScenarios loaded = load_scenarios({args.file}, true);
  for (const ScenarioError& e : loaded.errors) fmt::print(stderr, "{}\n", e.to_string());
  if (!loaded.errors.empty()) return loaded.exit_code;
  const Scenario& scenario = loaded.scenarios.front();
  if (args.diff) {
    fmt::print(stderr,
               "walsim real --diff: not available in this build yet: the PosixFs-vs-SimFs "
               "differential still lives only in tests/faults/differential_test.cc\n");
    return kExitUnavailable;
  }
  if (scenario.target != "wal") {
    fmt::print(stderr, "walsim real: {}: target \"{}\": the real-disk modes run the WAL only\n",
               args.file, scenario.target);
    return kExitUnavailable;
  }
  if (scenario.lying_fsync) {
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

  std::vector<Mode> modes;
  const bool both = !args.kill && !args.fiu;
  if (args.kill || both) modes.push_back({"kill", &harness::run_kill});
  if (args.fiu || both) modes.push_back({"fiu", &harness::run_fiu});
  std::vector<std::uint64_t> seeds;
  if (args.seed) {
    seeds.push_back(*args.seed);
  } else {
    for (std::uint64_t i = 0; i < args.seeds; ++i) seeds.push_back(scenario.first_seed + i);
  }

  // The WAL logs each injected error it meets; every run's verdict below says what broke.
  spdlog::set_level(spdlog::level::off);
  std::optional<harness::ScopedMutant> mutant;
  if (scenario.mutant) mutant.emplace(*scenario.mutant);
  fmt::print("scenario: {} ({})\ndir:      {}\n", scenario.name, scenario.file, root.string());
  std::uint64_t runs = 0;
  std::uint64_t failed = 0;
  std::uint64_t killed = 0;
  for (const Mode& mode : modes) {
    for (std::uint64_t seed : seeds) {
      const stdfs::path dir = root / fmt::format("{}-{}", mode.name, seed);
      const harness::RealResult result = mode.run(scenario.config, seed, dir.string());
      ++runs;
      if (result.killed) ++killed;
      std::string faults;
      for (const auto& [kind, count] : result.faults_injected) {
        faults += fmt::format(" {}={}", kind, count);
      }
      fmt::print("{:<4} seed {:<6} {}  ops {}/{} returned{}{}\n", mode.name, seed,
                 result.passed ? "pass" : "FAIL", result.ops_returned, result.ops_started,
                 result.killed ? ", killed" : "", faults.empty() ? "" : ", faults" + faults);
      if (!result.passed) {
        ++failed;
        fmt::print("  {}\n  kept: {}\n  repro: walsim real {} --{} --seed {}\n", result.failure,
                   dir.string(), scenario.file, mode.name, seed);
        continue;
      }
      stdfs::remove_all(dir, error);
    }
  }
  fmt::print("summary: {} run(s), {} passed, {} failed; {} killed mid-workload\n", runs,
             runs - failed, failed, killed);
  if (failed == 0) stdfs::remove_all(root, error);
  return failed == 0 ? kExitOk : kExitMismatch;
}

}  // namespace walsim
