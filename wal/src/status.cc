#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <wal/status.h>

namespace wal {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kIoError: return "IoError";
    case Code::kNoSpace: return "NoSpace";
    case Code::kCorruption: return "Corruption";
    case Code::kNotFound: return "NotFound";
    case Code::kAlreadyExists: return "AlreadyExists";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kBusy: return "Busy";
    case Code::kPoisoned: return "Poisoned";
    case Code::kClosed: return "Closed";
    case Code::kUnsupported: return "Unsupported";
  }
  return "Unknown";
}

Status Status::from_errno(int sys_errno, std::string_view what) {
  std::string message = fmt::format("{}: {}", what, std::strerror(sys_errno));
  switch (sys_errno) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG: return no_space(std::move(message), sys_errno);
    case ENOENT: return not_found(std::move(message), sys_errno);
    case EEXIST: {
      Status status = already_exists(std::move(message));
      status.sys_errno_ = sys_errno;
      return status;
    }
    default: return io_error(std::move(message), sys_errno);
  }
}

Status& Status::with_context(std::string_view context) {
  if (!is_ok()) message_ = fmt::format("{}: {}", context, message_);
  return *this;
}

Status& Status::with_context(std::string_view verb, std::string_view object) {
  if (!is_ok()) message_ = fmt::format("{} {}: {}", verb, object, message_);
  return *this;
}

std::string Status::to_string() const {
  if (is_ok()) return "OK";
  std::string text = fmt::format("{}: {}", code_name(code_), message_);
  if (sys_errno_ != 0) text += fmt::format(" (errno {})", sys_errno_);
  if (injected_) text += " [injected]";
  return text;
}

}  // namespace wal
