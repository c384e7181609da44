#include "segment_reader.h"

#include <algorithm>
#include <array>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "mutant.h"
#include "record_format.h"
#include "read_fully.h"
#include "recovery.h"

namespace wal::detail {
namespace {

constexpr std::size_t kReadChunkBytes = 64 << 10;

class SegmentReader final : public Reader {
 public:
  explicit SegmentReader(ReaderParams params)
      : params_(std::move(params)),
        from_lsn_(std::max({params_.from_lsn, params_.front_lsn, Lsn{1}})),
        expected_lsn_(from_lsn_),
        run_(params_.runs.size()) {}

  Result<std::optional<Entry>> next() override;

 private:
  Status corruption(std::string_view reason) const {
    return Status::corruption(fmt::format("segment {} offset {} lsn {}: {}", segment_name_,
                                          offset_, expected_lsn_, reason));
  }
  bool in_runs() const { return run_ < params_.runs.size(); }
  bool unkept(const std::string& name) const {
    return std::find(params_.unkept.begin(), params_.unkept.end(), name) != params_.unkept.end();
  }
  // Finds the first entry to yield: in the first recovered run that reaches from_lsn_, else in
  // what the writer appended since. false: nothing there yet.
  Result<bool> position();
  Status enter_run(std::size_t index);
  // Past the recovered runs: opens the segment starting at expected_lsn_ (positioning: the
  // newest one starting at or before it, or the oldest if the log now starts later). false: no
  // such segment (yet).
  Result<bool> open_live(bool positioning);
  // Opens `name` and checks that its header is this log's segment starting at `first_lsn`.
  Status attach(const std::string& name, Lsn first_lsn);
  Status refill(std::size_t want_bytes);
  // At the end of the open segment: true to go on to the next one.
  Result<bool> end_of_segment();
  format::DecodedRecord decode_at_offset() const;

  ReaderParams params_;
  const Lsn from_lsn_;
  Lsn expected_lsn_;
  bool positioned_ = false;
  std::size_t run_;  // the recovered run being read; runs.size() once past them

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

Result<bool> SegmentReader::position() {
  const std::vector<recovery::RecoveredRun>& runs = params_.runs;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].last >= from_lsn_) {
      WAL_RETURN_IF_ERROR(enter_run(i));
      return true;
    }
  }
  run_ = runs.size();
  return open_live(true);
}

Status SegmentReader::enter_run(std::size_t index) {
  const recovery::RecoveredRun& run = params_.runs[index];
  if (file_ == nullptr || segment_name_ != run.segment) {
    Lsn first = kNoLsn;
    // Recovery named it (an adopted continuation by its temp name, FORMAT.md 3.2).
    WAL_ASSERT(recovery::parse_segment_name(recovery::strip_temp_suffix(run.segment), &first));
    WAL_RETURN_IF_ERROR(attach(run.segment, first));
  }
  run_ = index;
  offset_ = run.begin;
  expected_lsn_ = run.first;
  return Status::ok();
}

Result<bool> SegmentReader::open_live(bool positioning) {
  Result<std::vector<std::string>> names = params_.fs->list(params_.dir);
  if (!names) return Status(names.error()).with_context("list " + params_.dir);
  const std::vector<recovery::RecoveredRun>& runs = params_.runs;
  // Nothing before the segment of the last recovered run is live: recovery judged those.
  Lsn floor = kNoLsn;
  // (An adopted continuation's run bears its temp name until the writer publishes it.)
  if (!runs.empty()) {
    WAL_ASSERT(recovery::parse_segment_name(recovery::strip_temp_suffix(runs.back().segment),
                                            &floor));
  }
  std::vector<std::pair<Lsn, std::string>> candidates;
  for (std::string& name : *names) {
    Lsn lsn = kNoLsn;
    // A segment not yet published (wal/FORMAT.md 3.2) is read under its temp name: the
    // watermark passes it unpublished only when a kNone close left it so.
    if (!recovery::parse_segment_name(recovery::strip_temp_suffix(name), &lsn) || lsn < floor) {
      continue;
    }
    if (lsn < params_.open_next_lsn && unkept(name)) continue;
    if (!positioning && lsn != expected_lsn_) continue;
    candidates.emplace_back(lsn, std::move(name));
  }
  // Newest first: positioning wants the newest segment starting at or before expected_lsn_.
  std::sort(candidates.begin(), candidates.end(), std::greater<>());
  if (positioning && !candidates.empty() && candidates.back().first > expected_lsn_ &&
      candidates.back().first <= params_.watermark->load()) {
    // The log now starts later than asked (truncate_front): read from its oldest segment.
    expected_lsn_ = candidates.back().first;
  }
  for (const auto& [lsn, name] : candidates) {
    if (lsn > expected_lsn_) continue;
    if (!runs.empty() && name == runs.back().segment) {
      WAL_RETURN_IF_ERROR(enter_run(runs.size() - 1));
      return true;
    }
    Status attached = attach(name, lsn);
    if (!attached) {
      if (unkept(name)) continue;  // recovery's own debris, not replaced by the writer
      return attached;
    }
    run_ = runs.size();
    expected_lsn_ = lsn;
    return true;
  }
  return false;
}

Status SegmentReader::attach(const std::string& name, Lsn first_lsn) {
  file_.reset();
  segment_name_ = name;
  offset_ = 0;
  Result<std::unique_ptr<File>> opened =
      params_.fs->open(join_path(params_.dir, name), OpenMode::kReadOnly);
  if (!opened) return Status(opened.error()).with_context("open segment " + name);
  std::array<std::byte, format::kSegmentHeaderBytes> bytes{};
  Result<std::size_t> read = read_fully(**opened, 0, bytes);
  if (!read) return Status(read.error()).with_context("read header of " + name);
  const format::SegmentHeaderResult header =
      format::decode_segment_header(std::span<const std::byte>(bytes).first(*read));
  if (header.status != format::SegmentHeaderStatus::kOk) {
    return corruption("segment header does not decode");
  }
  if (header.header.first_lsn != first_lsn ||
      (params_.salt != 0 && header.header.salt != params_.salt)) {
    return corruption("segment header belongs to another segment or log");
  }
  file_ = std::move(opened).value();
  segment_first_lsn_ = first_lsn;
  checksum_ = header.header.checksum;
  offset_ = format::kSegmentHeaderBytes;
  buffer_bytes_ = 0;
  return Status::ok();
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
  // A read may be short before the end of the file (fs.h). Inside a recovered run the bytes up
  // to its end are there, so a read that stopped before them was short: read on. (Whole reads
  // make no call more, and past the runs the end of the file is the end of the data.)
  if (in_runs() && params_.runs[run_].end > offset_) {
    const std::size_t known = static_cast<std::size_t>(
        std::min<std::uint64_t>(buffer_capacity_, params_.runs[run_].end - offset_));
    if (buffer_bytes_ < known) {
      Result<std::size_t> rest = read_fully(
          *file_, offset_ + buffer_bytes_,
          std::span<std::byte>(buffer_.get() + buffer_bytes_, known - buffer_bytes_));
      if (!rest) return Status(rest.error()).with_context("read " + segment_name_);
      buffer_bytes_ += *rest;
    }
  }
  return Status::ok();
}

// The open segment ended: the next one starts at expected_lsn_. A segment that ends before
// holding a single entry would be chosen again for the same LSN: the log claims an LSN no
// segment holds.
Result<bool> SegmentReader::end_of_segment() {
  const bool nothing_here = expected_lsn_ == segment_first_lsn_;
  if (nothing_here) return corruption("segment ends before its first entry");
  file_.reset();
  return true;
}

format::DecodedRecord SegmentReader::decode_at_offset() const {
  format::DecodedRecord none;
  none.status = format::DecodeStatus::kTruncated;
  if (offset_ < buffer_offset_ || offset_ >= buffer_offset_ + buffer_bytes_) return none;
  const auto start = static_cast<std::size_t>(offset_ - buffer_offset_);
  return format::decode_record(
      checksum_, params_.salt, expected_lsn_, params_.max_entry_bytes,
      std::span<const std::byte>(buffer_.get(), buffer_bytes_).subspan(start));
}

std::string_view damage_reason(format::DecodeStatus status) {
  switch (status) {
    case format::DecodeStatus::kOk: return "intact";
    case format::DecodeStatus::kZero: return "record header is all zeros";
    case format::DecodeStatus::kTruncated: return "record runs past the end of the file";
    case format::DecodeStatus::kBadHeaderCrc: return "record header checksum mismatch";
    case format::DecodeStatus::kBadPayloadSum: return "record payload checksum mismatch";
    case format::DecodeStatus::kBadHeader: return "record header has impossible fields";
    case format::DecodeStatus::kStale: return "record belongs to another log or LSN";
  }
  return "record does not decode";
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

    if (!positioned_) {
      Result<bool> found = position();
      if (!found) return found.error();
      if (!*found) return std::optional<Entry>();  // nothing written yet
      positioned_ = true;
      continue;
    }
    if (in_runs() && offset_ >= params_.runs[run_].end) {
      // A run ends where recovery saw its last record end, holding exactly its LSNs.
      if (expected_lsn_ != params_.runs[run_].last + 1) {
        return corruption("recovered run ends before its last LSN");
      }
      if (run_ + 1 < params_.runs.size()) {
        WAL_RETURN_IF_ERROR(enter_run(run_ + 1));
      } else {
        run_ = params_.runs.size();  // the writer went on right here
      }
      continue;
    }
    if (file_ == nullptr) {
      Result<bool> opened = open_live(false);
      if (!opened) return opened.error();
      if (!*opened) return corruption("no segment starts at this LSN, yet the log holds it");
    }

    // The buffer may hold bytes read before the writer finished them: anything but a good
    // record is judged only on a fresh read.
    format::DecodedRecord record = decode_at_offset();
    // Bug zoo: zeros already in the buffer are taken for the preallocated end without a fresh
    // read; a reader that tails the log decodes the zeros it buffered before the writer got
    // there.
    const bool buffered_zeros = WAL_MUTANT("tail-trusts-buffered-zeros") &&
                                record.status == format::DecodeStatus::kZero &&
                                offset_ >= buffer_offset_ &&
                                offset_ < buffer_offset_ + buffer_bytes_;
    if (record.status != format::DecodeStatus::kOk && !buffered_zeros) {
      WAL_RETURN_IF_ERROR(refill(kReadChunkBytes));
      record = decode_at_offset();
      if (record.status == format::DecodeStatus::kTruncated && record.total_bytes > buffer_bytes_ &&
          buffer_bytes_ == buffer_capacity_) {
        WAL_RETURN_IF_ERROR(refill(record.total_bytes));
        record = decode_at_offset();
      }
    }

    if (record.status != format::DecodeStatus::kOk) {
      // Inside a recovered run every record was intact when recovery read it.
      const bool end_of_data =
          !in_runs() && (record.status == format::DecodeStatus::kZero ||
                         (record.status == format::DecodeStatus::kTruncated && buffer_bytes_ == 0));
      if (!end_of_data) return corruption(damage_reason(record.status));
      Result<bool> more = end_of_segment();
      if (!more) return more.error();
      continue;
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
