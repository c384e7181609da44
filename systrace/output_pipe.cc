#include "systrace/output_pipe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace systrace {
namespace {

// Forwards until end of file. A forward target that fails (a closed terminal, a full disk)
// stops the forwarding, not the reading: the program must never block on a full pipe.
void drain(int read_fd, int forward_fd) {
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(read_fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    for (ssize_t done = 0; forward_fd >= 0 && done < n;) {
      const ssize_t w = ::write(forward_fd, buffer + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        forward_fd = -1;
        break;
      }
      done += w;
    }
  }
}

}  // namespace

OutputPipe::~OutputPipe() {
  if (write_fd_ >= 0) ::close(write_fd_);
  finish();
}

std::string OutputPipe::open() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fmt::format("pipe: {}", std::strerror(errno));
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  struct stat st;
  if (::fstat(write_fd_, &st) != 0) return fmt::format("fstat of a pipe: {}", std::strerror(errno));
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  return "";
}

void OutputPipe::start_forwarding(int forward_fd) {
  ::close(write_fd_);
  write_fd_ = -1;
  drain_ = std::thread(drain, read_fd_, forward_fd);
}

void OutputPipe::finish() {
  if (drain_.joinable()) drain_.join();
  if (read_fd_ >= 0) ::close(read_fd_);
  read_fd_ = -1;
}

}  // namespace systrace
