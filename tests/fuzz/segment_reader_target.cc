// Target: the streaming Reader (wal/src/segment_reader.h) over one segment made of the input, on
// a SimFs. Input = flags, from-LSN offset, watermark offset, max entry size, then the segment.
#include <atomic>
#include <limits>
#include <memory>

#include "fuzz_bytes.h"
#include "fuzz_dir.h"
#include "log_bytes.h"
#include "record_format.h"
#include "recovery.h"
#include "segment_reader.h"
#include "sim/sim_fs.h"
#include "sim_support.h"
#include "targets.h"

namespace wal_fuzz {

Violation segment_reader(std::span<const std::byte> input) {
  FuzzBytes in(input);
  const std::uint8_t flags = in.byte();
  const std::uint8_t from_offset = in.byte();
  const auto watermark_offset = in.take<std::uint16_t>();
  const std::uint8_t max_entry_selector = in.byte();
  const std::span<const std::byte> rest = in.rest();
  std::vector<std::byte> segment(rest.begin(), rest.end());
  if (flags & 0x01) reseal_segment(segment, (flags & 0x02) != 0);

  const wal::format::SegmentHeaderResult header = wal::format::decode_segment_header(segment);
  const bool header_ok = header.status == wal::format::SegmentHeaderStatus::kOk;
  const wal::Lsn first = header_ok && header.header.first_lsn != wal::kNoLsn ? header.header.first_lsn : 1;
  constexpr wal::Lsn kMax = std::numeric_limits<wal::Lsn>::max();

  sim::SimFs fs;
  fs.make_durable_dirs("/log");
  FuzzDir dir;
  dir.files.push_back({wal::recovery::segment_name(first), false, segment});
  if (!write_dir(fs, "/log", dir).is_ok()) return std::nullopt;

  wal::detail::ReaderParams params;
  params.fs = &fs;
  params.dir = "/log";
  params.salt = header_ok && (flags & 0x04) == 0 ? header.header.salt : 0x5eed;
  params.max_entry_bytes = (flags & 0x08) ? 16u << 20 : 1 + max_entry_selector * 16u;
  const wal::Lsn limit = watermark_offset == 0xffff || first > kMax - watermark_offset
                             ? kMax : first + watermark_offset;
  params.watermark = std::make_shared<std::atomic<wal::Lsn>>(limit);
  params.from_lsn = first > kMax - from_offset ? kMax : first + from_offset;
  wal::Result<std::unique_ptr<wal::Reader>> reader = wal::detail::open_segment_reader(params);
  if (!reader) return std::nullopt;

  const std::span<const std::byte> files[] = {segment};
  const IntactEntries intact(files);
  ReadResult result;
  return read_to_end(**reader, intact, params.from_lsn, limit, result);
}

}  // namespace wal_fuzz
