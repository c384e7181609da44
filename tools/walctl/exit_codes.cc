#include "exit_codes.h"

#include <fmt/format.h>

#include <cstdio>

namespace walctl {

int exit_code_for(const wal::Status& status) {
  switch (status.code()) {
    case wal::Code::kOk: return kExitOk;
    case wal::Code::kNotFound: return kExitNotFound;
    case wal::Code::kBusy: return kExitBusy;
    case wal::Code::kCorruption:
    case wal::Code::kUnsupported: return kExitRefused;
    case wal::Code::kInvalidArgument: return kExitUsage;
    case wal::Code::kIoError:
    case wal::Code::kNoSpace:
    case wal::Code::kAlreadyExists:
    case wal::Code::kPoisoned:
    case wal::Code::kClosed: return kExitIo;
  }
  return kExitIo;
}

int report_failure(std::string_view command, const wal::Status& status) {
  fmt::print(stderr, "walctl {}: {}\n", command, status.to_string());
  return exit_code_for(status);
}

}  // namespace walctl
