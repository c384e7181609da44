// Byte-level helpers the fuzz targets share: "reseal" (recompute the checksums of forged
// headers and records, so the fuzzer can explore field values behind the checksums instead of
// stopping at them) and the oracle of intact records (what "bytes that were written" means).
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <wal/options.h>
#include <wal/types.h>

namespace wal_fuzz {

// Recomputes header_crc and (when the record fits) payload_sum of the record at the start of
// `record`, under `kind` and `salt`; with `tag`, also writes the salt tag. Returns the record's
// size, or 0 when its length runs past `record`.
std::size_t reseal_record(std::span<std::byte> record, wal::ChecksumKind kind, std::uint64_t salt,
                          bool tag);

// Fixes the segment header crc, then, if the header decodes, reseals every record found walking
// the segment (zero headers are skipped 8 bytes at a time, so holes stay holes).
void reseal_segment(std::span<std::byte> segment, bool tag);

// Every entry any intact record holds, in any of `segments`, at any 8-aligned offset, under the
// checksum kind and salt of any decodable segment header among them. An entry a reader returns
// must be one of these: a payload that no intact record carries was never written.
class IntactEntries {
 public:
  explicit IntactEntries(std::span<const std::span<const std::byte>> files);
  bool contains(wal::Lsn lsn, wal::EntryType type, std::span<const std::byte> payload) const;
  std::size_t size() const { return entries_.size(); }

 private:
  void scan(std::span<const std::byte> segment);

  std::set<std::pair<wal::ChecksumKind, std::uint64_t>> contexts_;
  std::set<std::tuple<wal::Lsn, wal::EntryType, std::string>> entries_;
};

}  // namespace wal_fuzz
