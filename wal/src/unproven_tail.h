// After a failed fsync, Linux (ext4, xfs) may keep the written pages in the page cache marked
// clean: they read back fine but will never reach the disk (PostgreSQL's fsyncgate). A process
// that reopens the log afterwards, in the same process or after a restart without a power loss,
// would adopt those bytes, sync, and append after them believing they are durable; the next
// power loss then leaves a hole under entries acknowledged as durable.
//
// So a writable open writes the newest segment's records again from the first record that no
// later record proves durable (every record carries the durable watermark of its time, and
// watermarks never go down), before its sync: writing dirties the pages, so that sync covers
// them. Writing identical bytes is safe under any crash: a torn rewrite leaves the same bytes.
#pragma once

#include <cstdint>
#include <span>

#include <wal/fs.h>
#include <wal/status.h>

#include "record_format.h"

namespace wal::detail {

// Rewrites [first unproven record, end_offset) of a segment whose records from its header up to
// `end_offset` were accepted by recovery. `scratch` is working memory (any size >= a record
// header; larger is faster). Returns the offset the rewrite started at (end_offset: nothing to
// rewrite).
[[nodiscard]] Result<std::uint64_t> rewrite_unproven_tail(File& file,
                                                          const format::SegmentHeader& header,
                                                          std::uint64_t end_offset,
                                                          std::span<std::byte> scratch);

}  // namespace wal::detail
