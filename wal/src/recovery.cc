#include "recovery.h"

namespace wal::recovery {

Result<ScanResult> scan(Fs& /*fs*/, std::string_view /*dir*/, const Options& /*options*/) {
  return Status::unsupported("recovery::scan: not yet");
}

}  // namespace wal::recovery
