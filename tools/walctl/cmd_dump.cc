// walctl dump: streams entries through a Reader on a read-only open (no lock, no repair, no
// writes), so it is safe on a live log and on a damaged one.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <wal/log.h>

#include <cstdio>
#include <string>

#include "commands.h"
#include "entry_type_name.h"
#include "exit_codes.h"
#include "log_dir.h"
#include "text_codec.h"

namespace walctl {
namespace {

constexpr std::size_t kFlushBytes = 1 << 16;

void render(const wal::Entry& entry, DumpFormat format, std::string& out) {
  switch (format) {
    case DumpFormat::kText:
      out += fmt::format("{}\t{}\t", entry.lsn, entry_type_name(entry.type));
      append_escaped(out, entry.payload);
      out += '\n';
      return;
    case DumpFormat::kJson: {
      nlohmann::json line;
      line["lsn"] = entry.lsn;
      line["type"] = entry_type_name(entry.type);
      line["bytes"] = entry.payload.size();
      if (is_plain_text(entry.payload)) {
        line["encoding"] = "text";
        line["payload"] = std::string(reinterpret_cast<const char*>(entry.payload.data()),
                                      entry.payload.size());
      } else {
        line["encoding"] = "base64";
        line["payload"] = base64(entry.payload);
      }
      out += line.dump();
      out += '\n';
      return;
    }
    case DumpFormat::kHex:
      out += fmt::format("lsn {} {} {} bytes\n", entry.lsn, entry_type_name(entry.type),
                         entry.payload.size());
      append_hexdump(out, entry.payload);
      return;
  }
}

void write_out(std::string& out) {
  std::fwrite(out.data(), 1, out.size(), stdout);
  out.clear();
}

// Streams the entries of `log` from `from` (kNoLsn: the oldest) to stdout; an exit code.
// `checked_from`: a --from outside the log is a usage error (else nothing is printed).
int print_entries(wal::Log& log, const DumpArgs& args, bool checked_from) {
  const wal::RecoveryReport& report = log.recovery_report();
  if (report.last_good_lsn == wal::kNoLsn) return kExitOk;  // an empty log
  const wal::Lsn from = args.from == wal::kNoLsn ? report.first_lsn : args.from;
  if (from < report.first_lsn || from > report.last_good_lsn) {
    if (!checked_from) return kExitOk;
    fmt::print(stderr, "walctl dump: --from {} is outside the log, which holds LSNs {}..{}\n",
               from, report.first_lsn, report.last_good_lsn);
    return kExitUsage;
  }
  wal::Result<std::unique_ptr<wal::Reader>> reader = log.reader(from);
  if (!reader) return report_failure("dump", reader.error());

  std::string out;
  for (;;) {
    wal::Result<std::optional<wal::Entry>> entry = (*reader)->next();
    if (!entry) {
      write_out(out);
      std::fflush(stdout);
      return report_failure("dump", entry.error());
    }
    if (!entry->has_value()) break;
    render(**entry, args.format, out);
    if (out.size() >= kFlushBytes) write_out(out);
  }
  write_out(out);
  if (std::fflush(stdout) != 0) {
    return report_failure("dump", wal::Status::from_errno(errno, "write stdout"));
  }
  return kExitOk;
}

// The mode refused the log for damage: the entries before the first damage are still good,
// so print them first. A point-in-time open cuts at the first damage, so nothing at or after
// it is printed. Then the refusal is reported (exit 4).
int print_before_damage(const DumpArgs& args, const wal::Status& refusal) {
  wal::Result<std::unique_ptr<wal::Log>> opened =
      wal::Log::open(args.dir, read_only_options(wal::RecoveryMode::kPointInTime, args.fs));
  if (opened) {
    const int printed = print_entries(**opened, args, /*checked_from=*/false);
    (*opened)->close().ignore_error("read-only; the refusal is what to report");
    if (printed != kExitOk) return printed;
  }
  return report_failure("dump", refusal);
}

}  // namespace

int run_dump(const DumpArgs& args) {
  wal::Fs& fs = fs_or_posix(args.fs);
  if (auto code = check_log_dir(fs, "dump", args.dir)) return *code;
  if (auto code = check_holds_log(fs, "dump", args.dir)) return *code;
  wal::Result<std::unique_ptr<wal::Log>> opened =
      wal::Log::open(args.dir, read_only_options(args.recovery, args.fs));
  if (!opened) {
    if (opened.error().code() == wal::Code::kCorruption) {
      return print_before_damage(args, opened.error());
    }
    return report_failure("dump", opened.error());
  }
  wal::Log& log = **opened;
  const int printed = print_entries(log, args, /*checked_from=*/true);
  if (printed != kExitOk) return printed;
  wal::Status closed = log.close();
  if (!closed.is_ok()) return report_failure("dump", closed);
  return kExitOk;
}

}  // namespace walctl
