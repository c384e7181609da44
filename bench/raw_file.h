// The files the raw baseline writes to, in the three shapes that matter to fdatasync on ext4:
// a file that grows with every write (each sync also commits the new size), a fallocated one
// (each sync also converts unwritten extents), and a pre-written one (zeros written and synced
// first: a sync then flushes data only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace bench::raw {

enum class Shape { kGrowing, kFallocated, kPrewritten };

const char* to_string(Shape shape);

class File {
 public:
  // Creates `path`; for kFallocated/kPrewritten, `capacity` bytes are reserved and synced
  // before this returns.
  File(const std::string& path, Shape shape, std::uint64_t capacity);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // Writes at the current end of data (write() on a growing file, pwrite() otherwise).
  void append(const std::byte* data, std::size_t n);
  void sync_data();
  // sync_file_range(SYNC_FILE_RANGE_WRITE): start writeback of [offset, offset+length), no wait.
  void start_writeback(std::uint64_t offset, std::uint64_t length);
  std::uint64_t end() const { return offset_; }  // bytes appended so far
  std::uint64_t syncs() const { return syncs_; }

 private:
  int fd_ = -1;
  Shape shape_;
  std::uint64_t offset_ = 0;
  std::uint64_t syncs_ = 0;
};

}  // namespace bench::raw
