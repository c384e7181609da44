// Target: recovery over an arbitrary directory (fuzz_dir.h) on a SimFs, in the recovery mode the
// input's control byte names (bits 2-3, as for walctl; recovery_dir_every_mode: all four):
// recovery::scan, wal::verify, a read-only LogCore::open and its reader, then a writable open on
// a fresh copy, a few appends, close and a reopen. Checks: no entry that no intact record holds,
// read-only calls change no byte, absolute accepts only a clean log, the non-salvage modes read
// back exactly first..last, the writable open recovers what the read-only one read, and what is
// appended after a repair is there after a reopen.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>

#include <wal/log.h>
#include <wal/log_core.h>

#include "fuzz_dir.h"
#include "log_bytes.h"
#include "recovery.h"
#include "sim/sim_fs.h"
#include "sim_support.h"
#include "targets.h"

namespace wal_fuzz {
namespace {

constexpr std::string_view kDir = "/log";

sim::DeviceModel device() {
  sim::DeviceModel model;
  // A header claiming a huge capacity gets kNoSpace at reopen (preallocation), not minutes of
  // zero filling per input. A megabyte holds every input (libFuzzer's are a few KiB) many
  // times over; every input pays for the zeros a bigger one would let a header preallocate.
  model.capacity_bytes = 1u << 20;
  return model;
}

wal::Options options_for(wal::RecoveryMode mode, bool read_only) {
  wal::Options options;
  options.recovery = mode;
  options.read_only = read_only;
  options.create_if_missing = false;
  options.segment_bytes = 4u << 10;  // room for the appends; less preallocated zeros to scan
  options.buffer_bytes = 4u << 10;
  options.sync = wal::SyncPolicy::kNone;
  options.salt = 0x0123456789abcdefull;
  return options;
}

std::string mode_name(wal::RecoveryMode mode) { return std::string(wal::to_string(mode)); }

// Reads the whole of an open core. `contiguous`: the mode promises no gap.
Violation read_core(wal::LogCore& core, const IntactEntries& intact, bool contiguous,
                    ReadResult& out, std::string_view what) {
  const wal::Lsn first = core.first_lsn();
  const wal::Lsn last = core.durable_lsn();
  if (first == wal::kNoLsn || last < first) return std::nullopt;
  wal::Result<std::unique_ptr<wal::Reader>> reader = core.reader(first);
  if (!reader) {
    if (contiguous) return fmt::format("{}: no reader from lsn {}: {}", what, first, reader.error().to_string());
    return std::nullopt;
  }
  if (Violation v = read_to_end(**reader, intact, first, last, out)) {
    return fmt::format("{}: {}", what, *v);
  }
  if (!contiguous) return std::nullopt;
  if (out.error) return fmt::format("{}: reader failed: {}", what, out.error_text);
  if (out.entries.size() != last - first + 1) {
    return fmt::format("{}: read {} entries, the log holds {}..{}", what, out.entries.size(), first, last);
  }
  return std::nullopt;
}

Violation check_scan(const wal::Result<wal::recovery::ScanResult>& scan, wal::RecoveryMode mode) {
  if (!scan) return std::nullopt;
  const wal::RecoveryReport& report = scan->report;
  if (mode == wal::RecoveryMode::kAbsolute && !report.clean()) {
    return fmt::format("absolute accepted a log with {} damaged range(s)", report.damage.size());
  }
  wal::Lsn previous = wal::kNoLsn;
  for (const wal::recovery::SegmentInfo& segment : scan->segments) {
    if (segment.first_lsn <= previous && previous != wal::kNoLsn) return "segments out of LSN order";
    if (segment.end_offset > segment.file_bytes) return "segment end past its file";
    previous = segment.first_lsn;
  }
  // Skipped LSNs lie below the last recovered one (what follows it was cut, not skipped); a
  // salvage may also skip the first LSNs of the log.
  if (report.last_good_lsn != wal::kNoLsn && report.records_skipped >= report.last_good_lsn) {
    return fmt::format("{} LSNs reported skipped below LSN {}, the last recovered",
                       report.records_skipped, report.last_good_lsn);
  }
  // Salvage may skip LSNs at the end too (a kept segment that starts past a skipped range):
  // the writer then continues at that segment's first LSN. Every other mode continues right
  // after the last entry it recovered.
  const bool exact = mode != wal::RecoveryMode::kSkipCorrupted;
  if (report.last_good_lsn != wal::kNoLsn &&
      (scan->next_lsn <= report.last_good_lsn ||
       (exact && scan->next_lsn != report.last_good_lsn + 1))) {
    return fmt::format("next lsn {} after last good lsn {}", scan->next_lsn, report.last_good_lsn);
  }
  return std::nullopt;
}

Violation check_mode(const sim::SimFsState& base, const DirSnapshot& before,
                     const IntactEntries& intact, wal::RecoveryMode mode) {
  const std::string name = mode_name(mode);
  const bool contiguous = mode != wal::RecoveryMode::kSkipCorrupted;
  FixedClock clock;
  sim::SimFs fs(device());
  fs.restore(base);

  const wal::Result<wal::recovery::ScanResult> scan =
      wal::recovery::scan(fs, kDir, options_for(mode, true));
  if (Violation v = check_scan(scan, mode)) return fmt::format("scan {}: {}", name, *v);
  const wal::Result<wal::RecoveryReport> verified = wal::verify(fs, kDir, options_for(mode, true));
  if (verified.is_ok() != scan.is_ok()) return fmt::format("verify and scan disagree in {}", name);

  ReadResult read_only;
  {
    wal::Result<std::unique_ptr<wal::LogCore>> core =
        wal::LogCore::open(fs, clock, std::string(kDir), options_for(mode, true));
    if (core.is_ok() != scan.is_ok()) {
      return fmt::format("read-only open and scan disagree in {}: {}", name,
                         core ? std::string("open ok") : core.error().to_string());
    }
    if (core) {
      if (Violation v = read_core(**core, intact, contiguous, read_only, "read-only " + name)) return v;
      (void)(*core)->close();
    }
  }
  if (snapshot(fs, std::string(kDir)) != before) {
    return fmt::format("a read-only scan/verify/open in {} changed the files", name);
  }

  // Writable: the open repairs (cuts, deletes leftovers) on its own copy.
  wal::Result<std::unique_ptr<wal::LogCore>> core =
      wal::LogCore::open(fs, clock, std::string(kDir), options_for(mode, false));
  if (!core) {
    if (scan.is_ok() && core.error().code() == wal::Code::kCorruption) {
      return fmt::format("writable open in {} finds corruption the scan accepted: {}", name,
                         core.error().to_string());
    }
    return std::nullopt;
  }
  std::unique_ptr<wal::LogCore> writer = std::move(core).value();
  ReadResult recovered;
  if (Violation v = read_core(*writer, intact, contiguous, recovered, "writable " + name)) return v;
  if (recovered.entries != read_only.entries) {
    return fmt::format("writable open in {} recovered {} entries, read-only read {}", name,
                       recovered.entries.size(), read_only.entries.size());
  }
  // Append after the repair; a reopen must hold the old entries and the new ones.
  const std::string a = "appended after recovery";
  const std::string b = "batch entry";
  const std::array<std::span<const std::byte>, 2> batch = {as_bytes(a), as_bytes(b)};
  if (!writer->append(as_bytes(a)).is_ok() || !writer->append_batch(batch).is_ok() ||
      !writer->append_checkpoint(as_bytes(b)).is_ok() || !writer->close().is_ok()) {
    return std::nullopt;  // e.g. kNoSpace from a header that claims a huge capacity
  }
  writer.reset();
  wal::Result<std::unique_ptr<wal::LogCore>> reopened =
      wal::LogCore::open(fs, clock, std::string(kDir), options_for(mode, false));
  if (!reopened) {
    return fmt::format("reopen after a repair and appends in {} fails: {}", name,
                       reopened.error().to_string());
  }
  if (!contiguous) return std::nullopt;
  std::vector<std::span<const std::byte>> files;
  const DirSnapshot now = snapshot(fs, std::string(kDir));
  for (const auto& [file, bytes] : now) files.push_back(as_bytes(bytes));
  const IntactEntries after(files);
  ReadResult again;
  if (Violation v = read_core(**reopened, after, true, again, "reopened " + name)) return v;
  if (again.entries.size() != recovered.entries.size() + 4 ||
      !std::equal(recovered.entries.begin(), recovered.entries.end(), again.entries.begin())) {
    return fmt::format("reopen in {} reads {} entries; {} recovered + 4 appended expected", name,
                       again.entries.size(), recovered.entries.size());
  }
  const std::array<ReadEntry, 4> tail = {
      ReadEntry{wal::kNoLsn, wal::EntryType::kData, a}, ReadEntry{wal::kNoLsn, wal::EntryType::kBatch, a},
      ReadEntry{wal::kNoLsn, wal::EntryType::kBatch, b}, ReadEntry{wal::kNoLsn, wal::EntryType::kCheckpoint, b}};
  for (std::size_t i = 0; i < tail.size(); ++i) {
    const ReadEntry& got = again.entries[recovered.entries.size() + i];
    if (got.type != tail[i].type || got.payload != tail[i].payload) {
      return fmt::format("reopen in {}: appended entry {} reads back as another", name, i);
    }
  }
  return std::nullopt;
}

// The checks of one input in `modes`, or in the mode its control byte names when `modes` is
// empty.
Violation check_dir(std::span<const std::byte> input, std::span<const wal::RecoveryMode> modes) {
  FuzzDir dir = split_dir(input);
  maybe_reseal(dir);
  sim::SimFs fs(device());
  fs.make_durable_dirs(kDir);
  if (!write_dir(fs, std::string(kDir), dir).is_ok()) return std::nullopt;
  std::vector<std::span<const std::byte>> files;
  for (const FuzzFile& file : dir.files) {
    if (!file.is_directory) files.push_back(file.bytes);
  }
  const IntactEntries intact(files);
  const DirSnapshot before = snapshot(fs, std::string(kDir));
  const sim::SimFsState base = fs.state();
  const wal::RecoveryMode named = kRecoveryModes[(dir.flags >> 2) & 3];
  if (modes.empty()) modes = std::span(&named, 1);
  for (wal::RecoveryMode mode : modes) {
    if (Violation v = check_mode(base, before, intact, mode)) return v;
  }
  return std::nullopt;
}

}  // namespace

Violation recovery_dir(std::span<const std::byte> input) { return check_dir(input, {}); }

Violation recovery_dir_every_mode(std::span<const std::byte> input) {
  return check_dir(input, kRecoveryModes);
}

}  // namespace wal_fuzz
