#include "faults/media_aim.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace faults {
namespace {

// wal/FORMAT.md: segment header 64 bytes starting with the magic; records 8-byte aligned, a
// 40-byte header with payload_bytes at 4, lsn at 8, count at 24, type at 28.
constexpr std::uint64_t kSegmentMagic = 0x544d4745534c4157ull;  // "WALSEGMT"
constexpr std::uint64_t kSegmentHeaderBytes = 64;
constexpr std::uint64_t kRecordHeaderBytes = 40;
constexpr std::uint64_t kRecordAlign = 8;

std::uint64_t load(std::span<const std::byte> bytes, std::uint64_t offset, std::size_t width) {
  std::uint64_t value = 0;
  std::memcpy(&value, bytes.data() + offset, width);  // little-endian host (x86-64, aarch64)
  return value;
}

bool all_zero(std::span<const std::byte> bytes) {
  for (std::byte b : bytes) {
    if (b != std::byte{0}) return false;
  }
  return true;
}

bool is_segment(std::span<const std::byte> durable) {
  return durable.size() >= kSegmentHeaderBytes && load(durable, 0, 8) == kSegmentMagic;
}

// The records of a segment image as far as their length fields can be followed (no checksum
// trusted), and where following stopped: a header of zeros, or one whose length does not fit.
struct Record {
  std::uint64_t offset, bytes, lsn, count;
};
struct Walked {
  std::vector<Record> records;
  std::uint64_t end = kSegmentHeaderBytes;
};

Walked walk(std::span<const std::byte> segment) {
  Walked out;
  std::uint64_t& at = out.end;
  while (at + kRecordHeaderBytes <= segment.size()) {
    if (all_zero(segment.subspan(at, kRecordHeaderBytes))) break;
    const std::uint64_t payload = load(segment, at + 4, 4);
    const std::uint64_t bytes =
        (kRecordHeaderBytes + payload + kRecordAlign - 1) / kRecordAlign * kRecordAlign;
    if (bytes > segment.size() - at) break;
    out.records.push_back({at, bytes, load(segment, at + 8, 8), load(segment, at + 24, 4)});
    at += bytes;
  }
  return out;
}

}  // namespace

std::string_view to_string(MediaAim aim) {
  switch (aim) {
    case MediaAim::kUniform: return "uniform";
    case MediaAim::kStructure: return "structure";
    case MediaAim::kMixed: return "mixed";
  }
  return "?";
}

std::optional<MediaAim> parse_media_aim(std::string_view text) {
  for (MediaAim aim : {MediaAim::kUniform, MediaAim::kStructure, MediaAim::kMixed}) {
    if (to_string(aim) == text) return aim;
  }
  return std::nullopt;
}

std::string_view to_string(AimedRange::Role role) {
  switch (role) {
    case AimedRange::Role::kSegmentHeader: return "segment-header";
    case AimedRange::Role::kRecordLength: return "record-length";
    case AimedRange::Role::kRecordLsn: return "record-lsn";
    case AimedRange::Role::kRecordCount: return "record-count";
    case AimedRange::Role::kRecordType: return "record-type";
    case AimedRange::Role::kRecordHeader: return "record-header";
    case AimedRange::Role::kRecordSeam: return "record-seam";
    case AimedRange::Role::kLastRecord: return "last-record";
    case AimedRange::Role::kFront: return "front-marker";
  }
  return "?";
}

std::vector<AimedRange> structure_of(std::string_view name, std::span<const std::byte> durable) {
  using Role = AimedRange::Role;
  std::vector<AimedRange> out;
  if (durable.empty()) return out;
  if (name == "FRONT") {
    out.push_back({Role::kFront, 0, durable.size()});
    return out;
  }
  if (!is_segment(durable)) return out;
  out.push_back({Role::kSegmentHeader, 0, kSegmentHeaderBytes});
  const Walked walked = walk(durable);
  for (const Record& r : walked.records) {
    out.push_back({Role::kRecordLength, r.offset + 4, 4});
    out.push_back({Role::kRecordLsn, r.offset + 8, 8});
    out.push_back({Role::kRecordCount, r.offset + 24, 4});
    out.push_back({Role::kRecordType, r.offset + 28, 1});
    out.push_back({Role::kRecordHeader, r.offset, kRecordHeaderBytes});
    if (r.offset > kSegmentHeaderBytes) out.push_back({Role::kRecordSeam, r.offset - 8, 16});
  }
  if (!walked.records.empty()) {
    const Record& last = walked.records.back();
    out.push_back({Role::kLastRecord, last.offset, last.bytes});
  }
  return out;
}

std::optional<LsnSpan> lsns_hit(std::span<const std::byte> durable, std::uint64_t offset,
                                std::uint64_t length) {
  if (!is_segment(durable)) return std::nullopt;
  const std::uint64_t end = offset + std::max<std::uint64_t>(length, 1);
  const std::uint64_t first_lsn = load(durable, 24, 8);
  Walked walked = walk(durable);
  // Only records that follow on from the segment's first LSN are followed: past earlier damage
  // (a flipped length field) the walk lands inside records and reads garbage as LSNs (media
  // seed 3053715: a second flip was said to hit "LSN 10441918400826423215 onwards").
  // At a break either side may be the damaged one (a flipped count before it, 3035979, or a
  // flipped LSN in it): what lies past the last record before the break counts from that
  // record's own LSN.
  std::uint64_t next_lsn = first_lsn;
  std::uint64_t unreadable_from = 0;  // 0: the chain did not break
  for (std::size_t i = 0; i < walked.records.size(); ++i) {
    const Record& r = walked.records[i];
    if (r.count > 0 && r.lsn != next_lsn) {
      unreadable_from = i > 0 ? walked.records[i - 1].lsn : first_lsn;
      walked.end = r.offset;
      walked.records.resize(i);
      break;
    }
    if (r.count > 0) next_lsn = r.lsn + r.count;
  }
  if (offset < kSegmentHeaderBytes) {
    return LsnSpan{first_lsn, next_lsn > first_lsn ? next_lsn - 1 : first_lsn};
  }
  std::optional<LsnSpan> hit;
  auto add = [&](std::uint64_t first, std::uint64_t last) {
    if (!hit) hit = LsnSpan{first, last};
    hit->first = std::min(hit->first, first);
    hit->last = std::max(hit->last, last);
  };
  for (const Record& r : walked.records) {
    if (r.count == 0 || end <= r.offset || offset >= r.offset + r.bytes) continue;
    // A length an earlier fault enlarged spans the records after it: a header that carries the
    // next LSN between this header and the damage is one of them, which the WAL, stopping at
    // this record, cannot read either (swarm seed 733366: a flip in LSN 3, inside what LSN 2's
    // flipped length claimed, was said to hit LSN 2 only, and LSN 3 seemed to prove LSN 2).
    bool spans_later = false;
    for (std::uint64_t at = r.offset + kRecordHeaderBytes;
         at + kRecordHeaderBytes <= durable.size() && at <= offset && !spans_later;
         at += kRecordAlign) {
      spans_later = load(durable, at + 8, 8) == r.lsn + r.count && load(durable, at + 24, 4) > 0;
    }
    add(r.lsn, spans_later ? UINT64_MAX : r.lsn + r.count - 1);
  }
  // Bytes past what the walk followed (a header it could not read, or zeros where a misdirected
  // write never put its records and more records after them): whatever lies there is a record
  // the walk cannot name; count everything from the next LSN on as possibly hit. Only zeros all
  // the way to the damage are the clean end of the log (swarm seed 598240: a flip in LSN 5,
  // past the zeros LSN 4's misdirected write left, hit a record that seemed to prove LSN 3).
  const std::uint64_t seen_to = std::min<std::uint64_t>(end, durable.size());
  if (end > walked.end && walked.end + kRecordHeaderBytes <= durable.size() &&
      !all_zero(durable.subspan(walked.end, seen_to - walked.end))) {
    add(unreadable_from != 0 ? unreadable_from : next_lsn, UINT64_MAX);
  }
  return hit;
}

namespace {

// The LSNs of the records `data` holds from its first byte on, as far as their length fields
// can be followed (the last one may be cut off by the end of the write).
std::optional<LsnSpan> lsns_of_records(std::span<const std::byte> data) {
  std::optional<LsnSpan> out;
  std::uint64_t at = 0;
  while (at + kRecordHeaderBytes <= data.size() &&
         !all_zero(data.subspan(at, kRecordHeaderBytes))) {
    const std::uint64_t lsn = load(data, at + 8, 8);
    const std::uint64_t count = load(data, at + 24, 4);
    if (count != 0 && lsn != 0) {
      if (!out) out = LsnSpan{lsn, lsn + count - 1};
      out->first = std::min(out->first, lsn);
      out->last = std::max(out->last, lsn + count - 1);
    }
    at += (kRecordHeaderBytes + load(data, at + 4, 4) + kRecordAlign - 1) / kRecordAlign *
          kRecordAlign;
  }
  return out;
}

}  // namespace

std::optional<LsnSpan> lsns_of_lost_write(std::string_view path, std::uint64_t offset,
                                          std::span<const std::byte> data) {
  if (data.empty()) return std::nullopt;
  if (offset >= kSegmentHeaderBytes) {
    return offset % kRecordAlign == 0 ? lsns_of_records(data) : std::nullopt;
  }
  // A whole header carries its segment's first LSN (FORMAT.md: first_lsn at 24): the spare
  // segment's header is written under spare-segment.tmp, whose name says nothing, and the
  // segment it becomes loses every LSN it will hold (swarm media seed 3032625).
  if (offset == 0 && data.size() >= 32 && load(data, 0, 8) == kSegmentMagic) {
    return LsnSpan{load(data, 24, 8), UINT64_MAX};
  }
  std::string_view name = path.substr(path.rfind('/') == std::string_view::npos
                                          ? 0
                                          : path.rfind('/') + 1);
  if (name.ends_with(".tmp")) name.remove_suffix(4);
  if (!name.ends_with(".wal")) return std::nullopt;
  name.remove_suffix(4);
  std::uint64_t first = 0;
  const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), first);
  if (error != std::errc{} || end != name.data() + name.size() || name.empty()) {
    return std::nullopt;
  }
  return LsnSpan{first, UINT64_MAX};
}

std::string describe_lsns_hit(const std::optional<LsnSpan>& hit) {
  if (!hit) return "";
  if (hit->last == UINT64_MAX) return fmt::format(" lsns {}..end", hit->first);
  return fmt::format(" lsns {}..{}", hit->first, hit->last);
}

std::optional<LsnSpan> parse_lsns_hit(std::string_view detail) {
  const std::size_t at = detail.rfind(" lsns ");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = detail.substr(at + 6);
  const std::size_t dots = rest.find("..");
  if (dots == std::string_view::npos) return std::nullopt;
  LsnSpan span;
  const std::string_view first = rest.substr(0, dots);
  if (std::from_chars(first.data(), first.data() + first.size(), span.first).ec != std::errc{}) {
    return std::nullopt;
  }
  rest = rest.substr(dots + 2);
  if (rest.starts_with("end")) {
    span.last = UINT64_MAX;
  } else if (std::from_chars(rest.data(), rest.data() + rest.size(), span.last).ec != std::errc{}) {
    return std::nullopt;
  }
  return span;
}

}  // namespace faults
