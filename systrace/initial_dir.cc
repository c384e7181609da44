#include "systrace/initial_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "systrace/proc_fs.h"

namespace systrace {
namespace {

std::string kind_of(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "a file of unknown type";
}

std::optional<std::string> contents(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::optional<std::vector<std::string>> sorted_names(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return std::nullopt;
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

class Walk {
 public:
  Walk(const std::string& root, FileIds& ids, std::vector<Call>& calls)
      : root_(root), ids_(ids), calls_(calls) {}

  std::string dir(const std::string& relative) {
    const std::string absolute = relative.empty() ? root_ : root_ + "/" + relative;
    const auto names = sorted_names(absolute);
    if (!names) return fmt::format("cannot list {}: {}", absolute, std::strerror(errno));
    for (const std::string& name : *names) {
      const std::string path = relative.empty() ? name : relative + "/" + name;
      if (std::string error = entry(path); !error.empty()) return error;
    }
    return "";
  }

 private:
  std::string entry(const std::string& relative) {
    const std::string absolute = root_ + "/" + relative;
    struct stat st;
    if (::lstat(absolute.c_str(), &st) != 0) {
      return fmt::format("cannot stat {}: {}", absolute, std::strerror(errno));
    }
    Call c;
    c.path = relative;
    c.mode = st.st_mode & 07777;
    if (S_ISDIR(st.st_mode)) {
      c.kind = CallKind::kInitDir;
      calls_.push_back(c);
      return dir(relative);
    }
    if (S_ISLNK(st.st_mode)) {
      const std::optional<std::string> target = read_link(absolute);
      if (!target) return fmt::format("cannot read the symlink {}: {}", absolute,
                                      std::strerror(errno));
      c.kind = CallKind::kInitSymlink;
      c.path2 = *target;
      c.mode = 0;
      calls_.push_back(c);
      return "";
    }
    if (!S_ISREG(st.st_mode)) {
      return fmt::format("{} is {}: a trace cannot hold it (only files, directories and "
                         "symlinks)", absolute, kind_of(st.st_mode));
    }
    const std::optional<std::string> data = contents(absolute);
    if (!data) return fmt::format("cannot read {}: {}", absolute, std::strerror(errno));
    c.kind = CallKind::kInitFile;
    c.file = ids_.find_or_add(st.st_dev, st.st_ino);
    c.length = data->size();
    c.data = *data;
    calls_.push_back(std::move(c));
    return "";
  }

  const std::string& root_;
  FileIds& ids_;
  std::vector<Call>& calls_;
};

}  // namespace

std::string record_initial_dir(const std::string& real_dir, FileIds& ids,
                               std::vector<Call>& calls) {
  return Walk(real_dir, ids, calls).dir("");
}

}  // namespace systrace
