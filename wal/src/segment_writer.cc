#include "segment_writer.h"

#include <algorithm>
#include <array>
#include <vector>

#include <fmt/format.h>

#include "mutant.h"
#include "read_fully.h"
#include "recovery.h"
#include "unproven_tail.h"

namespace wal::detail {

Status write_records(File& file, std::uint64_t offset, std::span<const std::byte> records) {
  constexpr std::uint64_t kPageBytes = 4096;
  const std::size_t head = offset % kPageBytes;
  // Bug zoo: page-aligned writes, as an O_DIRECT writer issues them: each write starts at the
  // page its first byte falls in, rewriting the records before it there, synced or not.
  // Harmless on a device that leaves a torn sector's old (here identical) bytes; one that
  // leaves it zeroed or junk loses records that were durable before the rewrite.
  if (head != 0 && WAL_MUTANT("rewrite-partial-page")) {
    std::vector<std::byte> page(head + records.size());
    Result<std::size_t> read = read_fully(file, offset - head, std::span(page).first(head));
    if (read && *read == head) {
      std::copy(records.begin(), records.end(), page.begin() + static_cast<std::ptrdiff_t>(head));
      return file.write_at(offset - head, page);
    }
  }
  return file.write_at(offset, records);
}

SegmentWriter::SegmentWriter(std::string name, std::shared_ptr<File> file,
                             format::SegmentHeader header, std::uint64_t flushed_bytes,
                             bool preallocate, WriteBuffer& buffer)
    : name_(std::move(name)),
      file_(std::move(file)),
      header_(header),
      flushed_bytes_(flushed_bytes),
      hinted_bytes_(flushed_bytes),
      preallocate_(preallocate),
      buffer_(buffer) {
  WAL_ASSERT(buffer_.empty());
}

SegmentWriter::~SegmentWriter() = default;

format::SegmentHeader SegmentWriter::new_header(const SegmentParams& params, Lsn first_lsn) {
  format::SegmentHeader header;
  header.checksum = params.checksum;
  header.salt = params.salt;
  header.first_lsn = first_lsn;
  header.capacity_bytes = params.capacity_bytes;
  return header;
}

Status SegmentWriter::prepare_file(File& file, const SegmentParams& params) {
  if (!params.preallocate) return Status::ok();
  // Bug zoo: "preallocation" by a sparse ftruncate reserves no blocks, so a full disk surfaces
  // later as a failed write in the middle of a record instead of failing here.
  if (WAL_MUTANT("sparse-preallocate")) return file.truncate(params.capacity_bytes);
  Status allocated = file.allocate(0, params.capacity_bytes);
  // Bug zoo: preallocation taken for an optimisation, its failure for a filesystem without
  // fallocate: the segment goes on unreserved, ENOSPC included. It is published with room for
  // its header only, written as if preallocated (fdatasync, no size sync), and the full disk
  // surfaces as a failed write in the middle of a record.
  if (!allocated && allocated.code() == Code::kNoSpace && WAL_MUTANT("ignore-fallocate-enospc")) {
    return Status::ok();
  }
  return allocated;
}

Status SegmentWriter::publish(Fs& fs, File& file, std::string_view dir,
                              std::string_view temp_path, std::string_view final_path,
                              std::string_view name, const format::SegmentHeader& header,
                              bool* published) {
  *published = false;
  std::array<std::byte, format::kSegmentHeaderBytes> bytes{};
  format::encode_segment_header(header, bytes);
  if (Status status = file.write_at(0, bytes); !status) {
    return status.with_context("write header of", name);
  }
  if (Status status = file.sync(); !status) return status.with_context("sync new segment", name);
  *published = true;
  if (Status status = fs.rename(temp_path, final_path); !status) {
    return status.with_context("publish segment", name);
  }
  // Bug zoo: without the directory fsync the rename (the segment's very existence) may be lost
  // at power loss although entries in it are acknowledged durable.
  if (WAL_MUTANT("skip-dir-sync")) return Status::ok();
  if (Status status = fs.sync_dir(dir); !status) {
    // Bug zoo: a failed directory fsync taken for done, as if the segment's file were enough:
    // its name may never reach the disk, and the entries acknowledged in it go with it.
    if (WAL_MUTANT("ignore-dir-sync-error")) return Status::ok();
    return status.with_context("sync dir after creating", name);
  }
  return Status::ok();
}

Status SegmentWriter::begin_unpublished(Fs& fs, File& file, std::string_view spare_path,
                                        std::string_view temp_path, std::string_view name,
                                        const format::SegmentHeader& header) {
  std::array<std::byte, format::kSegmentHeaderBytes> bytes{};
  format::encode_segment_header(header, bytes);
  if (Status status = file.write_at(0, bytes); !status) {
    return status.with_context("write header of", name);
  }
  // Under its own temp name, so the next spare can be prepared while this one is unpublished,
  // and recovery can tell which segment it would continue.
  if (Status status = fs.rename(spare_path, temp_path); !status) {
    return status.with_context("rename the spare to", name);
  }
  return Status::ok();
}

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::create(Fs& fs, const std::string& dir,
                                                             Lsn first_lsn,
                                                             const SegmentParams& params,
                                                             WriteBuffer& buffer,
                                                             bool* published) {
  *published = false;
  const std::string name = recovery::segment_name(first_lsn);
  const std::string temp_path = join_path(dir, name + std::string(recovery::kTempSuffix));
  const std::string final_path = join_path(dir, name);
  const format::SegmentHeader header = new_header(params, first_lsn);

  Result<std::unique_ptr<File>> opened = fs.open(temp_path, OpenMode::kCreateExclusive);
  if (!opened) return Status(opened.error()).with_context("create segment " + name);
  std::shared_ptr<File> file(std::move(opened).value());

  // Everything up to the rename touches only the temp file, which recovery deletes as a
  // leftover: a failure there (ENOSPC from fallocate above all) fails the caller cleanly.
  Status status = prepare_file(*file, params);
  if (status) status = publish(fs, *file, dir, temp_path, final_path, name, header, published);
  if (!status) {
    if (!*published) {
      file->close().ignore_error("the temp segment is being discarded after a failure");
      fs.unlink(temp_path).ignore_error("a leftover temp segment is deleted by the next open");
    }
    return status.with_context("create segment " + name);
  }
  // A handle names the path it was opened by in its errors, and the temp name is gone now:
  // write through a handle opened by the final name, so a failure names the real segment.
  Result<std::unique_ptr<File>> reopened = fs.open(final_path, OpenMode::kReadWrite);
  if (!reopened) return Status(reopened.error()).with_context("reopen segment " + name);
  WAL_RETURN_IF_ERROR(file->close().with_context("close temp handle of " + name));
  return std::unique_ptr<SegmentWriter>(new SegmentWriter(name, std::move(reopened).value(),
                                                          header, format::kSegmentHeaderBytes,
                                                          params.preallocate, buffer));
}

std::unique_ptr<SegmentWriter> SegmentWriter::adopt(std::shared_ptr<File> file,
                                                    const format::SegmentHeader& header,
                                                    std::string_view name, bool preallocate,
                                                    WriteBuffer& buffer) {
  return std::unique_ptr<SegmentWriter>(new SegmentWriter(std::string(name), std::move(file),
                                                          header, format::kSegmentHeaderBytes,
                                                          preallocate, buffer));
}

void SegmentWriter::restart(std::shared_ptr<File> file, const format::SegmentHeader& header,
                            std::string_view name, bool preallocate) {
  WAL_ASSERT(file_ == nullptr && buffer_.empty() && handed_ == nullptr);
  name_.assign(name);
  file_ = std::move(file);
  header_ = header;
  flushed_bytes_ = format::kSegmentHeaderBytes;
  hinted_bytes_ = flushed_bytes_;
  preallocate_ = preallocate;
}

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::reopen(Fs& fs, const std::string& dir,
                                                             const std::string& name,
                                                             std::uint64_t end_offset,
                                                             bool preallocate,
                                                             WriteBuffer& buffer) {
  const std::string path = join_path(dir, name);
  Result<std::unique_ptr<File>> opened = fs.open(path, OpenMode::kReadWrite);
  if (!opened) return Status(opened.error()).with_context("reopen segment " + name);
  std::shared_ptr<File> file(std::move(opened).value());

  std::array<std::byte, format::kSegmentHeaderBytes> bytes{};
  Result<std::size_t> read = read_fully(*file, 0, bytes);
  if (!read) return Status(read.error()).with_context("read header of " + name);
  const format::SegmentHeaderResult decoded =
      format::decode_segment_header(std::span<const std::byte>(bytes).first(*read));
  if (decoded.status != format::SegmentHeaderStatus::kOk) {
    return Status::corruption(fmt::format("segment {}: header no longer valid at reopen", name));
  }
  format::SegmentHeader header = decoded.header;
  // A header written by a writer with a smaller or unknown plan still bounds the records in it.
  if (header.capacity_bytes < end_offset) header.capacity_bytes = end_offset;

  Result<std::uint64_t> size = file->size();
  if (!size) return Status(size.error()).with_context("size of " + name);
  // Bug zoo: resuming at the damage without cutting what lies behind it keeps the newer
  // (undecidable) records there, to be overwritten piecemeal by the next appends.
  const bool cut = *size != end_offset && !WAL_MUTANT("resume-over-damage");
  // The write buffer is empty at open: it serves as scratch.
  WAL_ASSERT(buffer.empty());
  const std::span<std::byte> scratch = buffer.reserve(buffer.capacity());
  // A segment with records holds an unproven one: its newest (a record's durable_hint is
  // below its own LSN, wal/FORMAT.md 2.3, and no later record exists to prove it). Only
  // trailing padding could prove everything before it, and the writer writes none.
  // Bug zoo: the bytes recovery just read are taken to be on disk. After a failed fsync in
  // this process (ext4, xfs) they may be clean pages in the page cache that never get written:
  // the sync below covers nothing, and the next power loss leaves a hole under entries
  // acknowledged after this open.
  const bool rewrite = end_offset > format::kSegmentHeaderBytes &&
                       !WAL_MUTANT("trust-page-cache-on-reopen");
  // Bug zoo: the unproven records written again over themselves, as this open did before the
  // copy: harmless where a torn write keeps its old bytes, a loss of durable records where it
  // reads back as zeros or junk (crash.torn_fill).
  const bool in_place = rewrite && WAL_MUTANT("rewrite-tail-in-place");
  std::uint64_t unproven = end_offset;
  if (in_place) {
    Result<std::uint64_t> found = find_unproven_tail(*file, header, end_offset, scratch);
    if (!found) return Status(found.error()).with_context("find unproven tail of " + name);
    unproven = *found;
  }
  if (rewrite && !in_place) {
    Result<std::unique_ptr<File>> copy =
        replace_with_copy(fs, dir, name, *file, cut ? end_offset : *size, scratch);
    if (!copy) return Status(copy.error()).with_context("rewrite unproven tail of " + name);
    // The replaced segment's blocks go back to the filesystem before the copy preallocates.
    WAL_RETURN_IF_ERROR(file->close().with_context("close replaced " + name));
    file = std::move(copy).value();
  } else if (cut) {
    WAL_RETURN_IF_ERROR(file->truncate(end_offset).with_context("cut tail of " + name));
  }
  if (preallocate && header.capacity_bytes > end_offset) {
    WAL_RETURN_IF_ERROR(
        file->allocate(0, header.capacity_bytes).with_context("preallocate " + name));
  }
  if (in_place) {
    WAL_RETURN_IF_ERROR(rewrite_in_place(*file, unproven, end_offset, scratch)
                            .with_context("rewrite unproven tail of " + name));
  }
  WAL_RETURN_IF_ERROR(file->sync().with_context("sync " + name + " after its tail was cut"));
  return std::unique_ptr<SegmentWriter>(
      new SegmentWriter(name, std::move(file), header, end_offset, preallocate, buffer));
}

std::uint64_t SegmentWriter::hand_off(WriteBuffer& flight) {
  WAL_ASSERT(handed_ == nullptr && file_ != nullptr);
  flight.clear();
  flight.swap(buffer_);
  handed_ = &flight;
  handed_offset_ = flushed_bytes_;
  flushed_bytes_ += flight.size();
  return handed_offset_;
}

Status SegmentWriter::settle() {
  if (handed_ == nullptr) return Status::ok();
  Status status = write_records(*file_, handed_offset_, handed_->contents());
  if (!status) return status.with_context("write", name_);
  handed_ = nullptr;
  return Status::ok();
}

Status SegmentWriter::flush() {
  WAL_RETURN_IF_ERROR(settle());
  if (buffer_.empty()) return Status::ok();
  WAL_ASSERT(file_ != nullptr);
  Status status = write_records(*file_, flushed_bytes_, buffer_.contents());
  if (!status) return status.with_context("write", name_);
  flushed_bytes_ += buffer_.size();
  buffer_.clear();
  hint_writeback();
  return Status::ok();
}

Status SegmentWriter::write_direct(std::span<const std::byte> record) {
  WAL_RETURN_IF_ERROR(settle());
  Status status = write_records(*file_, flushed_bytes_, record);
  if (!status) return status.with_context("write", name_);
  flushed_bytes_ += record.size();
  hint_writeback();
  return Status::ok();
}

void SegmentWriter::hint_writeback() {
  if (writeback_bytes_ == 0 || flushed_bytes_ - hinted_bytes_ < writeback_bytes_) return;
  // No durability rides on it, and a failed write-back of these pages fails the sync that
  // finally covers them (fsyncgate included): that sync decides, not the hint.
  file_->start_writeback(hinted_bytes_, flushed_bytes_ - hinted_bytes_)
      .ignore_error("a hint; the sync that covers these bytes reports any failure");
  hinted_bytes_ = flushed_bytes_;
}

Status SegmentWriter::finish() {
  WAL_RETURN_IF_ERROR(flush());
  if (preallocate_) {
    // Unsynced, the trim could be lost and leave the size undetermined, so sync() follows.
    WAL_RETURN_IF_ERROR(file_->truncate(flushed_bytes_).with_context("trim", name_));
  }
  // Bug zoo: ftruncate taken as durable by itself: the trim, and the records flushed just
  // before it, are never synced although rotation and close call them durable.
  if (preallocate_ && WAL_MUTANT("unsynced-rotation-trim")) return release_file();
  WAL_RETURN_IF_ERROR(file_->sync().with_context("sync", name_));
  return release_file();
}

Status SegmentWriter::trim_unsynced() {
  WAL_RETURN_IF_ERROR(flush());
  if (preallocate_) {
    WAL_RETURN_IF_ERROR(file_->truncate(flushed_bytes_).with_context("trim", name_));
  }
  return release_file();
}

Status SegmentWriter::abandon(bool flush_first) {
  Status status = flush_first ? flush() : Status::ok();
  if (!flush_first) {
    buffer_.clear();
    handed_ = nullptr;
  }
  Status released = release_file();
  return status.is_ok() ? released : status;
}

Status SegmentWriter::release_file() {
  if (file_ == nullptr) return Status::ok();
  Status status;
  if (file_.use_count() == 1) status = file_->close().with_context("close", name_);
  file_.reset();
  return status;
}

}  // namespace wal::detail
