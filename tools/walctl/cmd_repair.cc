// walctl repair: does what an open in the chosen recovery mode does (the WAL's own open makes
// the cut), but first copies every byte that open will drop into a side file next to its
// segment, "<segment>.cut-<offset>", synced before anything is cut. Mid-log corruption is
// refused unless a salvage mode (point-in-time, skip-corrupted) is asked for.
#include <fmt/format.h>
#include <wal/log.h>
#include <wal/posix_fs.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "recovery.h"
#include "commands.h"
#include "exit_codes.h"
#include "log_dir.h"

namespace walctl {
namespace {

constexpr std::size_t kCopyChunk = 1 << 20;

// Bytes of one segment that the open will drop.
struct Cut {
  std::string segment;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // up to the end of the file
  std::string why;
};

std::string side_file_name(const Cut& cut) {
  return fmt::format("{}.cut-{}", cut.segment, cut.offset);
}

bool is_salvage(wal::RecoveryMode mode) {
  return mode == wal::RecoveryMode::kPointInTime || mode == wal::RecoveryMode::kSkipCorrupted;
}

// Everything the open will drop: each damaged range, and whole segment files it will not keep.
wal::Result<std::vector<Cut>> plan_cuts(wal::Fs& fs, const std::string& dir,
                                        const wal::recovery::ScanResult& scan) {
  std::set<std::string> live;
  for (const auto& segment : scan.segments) live.insert(segment.name);
  wal::Result<std::vector<std::string>> names = fs.list(dir);
  if (!names) return names.error();

  std::vector<Cut> cuts;
  std::set<std::string> whole;
  for (const std::string& name : *names) {
    wal::Lsn first = wal::kNoLsn;
    if (!wal::recovery::parse_segment_name(name, &first) || live.count(name) != 0) continue;
    wal::Result<wal::FileStat> st = fs.stat(wal::join_path(dir, name));
    if (!st) return st.error();
    cuts.push_back({name, 0, st->size_bytes, "segment file not kept by recovery"});
    whole.insert(name);
  }
  for (const wal::DamagedRange& range : scan.report.damage) {
    if (range.segment.empty() || whole.count(range.segment) != 0) continue;
    wal::Result<wal::FileStat> st = fs.stat(wal::join_path(dir, range.segment));
    if (!st) {
      if (st.error().code() == wal::Code::kNotFound) continue;  // e.g. a missing segment
      return st.error();
    }
    if (range.offset >= st->size_bytes) continue;
    const std::uint64_t length = std::min(range.length == 0 ? st->size_bytes : range.length,
                                          st->size_bytes - range.offset);
    cuts.push_back({range.segment, range.offset, length,
                    fmt::format("{} at lsn {}: {}", wal::to_string(range.kind), range.lsn,
                                range.reason)});
  }
  return cuts;
}

// How many of the cut's bytes hold data: a preallocated segment is zero filled after its last
// record, and records are 8-byte aligned and zero padded, so the fill starts at an aligned
// offset; everything before it (the last record's padding included) is kept.
wal::Result<std::uint64_t> data_extent(wal::Fs& fs, const std::string& dir, const Cut& cut) {
  auto source = fs.open(wal::join_path(dir, cut.segment), wal::OpenMode::kReadOnly);
  if (!source) return source.error();
  std::vector<std::byte> buffer(kCopyChunk);
  std::uint64_t done = 0;
  std::uint64_t data_end = 0;  // just past the last non-zero byte
  while (done < cut.length) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), cut.length - done));
    auto n = (*source)->read_at(cut.offset + done, std::span(buffer.data(), want));
    if (!n) return n.error();
    if (*n == 0) break;
    const std::span<const std::byte> chunk(buffer.data(), *n);
    const auto last = std::find_if(chunk.rbegin(), chunk.rend(),
                                   [](std::byte b) { return b != std::byte{0}; });
    if (last != chunk.rend()) data_end = done + static_cast<std::uint64_t>(chunk.rend() - last);
    done += *n;
  }
  WAL_RETURN_IF_ERROR((*source)->close());
  const std::uint64_t align = wal::format::kRecordAlign;
  return std::min(done, (data_end + align - 1) / align * align);
}

// Non-zero bytes past the last record of the newest kept segment: recovery calls that place the
// end of the log when no intact record follows (garbage after zeros reads as a torn write), and
// the open's close trims the file there. They are dropped like any cut, so they are kept too.
wal::Status add_tail_cut(wal::Fs& fs, const std::string& dir,
                         const wal::recovery::ScanResult& scan, std::vector<Cut>& cuts) {
  if (scan.segments.empty()) return wal::Status::ok();
  const wal::recovery::SegmentInfo& last = scan.segments.back();
  for (const Cut& cut : cuts) {
    if (cut.segment == last.name && cut.offset + cut.length > last.end_offset) {
      return wal::Status::ok();  // already kept from where the log ends
    }
  }
  wal::Result<wal::FileStat> st = fs.stat(wal::join_path(dir, last.name));
  if (!st) return st.error();
  if (st->size_bytes <= last.end_offset) return wal::Status::ok();
  Cut tail{last.name, last.end_offset, st->size_bytes - last.end_offset,
           "non-zero bytes past the last record, trimmed by the open"};
  wal::Result<std::uint64_t> extent = data_extent(fs, dir, tail);
  if (!extent) return extent.error();
  if (*extent > 0) cuts.push_back(std::move(tail));
  return wal::Status::ok();
}

// Copies `length` bytes of the cut into its side file and makes that file durable.
wal::Status save_cut(wal::Fs& fs, const std::string& dir, const Cut& cut, std::uint64_t length) {
  auto source = fs.open(wal::join_path(dir, cut.segment), wal::OpenMode::kReadOnly);
  if (!source) return source.error();
  auto target = fs.open(wal::join_path(dir, side_file_name(cut)), wal::OpenMode::kCreateExclusive);
  if (!target) return target.error();
  std::vector<std::byte> buffer(kCopyChunk);
  for (std::uint64_t done = 0; done < length;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
    auto n = (*source)->read_at(cut.offset + done, std::span(buffer.data(), want));
    if (!n) return n.error();
    if (*n != want) {
      return wal::Status::io_error(fmt::format("{} changed size while being copied", cut.segment));
    }
    WAL_RETURN_IF_ERROR((*target)->write_at(done, std::span(buffer.data(), *n)));
    done += *n;
  }
  WAL_RETURN_IF_ERROR((*target)->sync());
  WAL_RETURN_IF_ERROR((*target)->close());
  return (*source)->close();
}

}  // namespace

int run_repair(const RepairArgs& args) {
  if (auto code = check_log_dir("repair", args.dir)) return *code;
  if (auto code = check_holds_log("repair", args.dir)) return *code;
  wal::Fs& fs = wal::posix_fs();

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

  wal::Result<wal::recovery::ScanResult> scanned =
      wal::recovery::scan(fs, args.dir, read_only_options(args.recovery));
  if (!scanned) {
    if (scanned.error().code() == wal::Code::kCorruption) {
      fmt::print(stderr,
                 "walctl repair: refusing: {}\nThis is corruption, not a torn tail. To salvage, "
                 "run with --recovery point-in-time (keep everything before it) or "
                 "--recovery skip-corrupted (skip the damaged records); the dropped bytes are "
                 "kept in side files.\n",
                 scanned.error().message());
      return kExitRefused;
    }
    return report_failure("repair", scanned.error());
  }
  const wal::RecoveryReport& report = scanned->report;
  if (!is_salvage(args.recovery)) {
    for (const wal::DamagedRange& range : report.damage) {
      if (range.kind == wal::DamageKind::kTornTail) continue;
      fmt::print(stderr,
                 "walctl repair: refusing: {} in segment {} at offset {}, lsn {}: {}\nThis is "
                 "corruption, not a torn tail. To salvage, run with --recovery point-in-time or "
                 "--recovery skip-corrupted; the dropped bytes are kept in side files.\n",
                 wal::to_string(range.kind), range.segment, range.offset, range.lsn, range.reason);
      return kExitRefused;
    }
  }

  wal::Result<std::vector<Cut>> cuts = plan_cuts(fs, args.dir, *scanned);
  if (!cuts) return report_failure("repair", cuts.error());
  if (wal::Status tail = add_tail_cut(fs, args.dir, *scanned, *cuts); !tail.is_ok()) {
    return report_failure("repair", tail);
  }
  if (report.clean() && cuts->empty()) {
    fmt::print("nothing to repair: the log is clean\n");
    return kExitOk;
  }
  std::vector<std::uint64_t> lengths;
  for (const Cut& cut : *cuts) {
    wal::Result<std::uint64_t> length = data_extent(fs, args.dir, cut);
    if (!length) return report_failure("repair", length.error());
    lengths.push_back(*length);
    fmt::print("{} {}: {} bytes from offset {} ({}) -> {}\n",
               args.dry_run ? "would drop from" : "dropping from", cut.segment, *length,
               cut.offset, cut.why, side_file_name(cut));
  }
  if (args.dry_run) {
    fmt::print("dry run: nothing changed; the log would open at lsn {}\n", report.last_good_lsn);
    return kExitOk;
  }

  for (std::size_t i = 0; i < cuts->size(); ++i) {
    if (wal::Status saved = save_cut(fs, args.dir, (*cuts)[i], lengths[i]); !saved.is_ok()) {
      fmt::print(stderr, "walctl repair: could not keep the bytes to drop; nothing was cut\n");
      return report_failure("repair", saved);
    }
    fmt::print("kept {} bytes in {}\n", lengths[i], side_file_name((*cuts)[i]));
  }
  if (!cuts->empty()) {
    if (wal::Status synced = fs.sync_dir(args.dir); !synced.is_ok()) {
      return report_failure("repair", synced);
    }
  }

  // The cut itself is the WAL's own recovery, so it is exactly what a normal open does.
  lock.reset();
  wal::Options options;
  options.recovery = args.recovery;
  options.create_if_missing = false;
  options.sync = wal::SyncPolicy::kNone;
  // No preallocation: it would reserve the capacity the segment's header plans (up to 1 TiB)
  // after the cut, only for the close below to trim it again; where the filesystem cannot hold
  // that capacity the repair would cut and then fail (ENOSPC, EFBIG). The writer that opens the
  // log next preallocates as it always does.
  options.preallocate = false;
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
