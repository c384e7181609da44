#include "sim/walsim/worker_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <deque>
#include <vector>

#include "sim/walsim/isolated.h"

namespace walsim {
namespace {

struct Worker {
  pid_t pid = -1;
  int fd = -1;
  std::deque<std::size_t> pending;  // items not reported yet, in the order it runs them
  std::string buffer;
};

Worker spawn(const PoolWork& pool, std::deque<std::size_t> mine) {
  const Forked child = fork_with_pipe();
  if (child.pid == 0) {
    // Whatever the work prints on stderr is not walsim's output; a seed that kills its worker
    // is replayed (in the foreground, stderr intact) to see why.
    if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) {
      ::dup2(null, STDERR_FILENO);
      ::close(null);
    }
    for (std::size_t k : mine) write_all_or_exit(child.fd, pool.work(k) + "\n");
    ::close(child.fd);
    exit_child(0);
  }
  return Worker{child.pid, child.fd, std::move(mine), {}};
}

// Reads what `worker` sent; false once its pipe ended (it finished or died).
bool drain(Worker& worker, const PoolWork& pool, bool& stop) {
  char chunk[65536];
  const ssize_t n = ::read(worker.fd, chunk, sizeof chunk);
  if (n < 0 && errno == EINTR) return true;
  if (n <= 0) return false;
  worker.buffer.append(chunk, static_cast<std::size_t>(n));
  for (std::size_t eol; !stop && (eol = worker.buffer.find('\n')) != std::string::npos;) {
    const std::string line = worker.buffer.substr(0, eol);
    worker.buffer.erase(0, eol + 1);
    const std::size_t k = worker.pending.front();
    worker.pending.pop_front();
    pool.done(k, line);
    stop = pool.stop();
  }
  return true;
}

// The worker's pipe ended: reap it; an item it still owed is one it died under.
void reap(Worker& worker, const PoolWork& pool, bool& stop) {
  ::close(worker.fd);
  worker.fd = -1;
  int status = 0;
  ::waitpid(worker.pid, &status, 0);
  worker.pid = -1;
  if (worker.pending.empty()) return;
  const std::size_t k = worker.pending.front();
  worker.pending.pop_front();
  pool.died(k, status);
  stop = pool.stop();
  if (!worker.pending.empty() && !stop) worker = spawn(pool, std::move(worker.pending));
}

}  // namespace

void run_pool(std::size_t items, std::uint32_t jobs, const PoolWork& pool) {
  jobs = std::max<std::uint32_t>(1, std::min<std::uint32_t>(jobs, static_cast<std::uint32_t>(
                                                                      std::max<std::size_t>(
                                                                          items, 1))));
  std::vector<Worker> workers;
  for (std::uint32_t w = 0; w < jobs && items > 0; ++w) {
    std::deque<std::size_t> mine;
    for (std::size_t k = w; k < items; k += jobs) mine.push_back(k);
    workers.push_back(spawn(pool, std::move(mine)));
  }
  bool stop = false;
  while (!stop) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> which;
    for (std::size_t w = 0; w < workers.size(); ++w) {
      if (workers[w].fd < 0) continue;
      fds.push_back({workers[w].fd, POLLIN, 0});
      which.push_back(w);
    }
    if (fds.empty()) break;
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::perror("walsim: poll");
      break;
    }
    for (std::size_t i = 0; i < fds.size() && !stop; ++i) {
      if (fds[i].revents == 0) continue;
      Worker& worker = workers[which[i]];
      if (!drain(worker, pool, stop)) reap(worker, pool, stop);
    }
  }
  for (Worker& worker : workers) {
    if (worker.pid > 0) {
      ::kill(worker.pid, SIGKILL);
      int status = 0;
      ::waitpid(worker.pid, &status, 0);
    }
    if (worker.fd >= 0) ::close(worker.fd);
  }
}

}  // namespace walsim
