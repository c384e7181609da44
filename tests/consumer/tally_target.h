// "tally", a user's own tiny store on the installed harness (tally_crash_test.cc says what it
// checks): a counter whose every increment is one WAL entry on wal::LogCore, durable before it is
// acknowledged. Shared by the crash test that drives the harness's C++ API and by tally_walsim,
// a whole walsim of the user's own (walsim_main.h).
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include <wal/log_core.h>

#include "sim/harness/target.h"

namespace tally {

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

inline void register_tally() {
  harness::register_target({"tally", "a counter, one entry per increment",
                            [] { return std::make_unique<TallyTarget>(); }, {}});
}

}  // namespace tally
