// What walctl repair will drop: every byte range the open in the chosen mode cuts, skips or
// deletes, found from a read-only recovery scan. repair copies each into a side file first.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <wal/fs.h>

#include "recovery.h"

namespace walctl {

// Bytes of one segment that the open will drop.
struct Cut {
  std::string segment;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // up to the end of the file
  std::string why;
};

// Everything the open will drop: each damaged range, whole segment files it will not keep, and
// non-zero bytes past the last record of the newest kept segment (which its close trims).
// Entries named in `moved` are set aside whole and get no cut.
wal::Result<std::vector<Cut>> plan_cuts(wal::Fs& fs, const std::string& dir,
                                        const wal::recovery::ScanResult& scan,
                                        const std::set<std::string>& moved);

// How many of the cut's bytes hold data: a preallocated segment is zero filled after its last
// record, and records are 8-byte aligned and zero padded, so the fill starts at an aligned
// offset; everything before it (the last record's padding included) is kept.
wal::Result<std::uint64_t> data_extent(wal::Fs& fs, const std::string& dir, const Cut& cut);

}  // namespace walctl
