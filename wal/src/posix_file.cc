#include "posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "posix_fault.h"

namespace wal::posix {
namespace {

constexpr std::uint64_t kMaxOffset = static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());

bool fits_off_t(std::uint64_t offset, std::uint64_t length) {
  return offset <= kMaxOffset && length <= kMaxOffset - offset;
}

}  // namespace

PosixFile::PosixFile(int fd, std::string path, bool read_only)
    : fd_(fd), path_(std::move(path)), read_only_(read_only) {
  WAL_ASSERT(fd_ >= 0);
}

PosixFile::~PosixFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status PosixFile::refuse_if_read_only(std::string_view op) const {
  if (!read_only_) return Status::ok();
  return Status::invalid_argument(fmt::format("{} {}: file was opened read-only", op, path_));
}

Result<std::size_t> PosixFile::read_at(std::uint64_t offset, std::span<std::byte> out) {
  WAL_ASSERT(fd_ >= 0);
  fiu_do_on("wal/fs/read", return injected_error("pread", path_));
  if (!fits_off_t(offset, out.size())) {
    return Status::invalid_argument(fmt::format("pread {}: offset {} out of range", path_, offset));
  }
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                              static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(errno, "pread", path_);
    }
    if (n == 0) break;  // end of file
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Status PosixFile::write_all(std::uint64_t offset, std::span<const std::byte> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(errno, "pwrite", path_);
    }
    // pwrite of a non-empty buffer never returns 0 on a regular file; refuse to spin if it does.
    if (n == 0) return os_error(EIO, "pwrite (wrote nothing)", path_);
    done += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

Status PosixFile::write_at(std::uint64_t offset, std::span<const std::byte> data) {
  WAL_ASSERT(fd_ >= 0);
  WAL_RETURN_IF_ERROR(refuse_if_read_only("pwrite"));
  if (!fits_off_t(offset, data.size())) {
    return Status::invalid_argument(fmt::format("pwrite {}: offset {} out of range", path_, offset));
  }
  fiu_do_on("wal/fs/write", return injected_error("pwrite", path_));
  // A short write followed by a failure: the contract's "an unknown prefix may have been
  // written", made concrete with half of the buffer.
  fiu_do_on("wal/fs/write_short", {
    const int sys_errno = injected_errno();
    WAL_RETURN_IF_ERROR(write_all(offset, data.first(data.size() / 2)));
    return os_error(sys_errno, "pwrite", path_);
  });
  return write_all(offset, data);
}

Status PosixFile::sync_data() {
  WAL_ASSERT(fd_ >= 0);
  fiu_do_on("wal/fs/fdatasync", return injected_error("fdatasync", path_));
  while (::fdatasync(fd_) != 0) {
    if (errno != EINTR) return os_error(errno, "fdatasync", path_);
  }
  return Status::ok();
}

Status PosixFile::sync() {
  WAL_ASSERT(fd_ >= 0);
  fiu_do_on("wal/fs/fsync", return injected_error("fsync", path_));
  while (::fsync(fd_) != 0) {
    if (errno != EINTR) return os_error(errno, "fsync", path_);
  }
  return Status::ok();
}

Status PosixFile::start_writeback(std::uint64_t offset, std::uint64_t length) {
  WAL_ASSERT(fd_ >= 0);
  if (length == 0) return Status::ok();
  if (!fits_off_t(offset, length)) {
    return Status::invalid_argument(
        fmt::format("sync_file_range {}: range {}+{} out of range", path_, offset, length));
  }
  fiu_do_on("wal/fs/sync_file_range", return injected_error("sync_file_range", path_));
  // WRITE alone starts writeback of the dirty pages in the range and does not wait for it, nor
  // look at (and so never consumes) the file's writeback error state: the next fdatasync still
  // reports a failure of these pages.
  while (::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                           SYNC_FILE_RANGE_WRITE) != 0) {
    if (errno != EINTR) return os_error(errno, "sync_file_range", path_);
  }
  return Status::ok();
}

Status PosixFile::truncate(std::uint64_t size_bytes) {
  WAL_ASSERT(fd_ >= 0);
  WAL_RETURN_IF_ERROR(refuse_if_read_only("ftruncate"));
  if (!fits_off_t(size_bytes, 0)) {
    return Status::invalid_argument(
        fmt::format("ftruncate {}: size {} out of range", path_, size_bytes));
  }
  fiu_do_on("wal/fs/truncate", return injected_error("ftruncate", path_));
  while (::ftruncate(fd_, static_cast<off_t>(size_bytes)) != 0) {
    if (errno != EINTR) return os_error(errno, "ftruncate", path_);
  }
  return Status::ok();
}

Status PosixFile::allocate(std::uint64_t offset, std::uint64_t length) {
  WAL_ASSERT(fd_ >= 0);
  WAL_RETURN_IF_ERROR(refuse_if_read_only("fallocate"));
  if (!fits_off_t(offset, length)) {
    return Status::invalid_argument(
        fmt::format("fallocate {}: range {}+{} out of range", path_, offset, length));
  }
  // An injected errno takes the same path as a real one, so EOPNOTSUPP maps the same way.
  auto failure = [&](int sys_errno) {
    // A sparse ftruncate would look like success and then fail mid-record on a full disk, so
    // the caller must see that the reservation is impossible here.
    if (sys_errno == EOPNOTSUPP) {
      return Status::unsupported(
          fmt::format("fallocate {}: the filesystem does not support it", path_));
    }
    return os_error(sys_errno, "fallocate", path_);
  };
  fiu_do_on("wal/fs/fallocate", return failure(injected_errno()));
  if (length == 0) return Status::ok();  // fallocate rejects an empty range; nothing to reserve
  while (::fallocate(fd_, 0, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0) {
    if (errno != EINTR) return failure(errno);
  }
  return Status::ok();
}

Result<std::uint64_t> PosixFile::size() {
  WAL_ASSERT(fd_ >= 0);
  fiu_do_on("wal/fs/size", return injected_error("fstat", path_));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return os_error(errno, "fstat", path_);
  return static_cast<std::uint64_t>(st.st_size);
}

Result<std::uint64_t> PosixFile::next_data(std::uint64_t offset) {
  WAL_ASSERT(fd_ >= 0);
  if (!fits_off_t(offset, 0)) return offset;
  const off_t found = ::lseek(fd_, static_cast<off_t>(offset), SEEK_DATA);
  if (found >= 0) return std::max<std::uint64_t>(offset, static_cast<std::uint64_t>(found));
  // ENXIO: no data at or after `offset`. Anything else (a filesystem without SEEK_DATA):
  // no answer, so nothing may be skipped.
  if (errno == ENXIO) return size();
  return offset;
}

Status PosixFile::close() {
  WAL_ASSERT(fd_ >= 0);
  const int fd = std::exchange(fd_, -1);
  // Linux releases the descriptor even when close() fails, so an injected failure releases it
  // too; retrying close would risk closing a descriptor another thread has just been given.
  fiu_do_on("wal/fs/close", {
    ::close(fd);
    return injected_error("close", path_);
  });
  if (::close(fd) != 0 && errno != EINTR) return os_error(errno, "close", path_);
  return Status::ok();
}

}  // namespace wal::posix
