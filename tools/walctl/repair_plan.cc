#include "repair_plan.h"

#include <fmt/format.h>

#include <algorithm>

namespace walctl {
namespace {

constexpr std::size_t kPlanCopyChunk = 1 << 20;

// A chunk no larger than the range it reads: a cut of a few hundred bytes (the usual torn tail)
// must not zero a whole megabyte first.
std::size_t plan_chunk_for(std::uint64_t length) {
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(length, 1, kPlanCopyChunk));
}

wal::Result<std::vector<Cut>> damage_cuts(wal::Fs& fs, const std::string& dir,
                                          const wal::recovery::ScanResult& scan,
                                          const std::set<std::string>& moved) {
  std::set<std::string> live;
  for (const auto& segment : scan.segments) live.insert(segment.name);
  wal::Result<std::vector<std::string>> names = fs.list(dir);
  if (!names) return names.error();

  std::vector<Cut> cuts;
  std::set<std::string> whole;
  for (const std::string& name : *names) {
    wal::Lsn first = wal::kNoLsn;
    if (!wal::recovery::parse_segment_name(name, &first) || live.count(name) != 0 ||
        moved.count(name) != 0) {
      continue;
    }
    wal::Result<wal::FileStat> st = fs.stat(wal::join_path(dir, name));
    if (!st) return st.error();
    cuts.push_back({name, 0, st->size_bytes, "segment file not kept by recovery"});
    whole.insert(name);
  }
  for (const wal::DamagedRange& range : scan.report.damage) {
    if (range.segment.empty() || whole.count(range.segment) != 0 ||
        moved.count(range.segment) != 0 || range.segment == wal::recovery::kFrontMarkerName) {
      continue;  // FRONT and unreadable entries are moved aside whole, not cut
    }
    wal::Result<wal::FileStat> st = fs.stat(wal::join_path(dir, range.segment));
    if (!st) {
      if (st.error().code() == wal::Code::kNotFound) continue;  // e.g. a missing segment
      return st.error();
    }
    if (range.offset >= st->size_bytes) continue;
    const std::uint64_t length = std::min(range.length == 0 ? st->size_bytes : range.length,
                                          st->size_bytes - range.offset);
    cuts.push_back({range.segment, range.offset, length,
                    fmt::format("{} at lsn {}: {}", wal::to_string(range.kind), range.lsn,
                                range.reason)});
  }
  return cuts;
}

// Non-zero bytes past the last record of the newest kept segment: recovery calls that place the
// end of the log when no intact record follows (garbage after zeros reads as a torn write), and
// the open's close trims the file there. They are dropped like any cut, so they are kept too.
wal::Status add_tail_cut(wal::Fs& fs, const std::string& dir,
                         const wal::recovery::ScanResult& scan, std::vector<Cut>& cuts) {
  if (scan.segments.empty()) return wal::Status::ok();
  const wal::recovery::SegmentInfo& last = scan.segments.back();
  for (const Cut& cut : cuts) {
    // Already kept from where the log ends. A cut that starts later (damage after intact
    // padding: the log ends at its last record, before the padding) leaves a gap to keep.
    if (cut.segment == last.name && cut.offset <= last.end_offset &&
        cut.offset + cut.length > last.end_offset) {
      return wal::Status::ok();
    }
  }
  wal::Result<wal::FileStat> st = fs.stat(wal::join_path(dir, last.name));
  if (!st) return st.error();
  if (st->size_bytes <= last.end_offset) return wal::Status::ok();
  Cut tail{last.name, last.end_offset, st->size_bytes - last.end_offset,
           "non-zero bytes past the last record, trimmed by the open"};
  wal::Result<std::uint64_t> extent = data_extent(fs, dir, tail);
  if (!extent) return extent.error();
  if (*extent > 0) cuts.push_back(std::move(tail));
  return wal::Status::ok();
}

}  // namespace

wal::Result<std::uint64_t> data_extent(wal::Fs& fs, const std::string& dir, const Cut& cut) {
  auto source = fs.open(wal::join_path(dir, cut.segment), wal::OpenMode::kReadOnly);
  if (!source) return source.error();
  std::vector<std::byte> buffer(plan_chunk_for(cut.length));
  std::uint64_t done = 0;
  std::uint64_t data_end = 0;  // just past the last non-zero byte
  while (done < cut.length) {
    // A preallocated or sparse tail is mostly hole: ask where data resumes instead of reading
    // gigabytes of zeros (File::next_data never skips a non-zero byte).
    wal::Result<std::uint64_t> next = (*source)->next_data(cut.offset + done);
    if (next && *next > cut.offset + done) {
      done = std::min(cut.length, *next - cut.offset);
      if (done >= cut.length) break;
    }
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), cut.length - done));
    auto n = (*source)->read_at(cut.offset + done, std::span(buffer.data(), want));
    if (!n) return n.error();
    if (*n == 0) break;
    const std::span<const std::byte> chunk(buffer.data(), *n);
    const auto last = std::find_if(chunk.rbegin(), chunk.rend(),
                                   [](std::byte b) { return b != std::byte{0}; });
    if (last != chunk.rend()) data_end = done + static_cast<std::uint64_t>(chunk.rend() - last);
    done += *n;
  }
  WAL_RETURN_IF_ERROR((*source)->close());
  const std::uint64_t align = wal::format::kRecordAlign;
  return std::min(done, (data_end + align - 1) / align * align);
}

wal::Result<std::vector<Cut>> plan_cuts(wal::Fs& fs, const std::string& dir,
                                        const wal::recovery::ScanResult& scan,
                                        const std::set<std::string>& moved) {
  wal::Result<std::vector<Cut>> cuts = damage_cuts(fs, dir, scan, moved);
  if (!cuts) return cuts;
  if (scan.segments.empty() || moved.count(scan.segments.back().name) != 0) return cuts;
  WAL_RETURN_IF_ERROR(add_tail_cut(fs, dir, scan, *cuts));
  return cuts;
}

}  // namespace walctl
