// walsim crashes T --checker 'CMD {dir}': the crash states of a recorded program, each checked
// by the user's checker on a real directory, the failures explained and grouped (SPEC 9.4,
// docs/trace.md).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "crashes/crashes.h"
#include "sim/walsim/commands.h"
#include "sim/walsim/crashes_report.h"
#include "sim/walsim/exit_codes.h"
#include "systrace/trace_file.h"

namespace walsim {
namespace {

std::string default_work_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return fmt::format("{}/walsim-crashes-{}", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp",
                     ::getpid());
}

std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) {
    trimmed.pop_back();
  }
  const std::size_t newline = trimmed.rfind('\n');
  std::string line = newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
  if (line.size() > 160) line = line.substr(0, 157) + "...";
  return line;
}

}  // namespace

int cmd_crashes(const CrashesArgs& args) {
  systrace::Trace trace;
  if (std::string error = systrace::read_trace_file(args.trace, trace); !error.empty()) {
    fmt::print(stderr, "walsim crashes: {}\n", error);
    return std::filesystem::exists(args.trace) ? kExitSyntax : kExitIo;
  }
  crashes::CrashesOptions options;
  options.checker = args.checker;
  if (args.policy != "all") {
    const std::optional<faults::CrashPolicy> policy = faults::parse_crash_policy(args.policy);
    // A process crash loses nothing a recording could show: not a state to check.
    if (!policy || *policy == faults::CrashPolicy::kProcess) {
      fmt::print(stderr,
                 "walsim crashes: --policy {}: not one of all, drop-unsynced, prefix, reorder, "
                 "torn, garbage-tail\n",
                 args.policy);
      return kExitUsage;
    }
    options.policies = {*policy};
  }
  options.max_states = args.max_states;
  options.max_plans = args.max_plans;
  options.jobs = args.jobs;
  options.timeout_ms = args.timeout_s * 1000;
  options.sector_bytes = args.sector_bytes;
  options.seed = args.seed;
  options.only_state = args.state;
  options.work_dir = args.work.empty() ? default_work_dir() : args.work;
  const std::string repro_prefix =
      fmt::format("{} crashes {} --checker {} --policy {} --max-states {} --max-plans {} "
                  "--sector-bytes {} --seed {}",
                  program_name(), args.trace, crashes::shell_quote(args.checker), args.policy,
                  args.max_states, args.max_plans, args.sector_bytes, args.seed);

  const crashes::CrashesResult result = crashes::check_crashes(trace, options);
  const auto cleanup = [&] {
    if (args.work.empty() && !args.state) {
      std::error_code ignored;
      std::filesystem::remove_all(options.work_dir, ignored);
    }
  };
  switch (result.problem) {
    case crashes::Problem::kNone:
      break;
    case crashes::Problem::kReplay:
      fmt::print(stderr, "walsim crashes: {}: cannot replay the trace: {}\n", args.trace,
                 result.error);
      cleanup();
      return kExitUnmodellable;
    case crashes::Problem::kChecker:
      fmt::print(stderr, "walsim crashes: {}\n", result.error);
      cleanup();
      return kExitCheckerRejects;
    case crashes::Problem::kNoSuchState:
      fmt::print(stderr, "walsim crashes: --state {}: {}\n", *args.state, result.error);
      return kExitUsage;
    case crashes::Problem::kIo:
      fmt::print(stderr, "walsim crashes: {}\n", result.error);
      cleanup();
      return kExitIo;
  }

  if (result.only) {
    const crashes::FailedState& one = *result.only;
    fmt::print("state {}: a power loss after call {}\n", one.state.number, one.state.point);
    if (one.state.point >= 1 && one.state.point <= trace.calls.size()) {
      fmt::print("  {}\n", systrace::show_call(trace.calls[one.state.point - 1],
                                               one.state.point));
    }
    fmt::print("what the power loss did: {}\n", one.plan);
    fmt::print("written to: {}\n", result.only_dir);
    fmt::print("checker: {}\n{}", one.run.verdict(), one.run.output);
    fmt::print("verdict: {}\n", one.run.passed ? "pass" : "fail");
    return one.run.passed ? kExitOk : kExitMismatch;
  }

  fmt::print("trace:      {} ({} calls of `{}`)\n", args.trace, trace.calls.size(),
             fmt::join(trace.command, " "));
  fmt::print("checker:    {}\n", args.checker);
  fmt::print("searched:   {} crash points, {} plans, {} distinct states{}\n",
             result.search.points, result.search.plans, result.search.states,
             result.search.complete       ? ""
             : result.search.plans_bound ? " (bound hit: raise --max-plans)"
                                         : " (bound hit: raise --max-states)");
  fmt::print("checked:    {} states, {} failed; {} checker runs to explain them\n",
             result.checked, result.failed, result.probes);
  fmt::print("vulnerabilities: {}\n", result.vulnerabilities.size());
  std::size_t index = 0;
  for (const crashes::Vulnerability& found : result.vulnerabilities) {
    fmt::print("  {}. [{}] {}\n", ++index, crashes::to_string(found.explanation.assumption),
               found.sentence);
    fmt::print("     {} states at {} crash points; first: state {} ({})\n", found.states,
               found.points.size(), found.first.state.number, found.first.plan);
    fmt::print("     checker: {}: {}\n", found.first.run.verdict(),
               last_line(found.first.run.output));
    fmt::print("     repro: {} --state {}\n", repro_prefix, found.first.state.number);
  }
  std::string error;
  const ReportFolder report =
      resolve_report_folder(args.report_dir, "crashes", "latest-crashes", error);
  if (!error.empty()) {
    fmt::print(stderr, "walsim crashes: {}\n", error);
    cleanup();
    return kExitIo;
  }
  reports::Sweep sweep = crashes_sweep(
      trace, args.trace, result,
      fmt::format("policy {}, max-states {}, sector {} B, seed {}, checker: {}", args.policy,
                  args.max_states, args.sector_bytes, args.seed, args.checker),
      repro_prefix);
  sweep.command = args.command;
  sweep.jobs = args.jobs;
  cleanup();
  const int code = finish_sweep(sweep, report, "walsim crashes", false);
  if (code != kExitOk && code != kExitMismatch) return code;
  return result.vulnerabilities.empty() ? kExitOk : kExitMismatch;
}

}  // namespace walsim
