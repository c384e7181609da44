// walctl repair: does what an open in the chosen recovery mode does (the WAL's own open makes
// the cut), but first copies every byte that open will drop into a side file next to its
// segment, "<segment>.cut-<offset>", synced before anything is cut. Mid-log corruption is
// refused unless a salvage mode (point-in-time, skip-corrupted) is asked for. An entry of the
// log that is not there to read (a damaged FRONT, which every open ignores; in a salvage mode an
// unreadable segment, where point-in-time cuts) is moved aside whole first. A repair of a
// repaired log finds everything already kept and writes nothing.
#include <fmt/format.h>
#include <wal/log.h>

#include <array>
#include <cstdio>
#include <optional>
#include <set>
#include <vector>

#include "commands.h"
#include "exit_codes.h"
#include "log_dir.h"
#include "recovery.h"
#include "repair_plan.h"
#include "side_files.h"
#include "unreadable_entries.h"

namespace walctl {
namespace {

bool is_salvage(wal::RecoveryMode mode) {
  return mode == wal::RecoveryMode::kPointInTime || mode == wal::RecoveryMode::kSkipCorrupted;
}

const std::string kFront(wal::recovery::kFrontMarkerName);

// Why FRONT, a readable file, is damaged (its bytes do not decode), or nullopt if it is fine.
std::optional<std::string> damaged_front(wal::Fs& fs, const std::string& dir) {
  auto file = fs.open(wal::join_path(dir, kFront), wal::OpenMode::kReadOnly);
  if (!file) return std::nullopt;  // missing (fine) or unreadable (unreadable_entries says so)
  std::array<std::byte, wal::recovery::kFrontMarkerBytes + 1> bytes{};
  wal::Result<std::size_t> n = (*file)->read_at(0, bytes);
  if (!n) return std::nullopt;
  if (wal::recovery::decode_front_marker(std::span(bytes).first(*n))) return std::nullopt;
  return std::string("is damaged (every open ignores it)");
}

// Entries to move aside before the cut: a damaged or unreadable FRONT in every mode (the open
// ignores it: moving it loses nothing), an unreadable segment in a salvage mode. In another mode
// an unreadable segment is refused: returns the exit code.
struct Move {
  std::string name;
  std::string why;
};
std::optional<int> plan_moves(wal::Fs& fs, const RepairArgs& args, std::vector<Move>* moves) {
  wal::Result<std::vector<std::string>> names = fs.list(args.dir);
  if (!names) return report_failure("repair", names.error());
  for (const UnreadableEntry& entry : unreadable_entries(fs, args.dir, *names)) {
    if (entry.name != kFront && !is_salvage(args.recovery)) {
      fmt::print(stderr,
                 "walctl repair: refusing: segment {} {}, so the log cannot be read past it. To "
                 "salvage, run with --recovery point-in-time (the log ends before it) or "
                 "--recovery skip-corrupted (its LSNs are skipped); it is moved aside, not "
                 "deleted.\n",
                 entry.name, entry.why);
      return kExitRefused;
    }
    moves->push_back({entry.name, entry.why});
  }
  if (auto why = damaged_front(fs, args.dir)) moves->push_back({kFront, *why});
  return std::nullopt;
}

// A salvage mode's refusal message, for mid-log corruption in a mode that does not salvage.
int refuse_corruption(const std::string& what) {
  fmt::print(stderr,
             "walctl repair: refusing: {}\nThis is corruption, not a torn tail. To salvage, run "
             "with --recovery point-in-time (keep everything before it) or --recovery "
             "skip-corrupted (skip the damaged records); the dropped bytes are kept in side "
             "files.\n",
             what);
  return kExitRefused;
}

// Prints the plan for each cut and, unless a dry run, copies it into a side file, synced,
// unless one already holds exactly its bytes (a repair of a repaired log writes nothing).
// nullopt when done, else the exit code.
std::optional<int> keep_cuts(wal::Fs& fs, const RepairArgs& args, const std::vector<Cut>& cuts,
                             wal::Lsn opens_at) {
  std::vector<std::uint64_t> lengths;
  std::vector<std::optional<std::string>> kept;
  for (const Cut& cut : cuts) {
    wal::Result<std::uint64_t> length = data_extent(fs, args.dir, cut);
    if (!length) return report_failure("repair", length.error());
    wal::Result<std::optional<std::string>> found = already_kept(fs, args.dir, cut, *length);
    if (!found) return report_failure("repair", found.error());
    lengths.push_back(*length);
    kept.push_back(*found);
    fmt::print("{} {}: {} bytes from offset {} ({}) -> {}\n",
               args.dry_run ? "would drop from" : "dropping from", cut.segment, *length,
               cut.offset, cut.why,
               *found ? fmt::format("already kept in {}", **found) : side_file_name(cut));
  }
  if (args.dry_run) {
    fmt::print("dry run: nothing changed; the log would open at lsn {}\n", opens_at);
    return std::nullopt;
  }
  bool saved_any = false;
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    if (kept[i]) continue;
    wal::Result<std::string> side = save_cut(fs, args.dir, cuts[i], lengths[i]);
    if (!side) {
      fmt::print(stderr, "walctl repair: could not keep the bytes to drop; nothing was cut\n");
      return report_failure("repair", side.error());
    }
    fmt::print("kept {} bytes in {}\n", lengths[i], *side);
    saved_any = true;
  }
  if (saved_any) {
    if (wal::Status synced = fs.sync_dir(args.dir); !synced.is_ok()) {
      return report_failure("repair", synced);
    }
  }
  return std::nullopt;
}

}  // namespace

int run_repair(const RepairArgs& args) {
  wal::Fs& fs = fs_or_posix(args.fs);
  if (auto code = check_log_dir(fs, "repair", args.dir)) return *code;
  if (auto code = check_holds_log(fs, "repair", args.dir)) return *code;

  // Hold the lock while planning and saving so no writer moves the tail meanwhile. A dry run
  // creates nothing, so it checks the lock only if the lock file exists.
  const std::string lock_path = wal::join_path(args.dir, wal::recovery::kLockName);
  std::unique_ptr<wal::FileLock> lock;
  if (!args.dry_run || fs.stat(lock_path).is_ok()) {
    auto locked = fs.lock(lock_path);
    if (!locked) {
      if (locked.error().code() == wal::Code::kBusy) {
        fmt::print(stderr, "walctl repair: the log in {} is locked by another process\n", args.dir);
        return kExitBusy;
      }
      return report_failure("repair", locked.error());
    }
    lock = std::move(locked).value();
  }

  std::vector<Move> moves;
  if (auto code = plan_moves(fs, args, &moves)) return *code;
  std::set<std::string> moved;  // what the scan below still sees, to be moved aside
  for (const Move& move : moves) moved.insert(move.name);

  wal::Result<wal::recovery::ScanResult> scanned =
      wal::recovery::scan(fs, args.dir, read_only_options(args.recovery));
  if (!scanned) {
    if (scanned.error().code() == wal::Code::kCorruption) {
      return refuse_corruption(scanned.error().message());
    }
    return report_failure("repair", scanned.error());
  }
  if (!is_salvage(args.recovery)) {
    for (const wal::DamagedRange& range : scanned->report.damage) {
      if (range.kind == wal::DamageKind::kTornTail || moved.count(range.segment) != 0) continue;
      return refuse_corruption(fmt::format("{} in segment {} at offset {}, lsn {}: {}",
                                           wal::to_string(range.kind), range.segment,
                                           range.offset, range.lsn, range.reason));
    }
  }

  // Not refused: move the entries aside, then plan the cuts on what is left (a dry run plans
  // them as if the entries were gone).
  for (const Move& move : moves) {
    if (args.dry_run) {
      fmt::print("would move {} aside ({}) -> {}.cut-0\n", move.name, move.why, move.name);
      continue;
    }
    wal::Result<std::string> side = move_aside(fs, args.dir, move.name);
    if (!side) return report_failure("repair", side.error());
    fmt::print("moved {} aside ({}) -> {}\n", move.name, move.why, *side);
  }
  if (!moves.empty() && !args.dry_run) {
    if (wal::Status synced = fs.sync_dir(args.dir); !synced.is_ok()) {
      return report_failure("repair", synced);
    }
    moved.clear();
    scanned = wal::recovery::scan(fs, args.dir, read_only_options(args.recovery));
    if (!scanned) return report_failure("repair", scanned.error());
  }
  const wal::RecoveryReport& report = scanned->report;

  wal::Result<std::vector<Cut>> cuts = plan_cuts(fs, args.dir, *scanned, moved);
  if (!cuts) return report_failure("repair", cuts.error());
  if (report.clean() && cuts->empty() && moves.empty()) {
    fmt::print("nothing to repair: the log is clean\n");
    return kExitOk;
  }
  if (auto code = keep_cuts(fs, args, *cuts, report.last_good_lsn)) return *code;
  if (args.dry_run) return kExitOk;

  // The cut itself is the WAL's own recovery, so it is exactly what a normal open does.
  lock.reset();
  wal::Options options;
  options.fs = &fs;
  options.recovery = args.recovery;
  options.create_if_missing = false;
  options.sync = wal::SyncPolicy::kNone;
  // No preallocation: it would reserve the capacity the segment's header plans (up to 1 TiB)
  // after the cut, only for the close below to trim it again; where the filesystem cannot hold
  // that capacity the repair would cut and then fail (ENOSPC, EFBIG). The writer that opens the
  // log next preallocates as it always does.
  options.preallocate = false;
  // It appends nothing: a small write buffer (the default, a megabyte and as much again for
  // the bytes in flight, is zeroed on every open), and no spare segment prepared in the
  // background for a rotation that never comes (a thread, a file and its fallocate).
  options.buffer_bytes = 4u << 10;
  options.prepare_segments = false;
  wal::Result<std::unique_ptr<wal::Log>> log = wal::Log::open(args.dir, options);
  if (!log) return report_failure("repair", log.error());
  const wal::Lsn last = (*log)->recovery_report().last_good_lsn;
  if (wal::Status closed = (*log)->close(); !closed.is_ok()) return report_failure("repair", closed);
  // skip-corrupted opens skip damaged records in place; say so rather than claim a clean log.
  wal::Result<wal::RecoveryReport> after =
      wal::verify(fs, args.dir, read_only_options(wal::RecoveryMode::kSkipCorrupted));
  if (after && !after->clean()) {
    fmt::print("opened in {} mode at lsn {}; {} damaged range(s) remain on disk and are skipped "
               "by every {} open (a default open still refuses them)\n",
               wal::to_string(args.recovery), last, after->damage.size(),
               wal::to_string(args.recovery));
    return kExitOk;
  }
  fmt::print("repaired: the log is clean and ends at lsn {}\n", last);
  return kExitOk;
}

}  // namespace walctl
