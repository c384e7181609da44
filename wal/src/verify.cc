#include <wal/log.h>

#include "recovery.h"

namespace wal {

Result<RecoveryReport> verify(Fs& fs, std::string_view dir, const Options& options) {
  Result<recovery::ScanResult> scanned = recovery::scan(fs, dir, options);
  if (!scanned) return scanned.error();
  return std::move(scanned->report);
}

}  // namespace wal
