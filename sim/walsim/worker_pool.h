// Forked worker processes for work items that each give one line of text: the runs of a sweep,
// then the diagnoses of its kept failures. Item k goes to worker k % jobs (neighbouring seeds
// of a scenario run side by side). A worker that dies under an item reports that item as died
// and a fresh worker takes the rest of its items, so one aborting seed (a WAL_ASSERT) is that
// seed's verdict and the pool goes on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace walsim {

struct PoolWork {
  // In a worker (a forked child, stderr to /dev/null): item `k`'s line, without a newline.
  std::function<std::string(std::size_t k)> work;
  // In the parent, in the order lines arrive: item `k` gave `line`.
  std::function<void(std::size_t k, const std::string& line)> done;
  // In the parent: the worker died under item `k` (`status` is waitpid's).
  std::function<void(std::size_t k, int status)> died;
  // In the parent, after each item: true ends the pool early (workers are killed).
  std::function<bool()> stop = [] { return false; };
};

void run_pool(std::size_t items, std::uint32_t jobs, const PoolWork& pool);

}  // namespace walsim
