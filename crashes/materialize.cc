#include "crashes/materialize.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <system_error>
#include <vector>

#include <fmt/format.h>

namespace crashes {
namespace {

std::string errno_text(const std::string& what, const std::string& path) {
  return fmt::format("{} {}: {}", what, path, std::strerror(errno));
}

std::string write_file(const std::string& path, const sim::Bytes& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_text("create", path);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string problem = errno_text("write", path);
      ::close(fd);
      return problem;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return errno_text("close", path);
  return {};
}

}  // namespace

std::string empty_directory(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return fmt::format("create {}: {}", dir, error.message());
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::filesystem::remove_all(entry.path(), error);
    if (error) return fmt::format("remove {}: {}", entry.path().string(), error.message());
  }
  if (error) return fmt::format("list {}: {}", dir, error.message());
  return {};
}

std::string materialize(const sim::SimFsState& state, const std::string& dir) {
  if (std::string problem = empty_directory(dir); !problem.empty()) return problem;
  std::map<sim::InodeId, std::string> written;  // files already written, for hard links
  std::vector<std::pair<sim::InodeId, std::string>> stack{{sim::SimFsState::kRoot, dir}};
  while (!stack.empty()) {
    auto [id, path] = std::move(stack.back());
    stack.pop_back();
    for (const auto& [name, child] : state.inodes.at(id).dir.durable) {
      const std::string child_path = path + "/" + name;
      const sim::Inode& inode = state.inodes.at(child);
      if (inode.is_dir) {
        if (::mkdir(child_path.c_str(), 0755) != 0) return errno_text("mkdir", child_path);
        stack.emplace_back(child, child_path);
        continue;
      }
      if (const auto it = written.find(child); it != written.end()) {
        if (::link(it->second.c_str(), child_path.c_str()) != 0) {
          return errno_text("link", child_path);
        }
        continue;
      }
      if (std::string problem = write_file(child_path, inode.file.durable.get());
          !problem.empty()) {
        return problem;
      }
      written.emplace(child, child_path);
    }
  }
  return {};
}

}  // namespace crashes
