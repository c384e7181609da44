// read_at may return fewer bytes than asked before the end of the file (fs.h), as pread(2)
// may: a caller that takes a short read for the end sees a record cut in two, a segment header
// that does not decode, a tail to rewrite that is not there (the harness's read_short fault
// found all three). Every read whose size matters goes through here.
#pragma once

#include <cstdint>
#include <span>

#include <wal/fs.h>

#include "mutant.h"

namespace wal::detail {

// Reads [offset, offset + out.size()) into `out`, calling read_at until `out` is full or the
// file ends (a read of 0 bytes). Returns the bytes read: out.size(), or fewer only at the end.
[[nodiscard]] inline Result<std::size_t> read_fully(File& file, std::uint64_t offset,
                                                    std::span<std::byte> out) {
  // Bug zoo: one read taken for all there is, as LevelDB 1.23 did (google/leveldb#1285) and
  // this WAL did until session 14: a short read looks like the end of the file.
  if (WAL_MUTANT("short-read-is-end")) return file.read_at(offset, out);
  std::size_t done = 0;
  while (done < out.size()) {
    Result<std::size_t> got = file.read_at(offset + done, out.subspan(done));
    if (!got) return got.error();
    if (*got == 0) break;
    done += *got;
  }
  return done;
}

}  // namespace wal::detail
