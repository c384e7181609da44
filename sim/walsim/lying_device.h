// A planted bug in the device, for checking the checker: `[device] lying_fsync = true` makes
// every fdatasync/fsync return success without making anything durable (a disk with a volatile
// cache that ignores flushes). No WAL survives it, so a scenario using it must expect "fail":
// it proves the harness notices acknowledged writes that vanish, and gives `walsim shrink` a
// failure to shrink in any build. Not tagged as an injected fault: to the oracle it is a bug.
#pragma once

#include <memory>

#include <wal/fs.h>

namespace walsim {

std::unique_ptr<wal::Fs> make_lying_fsync_fs(wal::Fs& base);

}  // namespace walsim
