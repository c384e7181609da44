// walctl verify: a full read-only scan through wal::verify (never locks, never writes).
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <wal/log.h>

#include <cstdio>

#include "commands.h"
#include "exit_codes.h"
#include "log_dir.h"
#include "report_json.h"

namespace walctl {
namespace {

std::string headline(const wal::RecoveryReport& report) {
  if (report.clean()) return "clean";
  std::string text;
  for (const wal::DamagedRange& range : report.damage) {
    const bool tail = range.kind == wal::DamageKind::kTornTail;
    text += fmt::format("{} in segment {} at offset {}, lsn {} ({}, {} bytes): {}\n",
                        tail ? "torn tail" : "corrupt", range.segment, range.offset, range.lsn,
                        wal::to_string(range.kind), range.length, range.reason);
  }
  text.pop_back();
  return text;
}

}  // namespace

int run_verify(const VerifyArgs& args) {
  wal::Fs& fs = fs_or_posix(args.fs);
  if (auto code = check_log_dir(fs, "verify", args.dir)) return *code;
  if (auto code = check_holds_log(fs, "verify", args.dir)) return *code;
  wal::Result<wal::RecoveryReport> report =
      wal::verify(fs, args.dir, read_only_options(args.recovery));
  if (!report) {
    // The mode judged the damage fatal: that is a finding, not a failure of verify itself.
    const wal::Status& error = report.error();
    const bool damage = error.code() == wal::Code::kCorruption;
    if (args.json) {
      nlohmann::json out{{"status", damage ? "corrupt" : "error"},
                         {"code", wal::code_name(error.code())},
                         {"message", error.message()}};
      fmt::print("{}\n", out.dump());
    } else if (damage) {
      fmt::print("corrupt: {}\n", error.message());
    }
    if (damage) return kExitDamage;
    // Not a finding but a failure: stderr gets the error line in both output formats.
    return report_failure("verify", error);
  }
  if (args.json) {
    fmt::print("{}\n", to_json(*report).dump());
  } else {
    fmt::print("{}\n{}", headline(*report), report->to_string());
  }
  return report->clean() ? kExitOk : kExitDamage;
}

}  // namespace walctl
