// Errors are values. Every fallible call in wal/ returns a Status or a Result<T>; both are
// [[nodiscard]], so an ignored error is a compile error. An error is swallowed only through
// Status::ignore_error("why"), which is greppable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <wal/assert.h>

namespace wal {

enum class Code : std::uint8_t {
  kOk = 0,
  kIoError,          // the OS said no (EIO, EBADF, ...); see sys_errno()
  kNoSpace,          // ENOSPC / EDQUOT / EFBIG: nothing partial was made visible
  kCorruption,       // bytes on disk fail a check; message names segment, offset, LSN
  kNotFound,         // no such file, directory or LSN
  kAlreadyExists,    // exclusive create of an existing path
  kInvalidArgument,  // the caller broke a documented precondition
  kBusy,             // the log directory is locked by another opener
  kPoisoned,         // an earlier write/sync failed; the log refuses work until reopened
  kClosed,           // the log (or reader) was closed
  kUnsupported,      // e.g. a future format version, an unknown checksum kind
};

std::string_view code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status ok() { return Status(); }
  static Status io_error(std::string message, int sys_errno = 0) {
    return Status(Code::kIoError, std::move(message), sys_errno);
  }
  static Status no_space(std::string message, int sys_errno = 0) {
    return Status(Code::kNoSpace, std::move(message), sys_errno);
  }
  static Status corruption(std::string message) {
    return Status(Code::kCorruption, std::move(message));
  }
  static Status not_found(std::string message, int sys_errno = 0) {
    return Status(Code::kNotFound, std::move(message), sys_errno);
  }
  static Status already_exists(std::string message) {
    return Status(Code::kAlreadyExists, std::move(message));
  }
  static Status invalid_argument(std::string message) {
    return Status(Code::kInvalidArgument, std::move(message));
  }
  static Status busy(std::string message) { return Status(Code::kBusy, std::move(message)); }
  static Status poisoned(std::string message) {
    return Status(Code::kPoisoned, std::move(message));
  }
  static Status closed(std::string message) { return Status(Code::kClosed, std::move(message)); }
  static Status unsupported(std::string message) {
    return Status(Code::kUnsupported, std::move(message));
  }
  // Builds the Status for a failed syscall from errno: ENOSPC/EDQUOT/EFBIG (a file larger
  // than the filesystem or RLIMIT_FSIZE allows) -> kNoSpace,
  // ENOENT -> kNotFound, EEXIST -> kAlreadyExists, anything else -> kIoError.
  static Status from_errno(int sys_errno, std::string_view what);

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  int sys_errno() const { return sys_errno_; }
  const std::string& message() const { return message_; }

  // Set only by faults/: lets reports separate "the WAL surfaced an injected EIO" from
  // "the WAL failed on its own".
  bool injected() const { return injected_; }
  Status& mark_injected() {
    injected_ = true;
    return *this;
  }

  // Prefixes context: "open segment 00000000000000000001.wal: <message>".
  Status& with_context(std::string_view context);
  // The same with "<verb> <object>" as the context, built only on error: a hot path that names
  // what it touched does not allocate when nothing failed.
  Status& with_context(std::string_view verb, std::string_view object);

  // "IoError: fdatasync 00000000000000000001.wal: Input/output error (errno 5)".
  std::string to_string() const;

  // The one sanctioned way to drop an error on the floor.
  void ignore_error(const char* /*why*/) const {}

 private:
  Status(Code code, std::string message, int sys_errno = 0)
      : code_(code), sys_errno_(sys_errno), message_(std::move(message)) {
    WAL_ASSERT(code != Code::kOk);
  }

  Code code_ = Code::kOk;
  bool injected_ = false;
  int sys_errno_ = 0;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>);

 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    WAL_ASSERT(!std::get<1>(state_).is_ok());
  }

  bool is_ok() const { return state_.index() == 0; }
  explicit operator bool() const { return is_ok(); }

  T& value() & {
    WAL_ASSERT(is_ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    WAL_ASSERT(is_ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    WAL_ASSERT(is_ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // OK if there is a value.
  Status status() const { return is_ok() ? Status() : std::get<1>(state_); }
  const Status& error() const {
    WAL_ASSERT(!is_ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Status> state_;
};

}  // namespace wal

// Early return on error, for functions that return Status or Result<T>.
#define WAL_RETURN_IF_ERROR(expr)                    \
  do {                                               \
    ::wal::Status wal_status_tmp_ = (expr);          \
    if (!wal_status_tmp_.is_ok()) return wal_status_tmp_; \
  } while (0)
