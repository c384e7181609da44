#include "recovery_chunk_reader.h"

#include <algorithm>

#include <fmt/format.h>

namespace wal::recovery {

Result<std::span<const std::byte>> ChunkReader::view(std::uint64_t offset, std::size_t want,
                                                    std::size_t need) {
  WAL_ASSERT(need <= want);
  if (offset >= file_bytes_) return std::span<const std::byte>();
  want = static_cast<std::size_t>(std::min<std::uint64_t>(want, file_bytes_ - offset));
  need = std::min(need, want);
  const bool cached = offset >= buffer_offset_ &&
                      offset + need <= buffer_offset_ + buffer_bytes_;
  if (!cached) {
    const std::size_t chunk = static_cast<std::size_t>(
        std::min<std::uint64_t>(std::max(want, chunk_bytes_), file_bytes_ - offset));
    Status status = fill(offset, chunk);
    // A bad sector somewhere in the read-ahead must not hide the good bytes before it: retry
    // with exactly what was asked for.
    if (!status.is_ok() && chunk > want) status = fill(offset, want);
    if (!status.is_ok()) return status.with_context(fmt::format("read at offset {}", offset));
  }
  const std::size_t start = static_cast<std::size_t>(offset - buffer_offset_);
  const std::size_t have = std::min(want, buffer_bytes_ - std::min(start, buffer_bytes_));
  return std::span<const std::byte>(buffer_).subspan(start, have);
}

std::uint64_t ChunkReader::next_data(std::uint64_t offset) {
  if (offset >= file_bytes_) return offset;
  Result<std::uint64_t> found = file_.next_data(offset);
  if (!found || *found < offset) return offset;
  return std::min(*found, file_bytes_);
}

Status ChunkReader::fill(std::uint64_t offset, std::size_t bytes) {
  if (buffer_.size() < bytes) buffer_.resize(bytes);
  buffer_offset_ = offset;
  buffer_bytes_ = 0;
  while (buffer_bytes_ < bytes) {
    Result<std::size_t> got = file_.read_at(
        offset + buffer_bytes_, std::span(buffer_).subspan(buffer_bytes_, bytes - buffer_bytes_));
    if (!got) {
      buffer_bytes_ = 0;
      return got.error();
    }
    if (*got == 0) break;  // the file shrank under us: what is there is all there is
    buffer_bytes_ += *got;
  }
  return Status::ok();
}

}  // namespace wal::recovery
