// A user's own tiny store crash-tested with the installed harness: "tally", a counter whose every
// increment is one WAL entry (grouped commit: acknowledged = durable). Each seed runs it on the
// simulated disk, cuts the power at a seeded moment (torn writes, lost directory entries),
// recovers and checks the store's own invariant: every acknowledged increment survived and no
// increment appeared that was never attempted. Then the WAL itself through harness::run_simulation.
#include <cstdio>
#include <memory>
#include <string>

#include <wal/clock.h>
#include <wal/log_core.h>

#include "faults/power_loss.h"
#include "sim/harness/runner.h"
#include "sim/prng.h"
#include "sim/sim_fs.h"

namespace {

class StepClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return now_us_ += 7; }

 private:
  std::uint64_t now_us_ = 0;
};

// The store: increments are entries; its value is how many were recovered.
class Tally {
 public:
  static std::unique_ptr<Tally> open(wal::Fs& fs, wal::Clock& clock, const wal::Options& options) {
    wal::Result<std::unique_ptr<wal::LogCore>> core = wal::LogCore::open(fs, clock, "/tally", options);
    if (!core) return nullptr;
    auto tally = std::unique_ptr<Tally>(new Tally(std::move(core).value()));
    wal::Result<std::unique_ptr<wal::Reader>> reader = tally->core_->reader_from_checkpoint();
    if (!reader) return nullptr;
    for (;;) {
      wal::Result<std::optional<wal::Entry>> next = (*reader)->next();
      if (!next) return nullptr;
      if (!next->has_value()) break;
      ++tally->value_;
    }
    return tally;
  }
  // True once the increment is durable.
  bool increment() {
    const char one = '+';
    wal::Result<wal::Lsn> lsn = core_->append(std::as_bytes(std::span(&one, 1)));
    if (!lsn) return false;
    wal::Result<wal::SyncTicket> ticket = core_->begin_sync();
    if (!ticket) return false;
    const wal::Status synced = wal::LogCore::run_sync(*ticket);
    core_->finish_sync(*ticket, synced);
    if (!synced || core_->durable_lsn() < *lsn) return false;
    ++value_;
    return true;
  }
  std::uint64_t value() const { return value_; }

 private:
  explicit Tally(std::unique_ptr<wal::LogCore> core) : core_(std::move(core)) {}
  std::unique_ptr<wal::LogCore> core_;
  std::uint64_t value_ = 0;
};

bool crash_test_tally(std::uint64_t seed) {
  sim::Prng prng(seed);
  sim::SimFs fs;
  fs.make_durable_dirs("/tally");
  StepClock clock;
  wal::Options options;
  options.segment_bytes = 4096;  // rotations too
  options.salt = prng.next_u64() | 1;
  const std::uint64_t attempts = prng.below(60);
  std::uint64_t acknowledged = 0;
  {
    std::unique_ptr<Tally> tally = Tally::open(fs, clock, options);
    if (!tally) return false;
    for (std::uint64_t i = 0; i < attempts; ++i) acknowledged += tally->increment() ? 1 : 0;
  }  // dropped without close: the process dies with the power
  faults::crash(fs, faults::PowerLossOptions{}, prng);
  std::unique_ptr<Tally> tally = Tally::open(fs, clock, options);
  if (!tally || tally->value() < acknowledged || tally->value() > attempts) {
    std::fprintf(stderr, "seed %llu: %llu acknowledged of %llu, recovered %llu\n",
                 static_cast<unsigned long long>(seed), static_cast<unsigned long long>(acknowledged),
                 static_cast<unsigned long long>(attempts),
                 static_cast<unsigned long long>(tally ? tally->value() : 0));
    return false;
  }
  return true;
}

}  // namespace

int main() {
  constexpr std::uint64_t kSeeds = 100;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    if (!crash_test_tally(seed)) return 1;
  }
  harness::RunConfig config;
  config.workload.ops = 50;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const harness::RunResult result = harness::run_simulation(config, seed);
    if (!result.passed) {
      std::fprintf(stderr, "wal seed %llu: %s\n", static_cast<unsigned long long>(seed),
                   result.failure.c_str());
      return 1;
    }
  }
  std::printf("tally_crash_test: %llu crash seeds and 5 WAL runs passed\n",
              static_cast<unsigned long long>(kSeeds));
  return 0;
}
