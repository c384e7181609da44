#include "sim/walsim/sweep.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reports/summary_json.h"
#include "sim/walsim/cli_numbers.h"
#include "sim/walsim/isolated.h"
#include "sim/walsim/run_record.h"
#include "sim/walsim/scenario_coverage.h"

namespace walsim {
namespace {

struct Item {
  std::size_t scenario = 0;
  std::uint64_t seed = 0;
};

// One forked worker: runs its items in order, one JSON line per result on its pipe.
struct Worker {
  pid_t pid = -1;
  int fd = -1;
  std::deque<std::size_t> pending;  // item indexes not reported yet, in the order it runs them
  std::string buffer;
};

Worker spawn(const std::vector<Scenario>& scenarios, const std::vector<Item>& items,
             std::deque<std::size_t> mine) {
  const Forked child = fork_with_pipe();
  if (child.pid == 0) {
    // The WAL's log lines go into each run's trace (wal_log_route.h); a seed that kills its
    // worker is replayed (in the foreground, stderr intact) to see why.
    if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) {
      ::dup2(null, STDERR_FILENO);
      ::close(null);
    }
    for (std::size_t index : mine) {
      const Item& item = items[index];
      const reports::RunRecord record = run_one(scenarios[item.scenario], item.seed);
      write_all_or_exit(child.fd, reports::run_to_json(record, true).dump() + "\n");
    }
    ::close(child.fd);
    exit_child(0);
  }
  return Worker{child.pid, child.fd, std::move(mine), {}};
}

// A seed whose worker died under it: a failure of that seed (e.g. a WAL_ASSERT).
reports::RunRecord died(const Scenario& scenario, std::uint64_t seed, int status) {
  reports::RunRecord r;
  r.scenario = scenario.name;
  r.file = scenario.file;
  r.seed = seed;
  r.passed = false;
  r.matched = !scenario.config.expect.pass;
  r.failure = describe_death(status);
  r.problems.push_back(r.failure);
  r.repro = repro_command(scenario, seed);
  return r;
}

bool unexpected(const Scenario& scenario, const reports::RunRecord& record) {
  return scenario.config.expect.pass && !record.passed;
}

class Progress {
 public:
  Progress(bool on, std::size_t total) : on_(on), total_(total), start_(Clock::now()) {}
  void update(std::size_t done, std::size_t failed, bool force = false) {
    if (!on_) return;
    const auto now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "\r\033[Kwalsim: %zu/%zu runs, %zu failing, %.1f s", done, total_, failed,
                 seconds);
    std::fflush(stderr);
  }
  void finish() {
    if (on_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool on_;
  std::size_t total_;
  Clock::time_point start_;
  Clock::time_point last_{};
};

}  // namespace

std::optional<Shard> Shard::parse(const std::string& text) {
  // Strict: sscanf("%u") took "-1" as 4294967295 and clamped what overflowed.
  const std::string_view whole = text;
  const std::size_t slash = whole.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::optional<std::uint64_t> index = parse_unsigned(whole.substr(0, slash));
  const std::optional<std::uint64_t> count = parse_unsigned(whole.substr(slash + 1));
  if (!index || !count || *count == 0 || *count > UINT32_MAX || *index >= *count) {
    return std::nullopt;
  }
  return Shard{static_cast<std::uint32_t>(*index), static_cast<std::uint32_t>(*count)};
}

std::string Shard::to_string() const { return fmt::format("{}/{}", index, count); }

std::vector<std::uint64_t> seed_list(const Scenario& scenario, const SweepOptions& options) {
  if (options.seed) return {*options.seed};
  if (options.only_seeds) return *options.only_seeds;
  const std::uint64_t n = options.seeds.value_or(scenario.seeds);
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t k = 0; k < n; ++k) {
    if (options.shard && k % options.shard->count != options.shard->index) continue;
    seeds.push_back(scenario.first_seed + k);
  }
  return seeds;
}

reports::Sweep run_sweep(const std::vector<Scenario>& scenarios, const SweepOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  reports::Sweep sweep;
  std::vector<Item> items;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const std::uint64_t planned = options.seed         ? 1
                                  : options.only_seeds ? options.only_seeds->size()
                                                       : options.seeds.value_or(scenarios[s].seeds);
    sweep.scenarios.push_back(scenario_info(scenarios[s], planned));
    for (std::uint64_t seed : seed_list(scenarios[s], options)) items.push_back({s, seed});
  }
  if (options.shard) sweep.shards.push_back(options.shard->to_string());
  sweep.coverage_cells = listed_cells(scenarios);
  const std::uint32_t jobs =
      std::max<std::uint32_t>(1, std::min<std::uint32_t>(options.jobs,
                                                         static_cast<std::uint32_t>(items.size())));
  sweep.jobs = options.jobs;

  // Item k goes to worker k % jobs: neighbouring seeds of a scenario run side by side.
  std::vector<Worker> workers;
  for (std::uint32_t w = 0; w < jobs && !items.empty(); ++w) {
    std::deque<std::size_t> mine;
    for (std::size_t k = w; k < items.size(); k += jobs) mine.push_back(k);
    workers.push_back(spawn(scenarios, items, std::move(mine)));
  }
  Progress progress(options.progress, items.size());
  std::size_t failing = 0;
  bool stop = false;
  auto accept = [&](reports::RunRecord record, std::size_t index) {
    const Scenario& scenario = scenarios[items[index].scenario];
    if (!record.passed) ++failing;
    if (options.fail_fast && unexpected(scenario, record)) stop = true;
    sweep.runs.push_back(std::move(record));
  };
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
      char chunk[65536];
      const ssize_t n = ::read(worker.fd, chunk, sizeof chunk);
      if (n > 0) {
        worker.buffer.append(chunk, static_cast<std::size_t>(n));
        for (std::size_t eol; (eol = worker.buffer.find('\n')) != std::string::npos;) {
          const std::string line = worker.buffer.substr(0, eol);
          worker.buffer.erase(0, eol + 1);
          const std::size_t index = worker.pending.front();
          worker.pending.pop_front();
          accept(reports::run_from_json(nlohmann::json::parse(line)), index);
        }
        progress.update(sweep.runs.size(), failing);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      // End of the pipe: the worker finished, or died under its next item.
      ::close(worker.fd);
      worker.fd = -1;
      int status = 0;
      ::waitpid(worker.pid, &status, 0);
      worker.pid = -1;
      if (worker.pending.empty()) continue;
      const std::size_t index = worker.pending.front();
      worker.pending.pop_front();
      const Item& item = items[index];
      accept(died(scenarios[item.scenario], item.seed, status), index);
      if (!worker.pending.empty() && !stop) {
        worker = spawn(scenarios, items, std::move(worker.pending));
      }
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
  progress.update(sweep.runs.size(), failing, true);
  progress.finish();
  sweep.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  sweep.normalize();
  return sweep;
}

}  // namespace walsim
