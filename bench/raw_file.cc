#include "raw_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "check.h"

namespace bench::raw {

const char* to_string(Shape shape) {
  switch (shape) {
    case Shape::kGrowing: return "growing";
    case Shape::kFallocated: return "fallocated";
    case Shape::kPrewritten: return "prewritten";
  }
  return "?";
}

File::File(const std::string& path, Shape shape, std::uint64_t capacity) : shape_(shape) {
  fd_ = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  check_errno(fd_, "open " + path);
  if (shape == Shape::kFallocated) {
    check_errno(::fallocate(fd_, 0, 0, static_cast<off_t>(capacity)), "fallocate " + path);
  } else if (shape == Shape::kPrewritten) {
    const std::vector<std::byte> zeros(1u << 20);
    for (std::uint64_t done = 0; done < capacity; done += zeros.size()) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), capacity - done));
      check_errno(::pwrite(fd_, zeros.data(), n, static_cast<off_t>(done)), "prewrite " + path);
    }
  }
  check_errno(::fsync(fd_), "fsync " + path);
}

File::~File() { ::close(fd_); }

void File::append(const std::byte* data, std::size_t n) {
  while (n > 0) {
    const ssize_t done = shape_ == Shape::kGrowing
                             ? ::write(fd_, data, n)
                             : ::pwrite(fd_, data, n, static_cast<off_t>(offset_));
    check_errno(done, "raw write");
    data += done;
    n -= static_cast<std::size_t>(done);
    offset_ += static_cast<std::uint64_t>(done);
  }
}

void File::sync_data() {
  check_errno(::fdatasync(fd_), "fdatasync");
  ++syncs_;
}

void File::start_writeback(std::uint64_t offset, std::uint64_t length) {
  check_errno(::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                                SYNC_FILE_RANGE_WRITE),
              "sync_file_range");
}

}  // namespace bench::raw
