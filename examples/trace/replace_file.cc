// The classic way to replace a file's contents, twice: `replace_file PATH TEXT` writes TEXT to
// PATH.tmp and renames it over PATH; `replace_file --careful PATH TEXT` also fsyncs PATH.tmp
// before the rename and PATH's directory after it. Both print "replaced" when done, which is
// when a user would take the new contents as saved. The first is what many programs do; on a
// file system that may persist the rename before the data (ext4 without auto_da_alloc, xfs,
// btrfs, any power loss before writeback), a crash leaves PATH empty or holding part of TEXT.
// examples/trace/run-examples records both and lets `walsim crashes` find and explain that.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

int fail(const char* what, const std::string& path) {
  std::fprintf(stderr, "replace_file: %s %s: %s\n", what, path.c_str(), std::strerror(errno));
  return 1;
}

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

}  // namespace

int main(int argc, char** argv) {
  const bool careful = argc == 4 && std::strcmp(argv[1], "--careful") == 0;
  if (argc != (careful ? 4 : 3)) {
    std::fprintf(stderr, "usage: replace_file [--careful] PATH TEXT\n");
    return 2;
  }
  const std::string path = argv[careful ? 2 : 1];
  const std::string text = std::string(argv[careful ? 3 : 2]) + "\n";
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("open", temp);
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return fail("write", temp);
  }
  if (careful && ::fsync(fd) != 0) return fail("fsync", temp);
  if (::close(fd) != 0) return fail("close", temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("rename", temp);
  if (careful) {
    const std::string dir = parent_of(path);
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return fail("open", dir);
    if (::fsync(dir_fd) != 0) return fail("fsync", dir);
    ::close(dir_fd);
  }
  std::printf("replaced\n");
  return 0;
}
