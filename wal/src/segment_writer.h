// The segment being appended to: its file, its place in the shared write buffer, and the
// create/finish protocols that make a segment exist durably before anything in it can be
// acknowledged, and leave no stale preallocated bytes behind when it is done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <wal/fs.h>
#include <wal/options.h>
#include <wal/status.h>
#include <wal/types.h>

#include "record_format.h"
#include "write_buffer.h"

namespace wal::detail {

struct SegmentParams {
  ChecksumKind checksum = ChecksumKind::kCrc32c;
  std::uint64_t salt = 0;
  std::uint64_t capacity_bytes = 0;
  bool preallocate = true;
};

// Writes a segment's records at `offset`: every write of records goes through here.
[[nodiscard]] Status write_records(File& file, std::uint64_t offset,
                                   std::span<const std::byte> records);

class SegmentWriter {
 public:
  // Creates "<dir>/<first_lsn>.wal": "<name>.tmp" exclusively, prepare_file(), then publish().
  // `*published` is set once the final name may exist in the directory: a failure after that
  // point leaves the directory in a state only a reopen may judge, so the caller poisons;
  // before it, nothing but a temp file was touched.
  [[nodiscard]] static Result<std::unique_ptr<SegmentWriter>> create(
      Fs& fs, const std::string& dir, Lsn first_lsn, const SegmentParams& params,
      WriteBuffer& buffer, bool* published);

  // Reserves the blocks of a segment-to-be (fallocate, when preallocating) in a temp file, so a
  // full disk fails here, where nothing of the log is touched yet. Not synced.
  [[nodiscard]] static Status prepare_file(File& file, const SegmentParams& params);

  // Makes the prepared temp file `temp_path` segment `name` (at `final_path`): its header,
  // sync(), rename, sync_dir(). Writes, renames and syncs only, and builds no string unless it
  // fails: a rotation onto a spare (log_core.h) allocates nothing. `*published` as in create().
  [[nodiscard]] static Status publish(Fs& fs, File& file, std::string_view dir,
                                      std::string_view temp_path, std::string_view final_path,
                                      std::string_view name, const format::SegmentHeader& header,
                                      bool* published);

  // The background rotation's first step (Options::background_rotation, wal/FORMAT.md 3.2):
  // the prepared temp file `spare_path` gets segment `name`'s header and is renamed to
  // `temp_path` ("<segment>.tmp"), unsynced; records follow at once. A sync ticket publishes
  // it later (LogCore::run_sync). Allocates nothing unless it fails.
  [[nodiscard]] static Status begin_unpublished(Fs& fs, File& file, std::string_view spare_path,
                                                std::string_view temp_path,
                                                std::string_view name,
                                                const format::SegmentHeader& header);

  // A writer for a segment publish() just made, when there is no finished writer to restart.
  static std::unique_ptr<SegmentWriter> adopt(std::shared_ptr<File> file,
                                              const format::SegmentHeader& header,
                                              std::string_view name, bool preallocate,
                                              WriteBuffer& buffer);

  // The header a new segment starting at `first_lsn` gets.
  static format::SegmentHeader new_header(const SegmentParams& params, Lsn first_lsn);

  // Points this finished writer (finish()/abandon() done, file released) at a freshly published
  // segment: the rotation reuses the writer and its name's storage instead of allocating.
  void restart(std::shared_ptr<File> file, const format::SegmentHeader& header,
               std::string_view name, bool preallocate);

  // Continues the newest recovered segment: cuts it to `end_offset` (so stale bytes after the
  // cut can never be read as current), re-preallocates, and sync()s the result. When records
  // in it are unproven (unproven_tail.h), the segment is first replaced by a synced copy of
  // its first `end_offset` bytes, never written over in place.
  [[nodiscard]] static Result<std::unique_ptr<SegmentWriter>> reopen(
      Fs& fs, const std::string& dir, const std::string& name, std::uint64_t end_offset,
      bool preallocate, WriteBuffer& buffer);

  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  const std::string& name() const { return name_; }
  const format::SegmentHeader& header() const { return header_; }
  const std::shared_ptr<File>& file() const { return file_; }
  // Bytes of the segment written so far, buffered ones included.
  std::uint64_t used_bytes() const { return flushed_bytes_ + buffer_.size(); }
  bool fits(std::size_t record_bytes) const {
    return used_bytes() + record_bytes <= header_.capacity_bytes;
  }
  // fdatasync does not make a size change durable: a file that grows needs fsync.
  bool grows_on_append() const { return !preallocate_; }

  // Early writeback (Options::writeback_bytes; 0 = off): once this many bytes were handed to
  // the file since the last hint or sync began, ask the OS to start writing them back, so the
  // sync that finishes the segment (or the next sync()) waits only for the rest.
  void set_writeback_bytes(std::uint64_t bytes) { writeback_bytes_ = bytes; }
  // A sync of everything flushed so far has begun: no hint needed for those bytes.
  void note_sync_started() { hinted_bytes_ = flushed_bytes_; }

  // Encodes one record of `record_bytes` bytes through `encode(std::span<std::byte>)` into the
  // buffer (flushing it first if the record does not fit), or, for a record larger than the
  // whole buffer, into a temporary and straight to the file. An error means an unknown prefix
  // of the buffered bytes may have reached the file.
  template <typename Encode>
  [[nodiscard]] Status append(std::size_t record_bytes, Encode&& encode) {
    WAL_ASSERT(fits(record_bytes));
    if (record_bytes > buffer_.available()) WAL_RETURN_IF_ERROR(flush());
    if (record_bytes > buffer_.capacity()) {
      oversize_.resize(record_bytes);
      const std::size_t written = encode(std::span<std::byte>(oversize_));
      WAL_ASSERT(written == record_bytes);
      Status status = write_direct(oversize_);
      oversize_.clear();
      oversize_.shrink_to_fit();  // O(1) memory: do not keep the largest record forever
      return status;
    }
    const std::size_t written = encode(buffer_.reserve(record_bytes));
    WAL_ASSERT(written == record_bytes);
    buffer_.commit(record_bytes);
    return Status::ok();
  }

  // Hands the buffered bytes to the OS.
  [[nodiscard]] Status flush();

  // Group commit: hands the buffered bytes to a sync ticket instead, which writes them itself
  // outside the runtime's lock (LogCore::run_sync) while appenders fill the buffer again. They
  // are swapped into `flight` (no copy) and count as flushed; returns their offset. Until
  // handed_off_written(), anything that writes after them or syncs this segment writes them
  // first (settle()): a flush must never leave a hole a reader would take for the end of the
  // log. Writing them twice (here and by the ticket) writes the same bytes at the same offset.
  std::uint64_t hand_off(WriteBuffer& flight);
  void handed_off_written() { handed_ = nullptr; }

  // Flushes, trims the preallocated tail to the used size and sync()s: afterwards every record
  // of this segment is durable and its size is exact. Closes the file unless a sync ticket
  // still holds it (its last holder's destructor closes it then).
  [[nodiscard]] Status finish();

  // Flushes and releases the file without syncing (SyncPolicy::kNone close, or poisoned).
  [[nodiscard]] Status abandon(bool flush_first);

  // Trims the preallocated tail and releases the file, without a sync: for a segment whose
  // records are all durable already. Losing the trim at power loss only leaves a tail of zeros,
  // which the next open cuts.
  [[nodiscard]] Status trim_unsynced();

 private:
  SegmentWriter(std::string name, std::shared_ptr<File> file, format::SegmentHeader header,
                std::uint64_t flushed_bytes, bool preallocate, WriteBuffer& buffer);
  [[nodiscard]] Status write_direct(std::span<const std::byte> record);
  [[nodiscard]] Status settle();
  [[nodiscard]] Status release_file();
  void hint_writeback();

  std::string name_;
  std::shared_ptr<File> file_;
  format::SegmentHeader header_;
  std::uint64_t flushed_bytes_ = 0;  // bytes handed to the file
  std::uint64_t hinted_bytes_ = 0;   // up to here, writeback was started or a sync began
  std::uint64_t writeback_bytes_ = 0;
  bool preallocate_ = true;
  WriteBuffer& buffer_;
  const WriteBuffer* handed_ = nullptr;  // bytes a sync ticket is writing at handed_offset_
  std::uint64_t handed_offset_ = 0;
  std::vector<std::byte> oversize_;
};

}  // namespace wal::detail
