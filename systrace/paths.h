// Where a traced call's path points, and whether that is inside the traced directory D.
// A path is taken as the kernel would take it: relative to the thread's cwd or to a directory
// descriptor (both read from /proc), with every symlink in the parent directory resolved and the
// last component kept as written (rename, unlink, mkdir, ... act on the name, not on what a
// symlink there points to).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace systrace {

// D, as realpath() gives it; paths in a trace are relative to it.
class DirScope {
 public:
  explicit DirScope(std::string real_dir) : root_(std::move(real_dir)) {}
  const std::string& root() const { return root_; }
  // "" for D itself, "a/b" below it, nullopt outside it.
  std::optional<std::string> relative(const std::string& absolute) const;

 private:
  std::string root_;
};

// The absolute path the call's (dirfd, path) names before any symlink is resolved; nullopt when
// the thread or its descriptor is gone. `dirfd` is AT_FDCWD or a descriptor of the thread.
std::optional<std::string> absolute_path(pid_t tid, int dirfd, const std::string& path);
// The parent directory resolved through every symlink, then the last component as written
// ("." and ".." resolved too). A parent that does not exist is normalized lexically: the call
// will fail, and only needs to be placed inside or outside D.
std::string resolve_parent(const std::string& absolute);
// As resolve_parent, then through the last component too when it is a symlink (truncate, link
// with AT_SYMLINK_FOLLOW).
std::string resolve_all(const std::string& absolute);
// Lexical: collapses "//", "." and "..".
std::string normalize(const std::string& absolute);

}  // namespace systrace
