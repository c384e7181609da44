// The traced program's standard output: a pipe, so that every byte the program writes to it
// goes through a system call the recorder sees (a kOutput call), and a thread that forwards
// what comes out of it to walsim's own standard output, so the user still sees it.
#pragma once

#include <sys/types.h>

#include <string>
#include <thread>

namespace systrace {

class OutputPipe {
 public:
  OutputPipe() = default;
  OutputPipe(const OutputPipe&) = delete;
  OutputPipe& operator=(const OutputPipe&) = delete;
  ~OutputPipe();

  // "" or why the pipe cannot be made.
  [[nodiscard]] std::string open();
  int write_end() const { return write_fd_; }
  dev_t dev() const { return dev_; }
  ino_t ino() const { return ino_; }
  // Once the program holds the write end: closes walsim's copy (so the forwarding ends when
  // the program's last process does) and forwards to `forward_fd` (-1: reads and drops).
  void start_forwarding(int forward_fd);
  // Waits until every writer is gone and all was forwarded.
  void finish();

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  std::thread drain_;
};

}  // namespace systrace
