#include "unproven_tail.h"

#include <algorithm>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "mutant.h"
#include "read_fully.h"
#include "recovery.h"

namespace wal::detail {
namespace {

// The copy's chunk when the caller's scratch is smaller: few large writes (a whole simulated
// segment in one), not one per write-buffer's worth.
constexpr std::size_t kCopyChunkBytes = 256 << 10;

// Calls visit(offset, meta) for each record in [kSegmentHeaderBytes, end_offset) until a record
// does not decode (a range that recovery skipped, or one larger than `scratch`): returns that
// offset, or end_offset when every record decoded.
template <typename Visit>
Result<std::uint64_t> walk_records(File& file, const format::SegmentHeader& header,
                                   std::uint64_t end_offset, std::span<std::byte> scratch,
                                   Visit&& visit) {
  std::uint64_t offset = format::kSegmentHeaderBytes;
  while (offset < end_offset) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(scratch.size(), end_offset - offset));
    Result<std::size_t> read = read_fully(file, offset, scratch.first(want));
    if (!read) return read.error();
    std::span<const std::byte> window = scratch.first(*read);
    std::size_t used = 0;
    while (used < window.size()) {
      const format::DecodedRecord record = format::decode_record(
          header.checksum, header.salt, kNoLsn, std::numeric_limits<std::uint32_t>::max(),
          window.subspan(used));
      if (record.status == format::DecodeStatus::kTruncated && used > 0) break;  // next window
      if (record.status != format::DecodeStatus::kOk) return offset + used;
      visit(offset + used, record.meta);
      used += record.total_bytes;
    }
    if (used == 0) return offset;  // a record larger than scratch: unproven from here
    offset += used;
  }
  return end_offset;
}

// Copies [0, bytes) of `source` to the same offsets of `target`.
Status copy_prefix(File& source, File& target, std::uint64_t bytes, std::span<std::byte> chunk) {
  for (std::uint64_t offset = 0; offset < bytes;) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), bytes - offset));
    Result<std::size_t> read = source.read_at(offset, chunk.first(want));
    if (!read) return read.error();
    if (*read == 0) {
      return Status::corruption(
          fmt::format("segment ends at {}, before the {} bytes recovery accepted", offset, bytes));
    }
    WAL_RETURN_IF_ERROR(target.write_at(offset, chunk.first(*read)));
    offset += *read;
  }
  return Status::ok();
}

}  // namespace

Result<std::uint64_t> find_unproven_tail(File& file, const format::SegmentHeader& header,
                                         std::uint64_t end_offset,
                                         std::span<std::byte> scratch) {
  WAL_ASSERT(scratch.size() >= format::kRecordHeaderBytes);
  if (end_offset <= format::kSegmentHeaderBytes) return end_offset;

  // Watermarks never go down, so the newest record's is the highest: everything at or below
  // it was fsynced before that record was written.
  Lsn proven = kNoLsn;
  Result<std::uint64_t> walked = walk_records(
      file, header, end_offset, scratch, [&](std::uint64_t, const format::RecordMeta& meta) {
        proven = std::max(proven, meta.durable_hint);
      });
  if (!walked) return walked.error();

  std::uint64_t start = *walked;  // from anything that did not decode on, all is unproven
  Result<std::uint64_t> found = walk_records(
      file, header, *walked, scratch, [&](std::uint64_t offset, const format::RecordMeta& meta) {
        const Lsn last = meta.count == 0 ? meta.lsn : meta.lsn + meta.count - 1;
        if (last > proven && offset < start) start = offset;
      });
  if (!found) return found.error();
  return start;
}

Result<std::unique_ptr<File>> replace_with_copy(Fs& fs, const std::string& dir,
                                                const std::string& name, File& segment,
                                                std::uint64_t copy_bytes,
                                                std::span<std::byte> scratch) {
  const std::string final_path = join_path(dir, name);
  const std::string temp_path = final_path + std::string(recovery::kTempSuffix);
  Result<std::unique_ptr<File>> opened = fs.open(temp_path, OpenMode::kCreateExclusive);
  if (!opened) return Status(opened.error()).with_context("create copy of " + name);
  std::unique_ptr<File> copy = std::move(opened).value();

  // Never more than the copy needs: a small segment's reopen (the recovery fuzz target does
  // eight per input) must not pay for zeroing a chunk it mostly leaves unused.
  std::vector<std::byte> own;
  const std::uint64_t chunk = std::min<std::uint64_t>(kCopyChunkBytes, copy_bytes);
  if (scratch.size() < chunk) {
    own.resize(static_cast<std::size_t>(chunk));
    scratch = own;
  }
  Status status = copy_prefix(segment, *copy, copy_bytes, scratch).with_context("copy", name);
  // Bug zoo: the copy renamed over the segment before its bytes are durable, the ordering
  // that gave ext4 its zero-length files: the directory entry can reach the disk first, and
  // a power loss then leaves the segment's name on a copy whose records never got there.
  if (status && !WAL_MUTANT("rename-unsynced-tail-copy")) {
    status = copy->sync().with_context("sync copy of", name);
  }
  if (status) status = fs.rename(temp_path, final_path).with_context("rename copy over", name);
  if (!status) {
    copy->close().ignore_error("the copy is being discarded after a failure");
    fs.unlink(temp_path).ignore_error("a leftover temp file is deleted by the next open");
    return status;
  }
  WAL_RETURN_IF_ERROR(fs.sync_dir(dir).with_context("sync dir after copying", name));
  // A handle names the path it was opened by in its errors, and the temp name is gone now.
  Result<std::unique_ptr<File>> reopened = fs.open(final_path, OpenMode::kReadWrite);
  if (!reopened) return Status(reopened.error()).with_context("reopen copied segment " + name);
  WAL_RETURN_IF_ERROR(copy->close().with_context("close temp handle of copy of " + name));
  return std::move(reopened).value();
}

Status rewrite_in_place(File& file, std::uint64_t start, std::uint64_t end_offset,
                        std::span<std::byte> scratch) {
  for (std::uint64_t offset = start; offset < end_offset;) {
    const std::size_t chunk =
        static_cast<std::size_t>(std::min<std::uint64_t>(scratch.size(), end_offset - offset));
    Result<std::size_t> read = file.read_at(offset, scratch.first(chunk));
    if (!read) return read.error();
    if (*read == 0) break;
    WAL_RETURN_IF_ERROR(file.write_at(offset, scratch.first(*read)));
    offset += *read;
  }
  return Status::ok();
}

}  // namespace wal::detail
