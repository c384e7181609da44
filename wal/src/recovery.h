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

#include <cstdint>
#include <string>
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

struct ScanResult {
  format::SegmentHeader header;       // of the newest segment (salt, checksum kind)
  bool empty = true;                  // no segment at all: a new log
  std::vector<SegmentInfo> segments;  // live segments, oldest first, after the mode's decisions
  Lsn next_lsn = 1;                   // LSN the writer hands out next
  RecoveryReport report;
  std::vector<std::string> leftovers;  // files to delete on a writable open (temp files,
                                       // segments wholly below the front marker, ...)
};

// Scans `dir`. Returns an error Status only when options.recovery says the damage found is
// fatal (absolute: any; others: per the mode), or when the directory cannot be read; the
// message names segment, offset and LSN.
[[nodiscard]] Result<ScanResult> scan(Fs& fs, std::string_view dir, const Options& options);

// Segment file names: 20-digit zero-padded first LSN + ".wal".
std::string segment_name(Lsn first_lsn);
bool parse_segment_name(std::string_view name, Lsn* first_lsn);

}  // namespace wal::recovery
