#include "segment_reader.h"

#include <algorithm>
#include <array>
#include <vector>

#include <fmt/format.h>

#include "record_format.h"
#include "recovery.h"

namespace wal::detail {
namespace {

constexpr std::size_t kReadChunkBytes = 64 << 10;

class SegmentReader final : public Reader {
 public:
  explicit SegmentReader(ReaderParams params)
      : params_(std::move(params)),
        from_lsn_(std::max({params_.from_lsn, params_.front_lsn, Lsn{1}})),
        expected_lsn_(from_lsn_) {}

  Result<std::optional<Entry>> next() override;

 private:
  Status corruption(std::string_view reason) const {
    return Status::corruption(fmt::format("segment {} offset {} lsn {}: {}", segment_name_,
                                          offset_, expected_lsn_, reason));
  }
  // Opens the segment holding expected_lsn_: at the start the newest one starting at or before
  // it, later exactly the one starting at it. false: no such segment (yet).
  Result<bool> open_segment(bool first);
  Status refill(std::size_t want_bytes);
  // At the end of the open segment: true to go on to the next one, false at the end.
  Result<bool> end_of_segment(Lsn limit);
  // The reported skipped range starting at the current offset of the open segment, if any.
  const DamagedRange* skipped_range_here() const;
  // Whether recovery skipped this whole segment (damage reported from its offset 0: a bad or
  // foreign header); its LSNs are gone and the reader resynchronises on the next segment.
  bool skipped_whole(const std::string& name) const;
  format::DecodedRecord decode_at_offset() const;

  ReaderParams params_;
  const Lsn from_lsn_;
  Lsn expected_lsn_;
  bool positioned_ = false;
  bool resync_ = false;  // just stepped over a skipped range: adopt the next record's LSN

  std::unique_ptr<File> file_;
  std::string segment_name_;
  Lsn segment_first_lsn_ = kNoLsn;  // of the open segment
  ChecksumKind checksum_ = ChecksumKind::kCrc32c;
  std::uint64_t offset_ = 0;  // file offset of the next record

  // Not a std::vector: growing one zero-fills it, and every reader (a recovery read-back, each
  // explored crash state) paid a 64 KiB memset for bytes the next read overwrites.
  std::unique_ptr<std::byte[]> buffer_;
  std::size_t buffer_capacity_ = 0;
  std::uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  std::size_t buffer_bytes_ = 0;     // valid bytes in buffer_

  std::vector<std::span<const std::byte>> batch_;  // entries of the current batch record
  std::size_t batch_index_ = 0;
  Lsn batch_lsn_ = kNoLsn;
};

Result<bool> SegmentReader::open_segment(bool first) {
  Result<std::vector<std::string>> names = params_.fs->list(params_.dir);
  if (!names) return Status(names.error()).with_context("list " + params_.dir);
  // First call: the newest segment starting at or before expected_lsn_ (or, if the log now
  // starts later, its oldest). Afterwards: exactly the one starting at expected_lsn_.
  std::string chosen;
  Lsn chosen_lsn = kNoLsn;
  std::string oldest;
  Lsn oldest_lsn = kNoLsn;
  for (const std::string& name : *names) {
    Lsn lsn = kNoLsn;
    if (!recovery::parse_segment_name(name, &lsn)) continue;
    if (std::find(params_.ignored.begin(), params_.ignored.end(), name) != params_.ignored.end()) {
      continue;
    }
    // Never the segment just finished, nor an older one: the reader only moves forward (a
    // resync over a skipped range could otherwise pick the same segment again, forever).
    if (!first && segment_first_lsn_ != kNoLsn && lsn <= segment_first_lsn_) continue;
    if (skipped_whole(name)) {
      // The segment that should come next was skipped whole: resynchronise past it.
      if (!first && lsn == expected_lsn_) resync_ = true;
      continue;
    }
    if (oldest.empty() || lsn < oldest_lsn) {
      oldest = name;
      oldest_lsn = lsn;
    }
    if (resync_ && !first) {
      // After a skipped range at the end of a segment, the LSNs it held are gone: the next
      // segment starts at or above them.
      if (lsn >= expected_lsn_ && (chosen.empty() || lsn < chosen_lsn)) {
        chosen = name;
        chosen_lsn = lsn;
      }
      continue;
    }
    const bool fits = first ? lsn <= expected_lsn_ : lsn == expected_lsn_;
    if (fits && (chosen.empty() || lsn > chosen_lsn)) {
      chosen = name;
      chosen_lsn = lsn;
    }
  }
  if (chosen.empty() && first && !oldest.empty() && oldest_lsn <= params_.watermark->load()) {
    chosen = oldest;
    chosen_lsn = oldest_lsn;
  }
  if (chosen.empty()) return false;

  Result<std::unique_ptr<File>> opened =
      params_.fs->open(join_path(params_.dir, chosen), OpenMode::kReadOnly);
  if (!opened) return Status(opened.error()).with_context("open segment " + chosen);
  std::array<std::byte, format::kSegmentHeaderBytes> bytes{};
  Result<std::size_t> read = (*opened)->read_at(0, bytes);
  if (!read) return Status(read.error()).with_context("read header of " + chosen);
  const format::SegmentHeaderResult header =
      format::decode_segment_header(std::span<const std::byte>(bytes).first(*read));
  segment_name_ = chosen;
  offset_ = 0;
  if (header.status != format::SegmentHeaderStatus::kOk) {
    return corruption("segment header does not decode");
  }
  if (header.header.first_lsn != chosen_lsn ||
      (params_.salt != 0 && header.header.salt != params_.salt)) {
    return corruption("segment header belongs to another segment or log");
  }
  file_ = std::move(opened).value();
  segment_first_lsn_ = chosen_lsn;
  checksum_ = header.header.checksum;
  offset_ = format::kSegmentHeaderBytes;
  buffer_bytes_ = 0;
  if (first) expected_lsn_ = chosen_lsn;
  return true;
}

Status SegmentReader::refill(std::size_t want_bytes) {
  const std::size_t capacity = std::max(want_bytes, kReadChunkBytes);
  if (buffer_capacity_ < capacity) {
    buffer_ = std::make_unique_for_overwrite<std::byte[]>(capacity);
    buffer_capacity_ = capacity;
  }
  buffer_offset_ = offset_;
  buffer_bytes_ = 0;
  Result<std::size_t> read =
      file_->read_at(offset_, std::span<std::byte>(buffer_.get(), buffer_capacity_));
  if (!read) return Status(read.error()).with_context("read " + segment_name_);
  buffer_bytes_ = *read;
  return Status::ok();
}

// The open segment ended: the next one starts at expected_lsn_. A segment that ends before
// holding a single entry would be chosen again for the same LSN, so that is never a reason to
// go round again: after a skipped range (resync) it is the end of what can be read when the
// segment starts past the watermark, else an error (the log claims an LSN no segment holds).
Result<bool> SegmentReader::end_of_segment(Lsn limit) {
  const bool nothing_here = resync_ ? expected_lsn_ < segment_first_lsn_
                                    : expected_lsn_ == segment_first_lsn_;
  file_.reset();
  if (!nothing_here) return true;
  if (resync_ && segment_first_lsn_ > limit) return false;
  return corruption("segment ends before its first entry");
}

const DamagedRange* SegmentReader::skipped_range_here() const {
  for (const DamagedRange& range : params_.skipped) {
    if (range.segment == segment_name_ && range.offset == offset_ && range.length > 0) {
      return &range;
    }
  }
  return nullptr;
}

bool SegmentReader::skipped_whole(const std::string& name) const {
  for (const DamagedRange& range : params_.skipped) {
    if (range.segment == name && range.offset == 0) return true;
  }
  return false;
}

format::DecodedRecord SegmentReader::decode_at_offset() const {
  format::DecodedRecord none;
  none.status = format::DecodeStatus::kTruncated;
  if (offset_ < buffer_offset_ || offset_ >= buffer_offset_ + buffer_bytes_) return none;
  const auto start = static_cast<std::size_t>(offset_ - buffer_offset_);
  return format::decode_record(
      checksum_, params_.salt, resync_ ? kNoLsn : expected_lsn_, params_.max_entry_bytes,
      std::span<const std::byte>(buffer_.get(), buffer_bytes_).subspan(start));
}

Result<std::optional<Entry>> SegmentReader::next() {
  for (;;) {
    if (batch_index_ < batch_.size()) {
      const std::size_t index = batch_index_++;
      const Lsn lsn = batch_lsn_ + index;
      if (lsn >= from_lsn_) return std::optional<Entry>(Entry{lsn, EntryType::kBatch, batch_[index]});
      continue;
    }
    const Lsn limit = params_.watermark->load(std::memory_order_acquire);
    if (expected_lsn_ > limit) return std::optional<Entry>();

    if (file_ == nullptr) {
      Result<bool> opened = open_segment(!positioned_);
      if (!opened) return opened.error();
      if (!*opened) {
        if (!positioned_) return std::optional<Entry>();  // nothing written yet
        return corruption("no segment starts at this LSN, yet the log holds it");
      }
      positioned_ = true;
    }

    // The buffer may hold bytes read before the writer finished them: anything but a good
    // record is judged only on a fresh read.
    format::DecodedRecord record = decode_at_offset();
    if (record.status != format::DecodeStatus::kOk) {
      WAL_RETURN_IF_ERROR(refill(kReadChunkBytes));
      record = decode_at_offset();
      if (record.status == format::DecodeStatus::kTruncated && record.total_bytes > buffer_bytes_ &&
          buffer_bytes_ == buffer_capacity_) {
        WAL_RETURN_IF_ERROR(refill(record.total_bytes));
        record = decode_at_offset();
      }
    }

    if (record.status != format::DecodeStatus::kOk && record.status != format::DecodeStatus::kZero) {
      if (const DamagedRange* range = skipped_range_here()) {
        offset_ += range->length;
        resync_ = true;
        continue;
      }
    }
    if (record.status == format::DecodeStatus::kOk && resync_) {
      // The first record after a skipped range: its LSN must move forward, never back.
      if (record.meta.lsn < expected_lsn_) return corruption("record after a skipped range goes back");
      resync_ = false;
      expected_lsn_ = record.meta.lsn;
      // The record reading resumes at may lie past what the log holds (a read-only open leaves
      // a torn tail's intact-looking records in place): not yet, or never.
      if (expected_lsn_ > limit) return std::optional<Entry>();
    }

    switch (record.status) {
      case format::DecodeStatus::kOk:
        break;
      case format::DecodeStatus::kZero:
        if (Result<bool> more = end_of_segment(limit); !more || !*more) {
          if (!more) return more.error();
          return std::optional<Entry>();
        }
        continue;
      case format::DecodeStatus::kTruncated:
        if (buffer_bytes_ == 0) {
          if (Result<bool> more = end_of_segment(limit); !more || !*more) {
            if (!more) return more.error();
            return std::optional<Entry>();
          }
          continue;
        }
        return corruption("record runs past the end of the file");
      case format::DecodeStatus::kBadHeaderCrc:
        return corruption("record header checksum mismatch");
      case format::DecodeStatus::kBadPayloadSum:
        return corruption("record payload checksum mismatch");
      case format::DecodeStatus::kBadHeader:
        return corruption("record header has impossible fields");
      case format::DecodeStatus::kStale:
        return corruption("record belongs to another log or LSN");
    }

    offset_ += record.total_bytes;
    const format::RecordMeta& meta = record.meta;
    if (meta.type == format::RecordType::kPadding) continue;
    expected_lsn_ = meta.lsn + meta.count;
    if (meta.type == format::RecordType::kBatch) {
      batch_.clear();
      batch_index_ = 0;
      batch_lsn_ = meta.lsn;
      const bool framed = format::for_each_batch_entry(
          record.payload, meta.count,
          [&](std::uint32_t, std::span<const std::byte> entry) { batch_.push_back(entry); });
      WAL_ASSERT(framed);  // decode_record checked the framing
      continue;
    }
    if (meta.lsn < from_lsn_) continue;
    const EntryType type =
        meta.type == format::RecordType::kCheckpoint ? EntryType::kCheckpoint : EntryType::kData;
    return std::optional<Entry>(Entry{meta.lsn, type, record.payload});
  }
}

}  // namespace

Result<std::unique_ptr<Reader>> open_segment_reader(ReaderParams params) {
  WAL_ASSERT(params.fs != nullptr && params.watermark != nullptr);
  return std::unique_ptr<Reader>(new SegmentReader(std::move(params)));
}

}  // namespace wal::detail
