// walctl: the operator's CLI for a wal log directory. This file only parses the command line;
// each subcommand lives in its own cmd_*.cc.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <functional>
#include <vector>
#include <string>

#include "commands.h"
#include "exit_codes.h"
#include "number_flags.h"
#include "record_format.h"
#include "wal_git_revision.h"

namespace {

using walctl::DumpFormat;

// Choice-valued options are parsed as strings, checked against these names (a bad value is a
// usage error), then converted with the library's own parsers.
const std::vector<std::string> kSyncNames = {"none", "immediate", "periodic", "grouped"};
const std::vector<std::string> kRecoveryNames = {"tolerate-tail", "absolute", "point-in-time",
                                                 "skip-corrupted"};
const std::vector<std::string> kDumpFormatNames = {"text", "json", "hex"};

DumpFormat parse_dump_format(const std::string& name) {
  if (name == "json") return DumpFormat::kJson;
  if (name == "hex") return DumpFormat::kHex;
  return DumpFormat::kText;
}

void add_dir(CLI::App* command, std::string* dir) {
  command->add_option("DIR", *dir, "log directory")->required();
}

void add_recovery(CLI::App* command, std::string* mode, const std::string& what) {
  command->add_option("--recovery", *mode, what)
      ->check(CLI::IsMember(kRecoveryNames))
      ->option_text("tolerate-tail|absolute|point-in-time|skip-corrupted");
}

// A numeric flag's check (number_flags.h) as a CLI11 validator; CLI11 names the flag.
CLI::Validator checked(const std::string& description,
                       std::function<std::string(const std::string&)> check) {
  return CLI::Validator([check](std::string& text) { return check(text); }, description);
}

wal::RecoveryMode recovery_mode(const std::string& name, wal::RecoveryMode fallback) {
  return name.empty() ? fallback : wal::parse_recovery_mode(name).value_or(fallback);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"walctl: inspect, verify, repair and exercise a wal log directory"};
  app.footer(std::string(walctl::kExitCodeTable));
  app.require_subcommand(1);
  // The revision is taken when CMake configures the build (cmake/GitRevision.cmake).
  app.set_version_flag("--version", fmt::format("walctl {} (git {})", WAL_VERSION_STRING,
                                                WAL_GIT_REVISION),
                       "print the version and the git revision it was built from, then exit");
  int exit_code = walctl::kExitOk;

  walctl::AppendArgs append;
  CLI::App* append_cmd = app.add_subcommand(
      "append", "Append one entry per stdin line (or --framed entries); print each LSN once "
                "it is as durable as --sync promises");
  add_dir(append_cmd, &append.dir);
  append_cmd->add_flag("--framed", append.framed,
                       "stdin holds frames: u32 little-endian length, then that many bytes");
  append_cmd->add_flag("--create-in-nonempty", append.create_in_nonempty,
                       "start a new log even in a directory that holds other files (without "
                       "it, such a directory is refused with exit 7)");
  std::string sync_name = "grouped";
  append_cmd->add_option("--sync", sync_name, "sync policy (default grouped)")
      ->check(CLI::IsMember(kSyncNames))
      ->option_text("none|immediate|periodic|grouped");
  append_cmd->add_option("--segment-bytes", append.segment_bytes,
                         "segment capacity for a new segment (default 64 MiB)")
      ->check(checked("BYTES", [](const std::string& text) {
        return walctl::check_whole_number(
            text, wal::format::kSegmentHeaderBytes + wal::format::record_bytes(1),
            wal::format::kMaxSegmentBytes, "a segment size in bytes");
      }));
  append_cmd->callback([&] {
    append.sync = wal::parse_sync_policy(sync_name).value_or(wal::SyncPolicy::kGrouped);
    exit_code = walctl::run_append(append);
  });

  walctl::DumpArgs dump;
  CLI::App* dump_cmd =
      app.add_subcommand("dump", "Print the entries of a log (read-only: changes nothing)");
  add_dir(dump_cmd, &dump.dir);
  dump_cmd->add_option("--from", dump.from, "first LSN to print (default: the oldest entry)")
      ->check(checked("LSN", walctl::check_lsn));
  std::string dump_format = "text";
  dump_cmd->add_option("--format", dump_format, "text: LSN<TAB>type<TAB>escaped payload; "
                                                "json: one object per line; hex: hexdump")
      ->check(CLI::IsMember(kDumpFormatNames))
      ->option_text("text|json|hex");
  std::string dump_recovery;
  add_recovery(dump_cmd, &dump_recovery, "how to treat damage while opening (default tolerate-tail)");
  dump_cmd->callback([&] {
    dump.format = parse_dump_format(dump_format);
    dump.recovery = recovery_mode(dump_recovery, dump.recovery);
    exit_code = walctl::run_dump(dump);
  });

  walctl::VerifyArgs verify;
  CLI::App* verify_cmd = app.add_subcommand(
      "verify", "Scan every segment (read-only) and say clean / torn tail / corrupt at "
                "segment + offset + LSN; exit 0 only when clean");
  add_dir(verify_cmd, &verify.dir);
  verify_cmd->add_flag("--json", verify.json, "print the report as one JSON object");
  std::string verify_recovery;
  add_recovery(verify_cmd, &verify_recovery,
               "judge as an open in this mode would (default skip-corrupted: list every "
               "damaged range)");
  verify_cmd->callback([&] {
    verify.recovery = recovery_mode(verify_recovery, verify.recovery);
    exit_code = walctl::run_verify(verify);
  });

  walctl::StatArgs stat;
  CLI::App* stat_cmd = app.add_subcommand(
      "stat", "Segments (names, sizes, LSN ranges), first/last LSN, checkpoint, format");
  add_dir(stat_cmd, &stat.dir);
  stat_cmd->add_flag("--json", stat.json, "print as one JSON object");
  stat_cmd->callback([&] { exit_code = walctl::run_stat(stat); });

  walctl::RepairArgs repair;
  CLI::App* repair_cmd = app.add_subcommand(
      "repair", "Cut a torn tail as an open would, first keeping the cut bytes in a side "
                "file <segment>.cut-<offset>; mid-log corruption is refused unless a salvage "
                "--recovery mode is asked for");
  add_dir(repair_cmd, &repair.dir);
  repair_cmd->add_flag("--dry-run", repair.dry_run, "say what would be done; change nothing");
  std::string repair_recovery;
  add_recovery(repair_cmd, &repair_recovery,
               "tolerate-tail (default) cuts only a torn tail; point-in-time and "
               "skip-corrupted salvage past corruption");
  repair_cmd->callback([&] {
    repair.recovery = recovery_mode(repair_recovery, repair.recovery);
    exit_code = walctl::run_repair(repair);
  });

  walctl::BenchArgs bench;
  CLI::App* bench_cmd = app.add_subcommand(
      "bench", "Quick appends/s (100 B entries) per sync policy and fdatasync latency of the "
               "disk under DIR (a few seconds; uses and removes DIR/walctl-bench-*)");
  add_dir(bench_cmd, &bench.dir);
  bench_cmd->add_option("--seconds", bench.seconds_per_case, "time per measurement")
      ->check(checked("0.05..60", [](const std::string& text) {
        return walctl::check_seconds(text, 0.05, 60.0);
      }));
  bench_cmd->callback([&] { exit_code = walctl::run_bench(bench); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(error);  // --help
    }
    fmt::print(stderr, "walctl: {}\nRun 'walctl --help' (or 'walctl COMMAND --help') for usage.\n",
               error.what());
    return walctl::kExitUsage;
  }
  return exit_code;
}
