// The in-process buffer in front of the active segment: allocated once at open, reused for
// every segment, so encoding an append never allocates. Records are encoded in place and the
// whole buffer is handed to the Fs in one write_at when it fills or a sync begins.
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include <wal/assert.h>

namespace wal::detail {

class WriteBuffer {
 public:
  explicit WriteBuffer(std::size_t capacity_bytes) : bytes_(capacity_bytes) {}

  std::size_t capacity() const { return bytes_.size(); }
  std::size_t size() const { return used_; }
  bool empty() const { return used_ == 0; }
  std::size_t available() const { return bytes_.size() - used_; }

  // Room for `n` more bytes; fill it, then commit(n).
  std::span<std::byte> reserve(std::size_t n) {
    WAL_ASSERT(n <= available());
    return std::span<std::byte>(bytes_).subspan(used_, n);
  }
  void commit(std::size_t n) {
    WAL_ASSERT(n <= available());
    used_ += n;
  }

  std::span<const std::byte> contents() const {
    return std::span<const std::byte>(bytes_).first(used_);
  }
  void clear() { used_ = 0; }
  // Exchanges contents with a buffer of the same capacity: no copy, no allocation.
  void swap(WriteBuffer& other) {
    WAL_ASSERT(other.capacity() == capacity());
    bytes_.swap(other.bytes_);
    std::swap(used_, other.used_);
  }

 private:
  std::vector<std::byte> bytes_;
  std::size_t used_ = 0;
};

}  // namespace wal::detail
