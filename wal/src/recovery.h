// Recovery: reads a log directory through the Fs and decides, per options.recovery, what the
// log is. Shared by LogCore::open (which then repairs: cuts the tail, deletes leftovers) and
// wal::verify (which never writes). The scan itself never modifies anything.
//
// The torn-tail rule. A damaged record is "tail" (cut, not an error in tolerate-tail) only if
// no intact record after it proves the damage was durable: every record carries durable_hint,
// the log's durable watermark when it was written. If a later intact record has
// durable_hint >= the damaged LSN, that LSN had been fdatasynced, so the damage is corruption
// of durable data and is reported as such in every mode.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <wal/fs.h>
#include <wal/options.h>
#include <wal/recovery_report.h>
#include <wal/status.h>

#include "record_format.h"

namespace wal::recovery {

struct SegmentInfo {
  std::string name;               // "00000000000000000001.wal"
  Lsn first_lsn = kNoLsn;         // from the header (and the name)
  Lsn last_lsn = kNoLsn;          // last good entry in it (first_lsn - 1 if none)
  std::uint64_t end_offset = 0;   // byte just past the last good record
  std::uint64_t file_bytes = 0;   // size on disk (preallocation included)
  std::vector<Lsn> checkpoints;   // LSNs of checkpoint records in it
};

// An intact run of records recovery kept: [begin, end) of `segment` holds LSNs [first, last].
// The reader walks these, so that whatever recovery kept is readable from any LSN, whatever
// damage recovery stepped over between them (skip-corrupted), without judging bytes again.
struct RecoveredRun {
  std::string segment;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  Lsn first = kNoLsn;
  Lsn last = kNoLsn;
};

struct ScanResult {
  format::SegmentHeader header;       // of the newest segment (salt, checksum kind)
  bool empty = true;                  // no segment at all: a new log
  std::vector<SegmentInfo> segments;  // live segments, oldest first, after the mode's decisions
  std::vector<RecoveredRun> runs;     // what was kept, in log order
  // Segment files recovery looked at and did not keep (skipped whole, or leftovers): a reader
  // must never take them for part of the log.
  std::vector<std::string> unkept;
  Lsn next_lsn = 1;                   // LSN the writer hands out next
  RecoveryReport report;
  std::vector<std::string> leftovers;  // files to delete on a writable open (temp files,
                                       // segments wholly below the front marker, ...)
  // The continuation recovery adopted (FORMAT.md 3.2), by its temp name "<segment>.tmp": then
  // the last of `segments` (and of `runs`) bears that name until a writable open publishes it.
  std::string continuation;
};

// Scans `dir`. Returns an error Status only when options.recovery says the damage found is
// fatal (absolute: any; others: per the mode), or when the directory cannot be read; the
// message names segment, offset and LSN.
[[nodiscard]] Result<ScanResult> scan(Fs& fs, std::string_view dir, const Options& options);

// Segment file names: 20-digit zero-padded first LSN + ".wal".
std::string segment_name(Lsn first_lsn);
// The same into `out`: no allocation when its capacity suffices (a rotation onto a spare).
void segment_name_into(Lsn first_lsn, std::string& out);
bool parse_segment_name(std::string_view name, Lsn* first_lsn);
// `name` without a trailing kTempSuffix (unchanged when it has none).
std::string_view strip_temp_suffix(std::string_view name);

// Other names in a log directory. A "<name>.tmp" is a file being created (segment or front
// marker) that was never renamed into place: listed in ScanResult::leftovers, and never read
// but for one: "<segment>.tmp" continuing the log where it ends (FORMAT.md 3.2).
inline constexpr std::string_view kFrontMarkerName = "FRONT";
inline constexpr std::string_view kLockName = "LOCK";
inline constexpr std::string_view kTempSuffix = ".tmp";

// The front marker (written by truncate_front via FRONT.tmp, sync, rename, sync_dir): entries
// below front_lsn are gone on purpose. 16 bytes: u64 front_lsn LE, u32 crc32c (seed 0) of those
// 8 bytes, u32 magic kFrontMarkerMagic.
inline constexpr std::uint32_t kFrontMarkerMagic = 0x54524657;
inline constexpr std::size_t kFrontMarkerBytes = 16;
std::array<std::byte, kFrontMarkerBytes> encode_front_marker(Lsn front_lsn);
// nullopt unless exactly kFrontMarkerBytes with a matching magic and crc.
std::optional<Lsn> decode_front_marker(std::span<const std::byte> source);

}  // namespace wal::recovery
