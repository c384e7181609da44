// The real filesystem: open/pwrite/fdatasync/fsync/fallocate/rename/unlink/flock, EINTR and
// short writes retried. Test builds (-DFIU_ENABLE) carry a libfiu fault point on every
// operation, named "wal/fs/<op>" (see wal/src/posix_fs.cc; libfiu's own preload owns "posix/..."), so tests can fail any of them.
#pragma once

#include <wal/fs.h>

namespace wal {

// Stateless and thread-safe; one instance serves every log.
Fs& posix_fs();

}  // namespace wal
