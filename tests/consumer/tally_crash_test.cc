// A user's own tiny store crash-tested with the installed harness, through the public Target API
// (sim/harness/target.h, docs/harness-api.md): "tally", a counter whose every increment is one
// WAL entry on wal::LogCore. The harness runs it on the simulated disk under group commit, cuts
// the power at seeded moments (torn writes, lost directory entries, crashes during recovery),
// recovers it and asks it to check its own invariant: every acknowledged increment survived, and
// no increment appeared that was never attempted. Exit 0 iff every seed passes.
#include <cstdio>
#include <memory>
#include <string>

#include <wal/log_core.h>

#include "sim/harness/runner.h"
#include "sim/harness/target.h"

namespace {

class TallyTarget final : public harness::Target {
 public:
  std::vector<harness::TargetInvariant> invariants() const override {
    return {{"tally-count", harness::Invariant::kDurability,
             "acknowledged <= recovered count <= attempted"}};
  }

  wal::Status open(const harness::TargetEnv& env) override {
    wal::Result<std::unique_ptr<wal::LogCore>> core =
        wal::LogCore::open(*env.fs, *env.clock, env.dir, env.options);
    if (!core) return core.error();
    core_ = std::move(core).value();
    count_ = 0;
    wal::Result<std::unique_ptr<wal::Reader>> reader = core_->reader_from_checkpoint();
    if (!reader) return reader.error();
    for (;;) {
      wal::Result<std::optional<wal::Entry>> next = (*reader)->next();
      if (!next) return next.error();
      if (!next->has_value()) return wal::Status::ok();
      ++count_;
    }
  }

  // Every op is one increment, durable before it is acknowledged (a group of one).
  harness::Applied apply(const harness::Op&, sim::Prng&) override {
    ++attempted_;
    const char one = '+';
    wal::Result<wal::Lsn> lsn = core_->append(std::as_bytes(std::span(&one, 1)));
    if (!lsn) return {harness::Ack::kFailed, lsn.error(), {}};
    wal::Result<wal::SyncTicket> ticket = core_->begin_sync();
    if (!ticket) return {harness::Ack::kFailed, ticket.error(), {}};
    const wal::Status synced = wal::LogCore::run_sync(*ticket);
    core_->finish_sync(*ticket, synced);
    if (!synced) return {harness::Ack::kFailed, synced, {}};
    ++acknowledged_;
    return {};
  }

  wal::Status close() override {
    const wal::Status status = core_ ? core_->close() : wal::Status::ok();
    core_.reset();
    return status;
  }
  void crash() override { core_.reset(); }

  std::vector<harness::Violation> check(bool power_lost) override {
    std::vector<harness::Violation> out;
    const std::uint64_t at_least = power_lost ? acknowledged_ : attempted_;
    if (count_ < at_least || count_ > attempted_) {
      out.push_back({harness::Invariant::kDurability, wal::kNoLsn, 0,
                     "durability: tally-count: recovered " + std::to_string(count_) + ", " +
                         std::to_string(acknowledged_) + " acknowledged of " +
                         std::to_string(attempted_) + " attempted"});
    }
    acknowledged_ = attempted_ = count_;  // the recovered count is the truth from here on
    return out;
  }

 private:
  std::unique_ptr<wal::LogCore> core_;
  std::uint64_t count_ = 0;
  std::uint64_t attempted_ = 0;
  std::uint64_t acknowledged_ = 0;
};

}  // namespace

int main() {
  harness::register_target({"tally", "a counter, one entry per increment",
                            [] { return std::make_unique<TallyTarget>(); }, {}});
  harness::RunConfig config;
  config.target = "tally";
  config.wal.segment_bytes = 4096;  // rotations too
  config.workload.ops = 60;
  config.crash.at = *harness::CrashAt::parse("random");
  config.crash.count = 2;  // and a power loss during the first recovery
  constexpr std::uint64_t kSeeds = 100;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const harness::RunResult result = harness::run_simulation(config, seed);
    if (!result.passed) {
      std::fprintf(stderr, "tally seed %llu: %s\n", static_cast<unsigned long long>(seed),
                   result.failure.c_str());
      return 1;
    }
  }
  std::printf("tally_crash_test: %llu seeds of the user's own store passed\n",
              static_cast<unsigned long long>(kSeeds));
  return 0;
}
