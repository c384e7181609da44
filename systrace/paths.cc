#include "systrace/paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <vector>

#include "systrace/proc_fs.h"

namespace systrace {
namespace {

std::string join(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

// realpath() in three system calls however deep the path: open it, ask /proc for its name.
std::optional<std::string> real_dir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> out = read_link(fmt::format("/proc/self/fd/{}", fd));
  ::close(fd);
  return out;
}

}  // namespace

std::optional<std::string> DirScope::relative(const std::string& absolute) const {
  if (absolute == root_) return std::string();
  const std::string prefix = root_ == "/" ? root_ : root_ + "/";
  if (absolute.size() > prefix.size() && absolute.starts_with(prefix)) {
    return absolute.substr(prefix.size());
  }
  return std::nullopt;
}

std::optional<std::string> absolute_path(pid_t tid, int dirfd, const std::string& path) {
  if (path.starts_with('/')) return path;
  const std::optional<std::string> base = dirfd == AT_FDCWD ? cwd_path(tid) : fd_path(tid, dirfd);
  if (!base) return std::nullopt;
  return path.empty() ? *base : join(*base, path);
}

std::string normalize(const std::string& absolute) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at <= absolute.size()) {
    std::size_t slash = absolute.find('/', at);
    if (slash == std::string::npos) slash = absolute.size();
    const std::string part = absolute.substr(at, slash - at);
    at = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const std::string& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

std::string resolve_parent(const std::string& absolute) {
  std::string path = absolute;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::size_t slash = path.rfind('/');
  const std::string last = path.substr(slash + 1);
  if (last.empty() || last == "." || last == "..") {
    return real_dir(path).value_or(normalize(path));
  }
  const std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  return join(real_dir(parent).value_or(normalize(parent)), last);
}

std::string resolve_all(const std::string& absolute) {
  std::string path = resolve_parent(absolute);
  // A chain of symlinks, each read and placed like the kernel does, up to its own limit.
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    const std::optional<std::string> target = read_link(path);
    if (!target) return path;
    const std::string dir = path.substr(0, path.rfind('/'));
    path = resolve_parent(target->starts_with('/') ? *target : join(dir.empty() ? "/" : dir,
                                                                     *target));
  }
  return path;
}

}  // namespace systrace
