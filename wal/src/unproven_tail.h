// After a failed fsync, Linux (ext4, xfs) may keep the written pages in the page cache marked
// clean: they read back fine but will never reach the disk (PostgreSQL's fsyncgate). A process
// that reopens the log afterwards, in the same process or after a restart without a power loss,
// would adopt those bytes, sync, and append after them believing they are durable; the next
// power loss then leaves a hole under entries acknowledged as durable.
//
// So a writable open writes the newest segment's records again, before its sync, when any of
// them is unproven: no later record proves it durable (every record carries the durable
// watermark of its time, and watermarks never go down). The newest record always is, so that
// is any segment with records. Writing dirties the pages, so the sync covers them. It never
// writes them over themselves: an unproven record may well be durable already (acknowledged;
// only its proof, a later record, was lost), and a write torn by a power loss leaves its lost
// part with the old bytes only on some devices; others read it back as zeros or junk. The open
// writes a copy of the segment up to its accepted end into a temp file instead, syncs it,
// renames it over the segment and syncs the directory (wal/FORMAT.md 3.1): a crash at any point
// leaves either the untouched segment or the complete, synced copy.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <wal/fs.h>
#include <wal/status.h>

#include "record_format.h"

namespace wal::detail {

// The offset of the first record of [kSegmentHeaderBytes, end_offset) that no later record
// proves durable, or of the first range there that does not decode (a range recovery skipped,
// or a record larger than `scratch`); end_offset when there is none. `scratch` is working
// memory (any size >= a record header; larger is faster). What the in-place rewrite started
// at; the copy takes the whole segment and needs no walk of its records.
[[nodiscard]] Result<std::uint64_t> find_unproven_tail(File& file,
                                                       const format::SegmentHeader& header,
                                                       std::uint64_t end_offset,
                                                       std::span<std::byte> scratch);

// Replaces segment `name` of `dir` by a copy of bytes [0, copy_bytes) of `segment` (its open
// handle): "<name>.tmp" created, written, sync()ed, renamed over the segment, then sync_dir().
// Not one byte is written through `segment`, which the caller closes afterwards. Returns a
// handle on the copy, opened by the segment's name. A failure before the rename deletes the
// temp file (a leftover is deleted by the next writable open anyway); one after it leaves the
// directory for the next open to judge, as either file holds the segment's records.
[[nodiscard]] Result<std::unique_ptr<File>> replace_with_copy(Fs& fs, const std::string& dir,
                                                              const std::string& name,
                                                              File& segment,
                                                              std::uint64_t copy_bytes,
                                                              std::span<std::byte> scratch);

// Bug zoo only (rewrite-tail-in-place, the protection before the copy): writes
// [start, end_offset) of `file` again over itself.
[[nodiscard]] Status rewrite_in_place(File& file, std::uint64_t start, std::uint64_t end_offset,
                                      std::span<std::byte> scratch);

}  // namespace wal::detail
