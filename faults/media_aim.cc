#include "faults/media_aim.h"

#include <cstring>

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
  if (durable.size() < kSegmentHeaderBytes || load(durable, 0, 8) != kSegmentMagic) return out;
  out.push_back({Role::kSegmentHeader, 0, kSegmentHeaderBytes});
  std::uint64_t offset = kSegmentHeaderBytes;
  std::optional<AimedRange> last;
  while (offset + kRecordHeaderBytes <= durable.size()) {
    if (all_zero(durable.subspan(offset, kRecordHeaderBytes))) break;
    const std::uint64_t payload = load(durable, offset + 4, 4);
    const std::uint64_t bytes =
        (kRecordHeaderBytes + payload + kRecordAlign - 1) / kRecordAlign * kRecordAlign;
    if (bytes > durable.size() - offset) break;  // a length that does not fit: stop reading
    out.push_back({Role::kRecordLength, offset + 4, 4});
    out.push_back({Role::kRecordLsn, offset + 8, 8});
    out.push_back({Role::kRecordCount, offset + 24, 4});
    out.push_back({Role::kRecordType, offset + 28, 1});
    out.push_back({Role::kRecordHeader, offset, kRecordHeaderBytes});
    if (offset > kSegmentHeaderBytes) out.push_back({Role::kRecordSeam, offset - 8, 16});
    last = AimedRange{Role::kLastRecord, offset, bytes};
    offset += bytes;
  }
  if (last) out.push_back(*last);
  return out;
}

}  // namespace faults
