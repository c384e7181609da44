#include "unproven_tail.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace wal::detail {
namespace {

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
    Result<std::size_t> read = file.read_at(offset, scratch.first(want));
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
    if (used == 0) return offset;  // a record larger than scratch: rewrite from here
    offset += used;
  }
  return end_offset;
}

}  // namespace

Result<std::uint64_t> rewrite_unproven_tail(File& file, const format::SegmentHeader& header,
                                            std::uint64_t end_offset,
                                            std::span<std::byte> scratch) {
  WAL_ASSERT(scratch.size() >= format::kRecordHeaderBytes);
  if (end_offset <= format::kSegmentHeaderBytes) return end_offset;

  // Watermarks never go down, so the newest record's is the highest: everything at or below
  // it was fsynced before that record was written.
  Lsn proven = kNoLsn;
  Result<std::uint64_t> walked = walk_records(
      file, header, end_offset, scratch,
      [&](std::uint64_t, const format::RecordMeta& meta) { proven = std::max(proven, meta.durable_hint); });
  if (!walked) return walked.error();

  std::uint64_t start = *walked;  // from anything that did not decode on, rewrite everything
  Result<std::uint64_t> found = walk_records(
      file, header, *walked, scratch, [&](std::uint64_t offset, const format::RecordMeta& meta) {
        const Lsn last = meta.count == 0 ? meta.lsn : meta.lsn + meta.count - 1;
        if (last > proven && offset < start) start = offset;
      });
  if (!found) return found.error();

  for (std::uint64_t offset = start; offset < end_offset;) {
    const std::size_t chunk =
        static_cast<std::size_t>(std::min<std::uint64_t>(scratch.size(), end_offset - offset));
    Result<std::size_t> read = file.read_at(offset, scratch.first(chunk));
    if (!read) return read.error();
    if (*read == 0) break;
    WAL_RETURN_IF_ERROR(file.write_at(offset, scratch.first(*read)));
    offset += *read;
  }
  return start;
}

}  // namespace wal::detail
