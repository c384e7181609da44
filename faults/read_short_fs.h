// read_short (SPEC 3.4): read_at returns fewer bytes than asked, with no error, before the end
// of the file, as pread(2) and read(2) may (a signal arriving mid-read, a network file system,
// FUSE). The bytes it returns are the file's; a caller that takes a short read for the end of
// the file loses the rest (google/leveldb#1285: LevelDB's log reader does). It never returns 0
// for a read that asked for something and had something to read: 0 means the end of the file.
//
// Which read: a call for n >= 2 bytes gets k in [1, n - 1] bytes, k drawn from the decorator's
// own stream (a 1-byte read cannot be shorter without looking like the end). Silent: the call
// succeeds, so it is recorded as a fault event "read_short" with "read k of n" and nothing else.
#pragma once

#include <memory>
#include <string_view>

#include "faults/io_faults.h"

namespace faults {

class ReadShortFs final : public IoFaultFs {
 public:
  using IoFaultFs::IoFaultFs;

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override;

 private:
  class File;
};

}  // namespace faults
