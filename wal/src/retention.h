// Dropping whole segments from the front of the log: for truncate_front() and for retention
// (max_segments / max_bytes). Which segments may go is a pure decision; dropping them is
// crash-safe: the FRONT marker becomes durable before the first unlink, so a crash half-way
// leaves segments that recovery knows to be unwanted, never a gap it must call damage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <wal/fs.h>
#include <wal/metrics.h>
#include <wal/options.h>
#include <wal/status.h>
#include <wal/types.h>

namespace wal::detail {

struct SegmentSpan {
  Lsn first_lsn = kNoLsn;
  std::string name;
  std::uint64_t file_bytes = 0;  // on disk, preallocation included
};

// Index of the oldest segment to keep when entries below `front_lsn` may go: a segment goes
// only if every entry in it is below both `front_lsn` and `checkpoint_lsn` (the last durable
// checkpoint; kNoLsn = none), and the newest segment always stays.
std::size_t first_kept_segment(const std::vector<SegmentSpan>& segments, Lsn front_lsn,
                               Lsn checkpoint_lsn);

// The LSN that retention would truncate the front to: the first LSN of the oldest segment that
// keeps the log within max_segments and max_bytes (0 = unlimited). kNoLsn when within limits.
Lsn retention_front(const std::vector<SegmentSpan>& segments, const Options& options);

// Writes the FRONT marker for segments[keep_from].first_lsn (FRONT.tmp, sync, rename,
// sync_dir), then unlinks segments[0, keep_from) and syncs the directory. Erases from
// `segments` what was unlinked.
[[nodiscard]] Status drop_front_segments(Fs& fs, const std::string& dir,
                                         std::vector<SegmentSpan>& segments,
                                         std::size_t keep_from, Metrics& metrics);

}  // namespace wal::detail
