// The filesystem seam. The WAL reaches storage only through these two interfaces, so the same
// WAL code runs on the real disk (PosixFs), on the simulator (sim::SimFs) and under fault
// decorators (faults/). Durability is in the verbs: a write is visible at once but survives
// only a process crash; sync_data()/sync() make file contents survive a power loss; a create,
// rename or unlink survives a power loss only after sync_dir() of its directory.
// start_writeback() is a performance hint that changes none of this.
//
// wal::Log calls an Fs from its background threads as well as from the appending ones (spare
// segments, Options::prepare_segments), on different files: an Fs given to it must be
// thread-safe, as PosixFs is. LogCore alone calls it from its one runtime thread.
//
// Paths are plain strings joined with '/'. Implementations must not be smarter than this
// contract: SimFs implements exactly the guarantees written here and no more, and the WAL must
// be correct under exactly these guarantees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <wal/status.h>

namespace wal {

enum class OpenMode : std::uint8_t {
  kReadOnly,         // existing file; write_at/truncate/allocate fail with kInvalidArgument
  kReadWrite,        // existing file
  kCreate,           // create if missing (size 0), else open existing; read-write
  kCreateExclusive,  // kAlreadyExists if the path exists; read-write
};

class File {
 public:
  virtual ~File() = default;

  // Reads up to out.size() bytes at `offset`; returns how many were read: 0 at or past the end
  // of the file, and possibly fewer than asked before it, as pread(2) may (PosixFs retries
  // until the end, but a caller must not count on it: the simulator's read_short returns
  // less). Sees every completed write_at, durable or not (the page cache).
  [[nodiscard]] virtual Result<std::size_t> read_at(std::uint64_t offset,
                                                    std::span<std::byte> out) = 0;

  // Writes all of `data` at `offset`, extending the file if needed (pwrite, EINTR and short
  // writes retried). Visible to reads at once; survives a process crash; NOT a power loss.
  // On error an unknown prefix of `data` may have been written.
  [[nodiscard]] virtual Status write_at(std::uint64_t offset,
                                        std::span<const std::byte> data) = 0;

  // fdatasync: every completed write_at to this file's existing extent becomes durable.
  // A size change is NOT guaranteed durable by this call (the portable worst case, which SimFs
  // models): after the file grew, through write_at past the end or allocate(), call sync().
  [[nodiscard]] virtual Status sync_data() = 0;

  // fsync: data and metadata (size) durable. The directory entry still needs sync_dir().
  [[nodiscard]] virtual Status sync() = 0;

  // Sets the size; bytes past it are gone, a grown region reads as zeros. Durable after sync().
  [[nodiscard]] virtual Status truncate(std::uint64_t size_bytes) = 0;

  // fallocate(mode 0): reserves real blocks for [offset, offset+length) and extends the size to
  // cover it; the new region reads as zeros. A full disk fails here with kNoSpace instead of
  // later in the middle of a record. Durable after sync().
  [[nodiscard]] virtual Status allocate(std::uint64_t offset, std::uint64_t length) = 0;

  // A hint, no promise: asks the OS to start writing [offset, offset+length) of this file back
  // to the device now (sync_file_range(SYNC_FILE_RANGE_WRITE) on PosixFs), so that a later
  // sync_data() or sync() only waits for what is still dirty then. Nothing becomes durable
  // through it, and it must not consume a writeback error that a later sync would report.
  // An error here says nothing about the data: only the syncs do. The default does nothing
  // (SimFs: durability comes from the sync verbs alone); decorators pass it through.
  [[nodiscard]] virtual Status start_writeback(std::uint64_t offset, std::uint64_t length) {
    static_cast<void>(offset);
    static_cast<void>(length);
    return Status::ok();
  }

  // Current (visible) size in bytes.
  [[nodiscard]] virtual Result<std::uint64_t> size() = 0;

  // A hint for readers of sparse or preallocated files: the offset of the first byte at or
  // after `offset` that may be non-zero (lseek SEEK_DATA on PosixFs), or the size if every
  // byte from `offset` on reads as zero. It may answer `offset` itself whenever it cannot tell
  // (the default), never a larger value that skips a non-zero byte. Recovery uses it so that
  // a segment preallocated to gigabytes with a few records costs what its data costs.
  [[nodiscard]] virtual Result<std::uint64_t> next_data(std::uint64_t offset) { return offset; }

  // Releases the handle. Nothing is synced. Every other call after close() is a contract
  // violation (SimFs asserts). The destructor closes a file that is still open.
  [[nodiscard]] virtual Status close() = 0;
};

// An exclusive advisory lock on a path (flock on PosixFs). Released by the destructor.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

struct FileStat {
  bool is_directory = false;
  std::uint64_t size_bytes = 0;
};

class Fs {
 public:
  virtual ~Fs() = default;

  [[nodiscard]] virtual Result<std::unique_ptr<File>> open(std::string_view path,
                                                           OpenMode mode) = 0;

  // Atomically replaces `target` by `source`. Visible at once; durable after sync_dir() of the
  // directory (both directories if they differ).
  [[nodiscard]] virtual Status rename(std::string_view source, std::string_view target) = 0;

  // Removes a file. Visible at once; durable after sync_dir() of its directory.
  [[nodiscard]] virtual Status unlink(std::string_view path) = 0;

  // Names (not paths) of the entries in `dir`, sorted bytewise, without "." and "..".
  [[nodiscard]] virtual Result<std::vector<std::string>> list(std::string_view dir) = 0;

  // Creates one directory level; kAlreadyExists if something is there. Durable after
  // sync_dir() of the parent.
  [[nodiscard]] virtual Status mkdir(std::string_view path) = 0;

  // fsync of a directory: every create, rename and unlink in it so far becomes durable.
  [[nodiscard]] virtual Status sync_dir(std::string_view dir) = 0;

  // kNotFound if nothing is at `path`.
  [[nodiscard]] virtual Result<FileStat> stat(std::string_view path) = 0;

  // Takes an exclusive lock on `path` (created if missing); kBusy if another holder has it,
  // in this process or another.
  [[nodiscard]] virtual Result<std::unique_ptr<FileLock>> lock(std::string_view path) = 0;
};

// "dir/name" without doubling a trailing slash.
std::string join_path(std::string_view dir, std::string_view name);
// The same into `out` (replacing its contents): no allocation when its capacity suffices.
void join_path_into(std::string_view dir, std::string_view name, std::string& out);
// The directory holding `path` (trailing slashes ignored): "a/b" -> "a", "/b" -> "/", "b" -> ".".
std::string parent_path(std::string_view path);

}  // namespace wal
