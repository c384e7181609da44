// A bounded read window over one segment file: recovery reads any log in O(1) memory (one chunk,
// grown only to the largest record it meets, never past the file's size).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <wal/fs.h>
#include <wal/status.h>

namespace wal::recovery {

class ChunkReader {
 public:
  static constexpr std::size_t kDefaultChunkBytes = 1u << 20;

  ChunkReader(File& file, std::uint64_t file_bytes, std::size_t chunk_bytes = kDefaultChunkBytes)
      : file_(file), file_bytes_(file_bytes), chunk_bytes_(chunk_bytes) {}

  // Up to `want` bytes at `offset`; shorter only at the end of the file, or when at least
  // `need` (<= want) of them are already buffered: a scan walking record by record must reuse
  // the window, not re-read a whole chunk per record. The view stays valid until the next call.
  // A failed read is returned as is (EIO, latent sector).
  [[nodiscard]] Result<std::span<const std::byte>> view(std::uint64_t offset, std::size_t want,
                                                        std::size_t need);
  [[nodiscard]] Result<std::span<const std::byte>> view(std::uint64_t offset, std::size_t want) {
    return view(offset, want, want);
  }

  std::uint64_t file_bytes() const { return file_bytes_; }

  // The first offset at or after `offset` that may hold a non-zero byte (File::next_data),
  // clamped to the file's size; `offset` itself when the file cannot tell or the call fails
  // (a hint must never turn into an error or a skipped byte).
  std::uint64_t next_data(std::uint64_t offset);

 private:
  [[nodiscard]] Status fill(std::uint64_t offset, std::size_t bytes);

  File& file_;
  std::uint64_t file_bytes_;
  std::size_t chunk_bytes_;
  std::vector<std::byte> buffer_;
  std::uint64_t buffer_offset_ = 0;
  std::size_t buffer_bytes_ = 0;  // valid bytes in buffer_
};

}  // namespace wal::recovery
