// libfiu fault points for PosixFs. Each operation is guarded by a point named "wal/fs/<op>"
// (libfiu's POSIX preload owns "posix/..."; it does not wrap fallocate or the *at() calls, so
// our own points are the only way to fail those). Compiled in only with -DFIU_ENABLE.
//
// A test enables a point with fiu_enable(name, 1, (void*)(intptr_t)errno_value, flags); the
// failing operation then reports that errno, or EIO when no failinfo was given.
#pragma once

#include <cerrno>
#include <cstdint>
#include <string_view>

#include <fiu-local.h>
#include <fmt/format.h>
#include <wal/status.h>

namespace wal::posix {

// The errno a just-triggered fault point asks for. Call only inside fiu_do_on's action.
inline int injected_errno() {
  // Through void*: without FIU_ENABLE, fiu_failinfo() is a plain NULL (release builds).
  void* failinfo = fiu_failinfo();
  const auto info = reinterpret_cast<std::intptr_t>(failinfo);
  return info != 0 ? static_cast<int>(info) : EIO;
}

// The Status a real failure of `op` on `path` with `sys_errno` would produce.
inline Status os_error(int sys_errno, std::string_view op, std::string_view path) {
  return Status::from_errno(sys_errno, fmt::format("{} {}", op, path));
}

// The Status for a triggered fault point: the same shape as the real failure.
inline Status injected_error(std::string_view op, std::string_view path) {
  return os_error(injected_errno(), op, path);
}

}  // namespace wal::posix
