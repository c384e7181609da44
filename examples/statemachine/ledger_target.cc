// The ledger as a walsim target, on wal::LogCore and the simulated disk. Op mapping:
//   append, batch       propose a transfer (drawn from the op's choices): appended, not applied
//   sync                sync the log; every proposed command now durable is applied
//   checkpoint, truncate snapshot the applied state as a checkpoint entry, then sync and apply
//   read                the live state conserves money
// Invariants:
//   ledger-durable (durability)  every command acknowledged durable (a sync or checkpoint
//                                returned after it) is in the recovered state
//   ledger-state   (integrity)   the recovered state is the opening state after exactly the
//                                proposed commands up to its applied LSN, in LSN order, each
//                                once; money is conserved
// Planted bug "examples/ledger/replay-from-checkpoint": recovery replays from the checkpoint
// entry's position instead of from the snapshot's applied LSN, so the commands proposed before
// the snapshot but applied after it are lost.
#include "ledger_target.h"

#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <wal/log_core.h>

#include "ledger.h"
#include "sim/harness/target.h"

#ifdef FIU_ENABLE
#include <fiu.h>
#define LEDGER_PLANTED_BUG(point) (fiu_fail(point) != 0)
#else
#define LEDGER_PLANTED_BUG(point) false
#endif

namespace ledger {
namespace {

class LedgerTarget final : public harness::Target {
 public:
  std::vector<harness::TargetInvariant> invariants() const override {
    return {{"ledger-durable", harness::Invariant::kDurability,
             "every command acknowledged durable is in the recovered state"},
            {"ledger-state", harness::Invariant::kIntegrity,
             "the recovered state is the proposed commands up to its applied LSN, each once"}};
  }

  wal::Status open(const harness::TargetEnv& env) override {
    wal::Result<std::unique_ptr<wal::LogCore>> core =
        wal::LogCore::open(*env.fs, *env.clock, env.dir, env.options);
    if (!core) return core.error();
    core_ = std::move(core).value();
    pending_.clear();
    return recover();
  }

  harness::Applied apply(const harness::Op& op, sim::Prng& choices) override {
    switch (op.kind) {
      case harness::OpKind::kAppend:
      case harness::OpKind::kBatch:
        return propose(choices);
      case harness::OpKind::kSync:
        return settle(sync());
      case harness::OpKind::kCheckpoint:
      case harness::OpKind::kTruncate:
        return snapshot();
      case harness::OpKind::kRead:
      case harness::OpKind::kReopen:
        break;
    }
    harness::Applied out;
    const std::int64_t opening = kOpening * static_cast<std::int64_t>(kAccounts);
    if (state_.total() != opening) {
      out.violations.push_back({harness::Invariant::kIntegrity, state_.applied, 0,
                                fmt::format("ledger-state: the live ledger holds {}, not {}",
                                            state_.total(), opening)});
    }
    return out;
  }

  wal::Status close() override {
    const wal::Status status = core_ ? core_->close() : wal::Status::ok();
    core_.reset();
    return status;
  }
  void crash() override { core_.reset(); }

  std::vector<harness::Violation> check(bool power_lost) override {
    std::vector<harness::Violation> out;
    // The recovered state must be the base after the proposed commands up to its applied LSN.
    State expected = base_;
    wal::Lsn last_proposed = base_.applied;
    for (const auto& [lsn, transfer] : proposed_) {
      last_proposed = lsn;
      if (lsn <= state_.applied) expected.apply(lsn, transfer);
    }
    // A failed proposal may or may not have landed, at the LSN it would have had.
    if (failed_ && state_.applied == failed_lsn_) {
      expected.apply(failed_lsn_, *failed_);
      last_proposed = failed_lsn_;
    }
    const wal::Lsn must_have = power_lost ? acknowledged_ : last_proposed;
    if (state_.applied < must_have) {
      out.push_back({harness::Invariant::kDurability, must_have, 0,
                     fmt::format("ledger-durable: the recovered ledger applied up to LSN {}, "
                                 "but the command at LSN {} was acknowledged durable",
                                 state_.applied, must_have)});
    } else if (state_.applied > last_proposed) {
      out.push_back({harness::Invariant::kIntegrity, state_.applied, 0,
                     fmt::format("ledger-state: the recovered ledger applied LSN {}, beyond the "
                                 "last proposed command (LSN {})",
                                 state_.applied, last_proposed)});
    } else if (!(state_.balances == expected.balances)) {
      out.push_back({harness::Invariant::kIntegrity, state_.applied, 0,
                     fmt::format("ledger-state: the recovered balances at LSN {} are not the "
                                 "proposed commands applied once each, in order",
                                 state_.applied)});
    }
    // The recovered state is the truth from here on.
    base_ = state_;
    proposed_.clear();
    acknowledged_ = state_.applied;
    failed_.reset();
    return out;
  }

 private:
  harness::Applied propose(sim::Prng& choices) {
    Transfer t;
    t.from = static_cast<std::uint8_t>(choices.below(kAccounts));
    t.to = static_cast<std::uint8_t>(choices.below(kAccounts));
    t.amount = static_cast<std::uint32_t>(choices.range(1, 400));
    const std::vector<std::byte> bytes = encode(t);
    wal::Result<wal::Lsn> lsn = core_->append(bytes);
    if (!lsn) {
      failed_ = t;
      failed_lsn_ = core_->last_lsn() + 1;
      return {harness::Ack::kFailed, lsn.error(), {}};
    }
    proposed_[*lsn] = t;
    pending_[*lsn] = t;
    return {harness::Ack::kPending, {}, {}};
  }

  harness::Applied snapshot() {
    // The applied state, which lags the log by the commands proposed since the last sync.
    wal::Result<wal::Lsn> lsn = core_->append_checkpoint(encode(state_));
    if (!lsn) return {harness::Ack::kFailed, lsn.error(), {}};
    return settle(sync());
  }

  // Durable now: acknowledged, and applied in LSN order.
  harness::Applied settle(const wal::Status& synced) {
    if (!synced) return {harness::Ack::kFailed, synced, {}};
    const wal::Lsn durable = core_->durable_lsn();
    for (auto it = pending_.begin(); it != pending_.end() && it->first <= durable;) {
      state_.apply(it->first, it->second);
      acknowledged_ = it->first;
      it = pending_.erase(it);
    }
    return {harness::Ack::kDurable, {}, {}};
  }

  wal::Status sync() {
    while (core_->durable_lsn() < core_->last_lsn()) {
      wal::Result<wal::SyncTicket> ticket = core_->begin_sync();
      if (!ticket) return ticket.error();
      const wal::Status status = wal::LogCore::run_sync(*ticket);
      core_->finish_sync(*ticket, status);
      if (!status) return status;
    }
    return wal::Status::ok();
  }

  // Restores the newest snapshot and replays every command after its applied LSN.
  wal::Status recover() {
    state_ = State{};
    wal::Result<std::unique_ptr<wal::Reader>> from_checkpoint = core_->reader_from_checkpoint();
    if (!from_checkpoint) return from_checkpoint.error();
    wal::Result<std::optional<wal::Entry>> first = (*from_checkpoint)->next();
    if (!first) return first.error();
    std::unique_ptr<wal::Reader> replay;
    if (first->has_value() && (*first)->type == wal::EntryType::kCheckpoint) {
      const std::optional<State> snapshot = decode_snapshot((*first)->payload);
      if (!snapshot) return wal::Status::corruption("ledger: a snapshot that does not decode");
      state_ = *snapshot;
      if (LEDGER_PLANTED_BUG("examples/ledger/replay-from-checkpoint")) {
        replay = std::move(from_checkpoint).value();  // continues after the checkpoint entry
      }
    }
    if (replay == nullptr) {
      const wal::Lsn from = std::max(state_.applied + 1, core_->first_lsn());
      if (from > core_->last_lsn()) return wal::Status::ok();
      wal::Result<std::unique_ptr<wal::Reader>> reader = core_->reader(from);
      if (!reader) return reader.error();
      replay = std::move(reader).value();
    }
    for (;;) {
      wal::Result<std::optional<wal::Entry>> next = replay->next();
      if (!next) return next.error();
      if (!next->has_value()) return wal::Status::ok();
      if ((*next)->type == wal::EntryType::kCheckpoint) continue;
      const std::optional<Transfer> t = decode_transfer((*next)->payload);
      if (!t) return wal::Status::corruption("ledger: a command that does not decode");
      state_.apply((*next)->lsn, *t);
    }
  }

  std::unique_ptr<wal::LogCore> core_;
  State state_;                          // applied
  std::map<wal::Lsn, Transfer> pending_;  // proposed, not yet durable
  // The model since the last check.
  State base_;
  std::map<wal::Lsn, Transfer> proposed_;
  wal::Lsn acknowledged_ = wal::kNoLsn;
  std::optional<Transfer> failed_;
  wal::Lsn failed_lsn_ = wal::kNoLsn;
};

// Hunts the planted bug: no sync policy of its own (commands wait for the application's syncs),
// snapshots every few ops, a power cut at a random op.
harness::RunConfig hunt_replay_from_checkpoint() {
  harness::RunConfig config;
  config.target = "ledger";
  config.wal.sync = wal::SyncPolicy::kNone;
  config.wal.segment_bytes = 4096;
  config.workload.ops = 40;
  config.workload.sync_ratio = {1, 4};
  config.workload.checkpoint_every = 5;
  config.crash.at = *harness::CrashAt::parse("random");
  return config;
}

}  // namespace

void register_target() {
  harness::register_target(harness::TargetInfo{
      "ledger",
      "examples/statemachine: a replicated state machine's log (transfers applied in LSN order "
      "once durable, snapshots as checkpoints, idempotent replay)",
      [] { return std::make_unique<LedgerTarget>(); },
      {harness::Mutant{"examples/ledger/replay-from-checkpoint", "example",
                       "recovery replays from the checkpoint entry instead of the snapshot's "
                       "applied LSN: commands proposed before the snapshot are lost",
                       {harness::Invariant::kDurability}, hunt_replay_from_checkpoint}},
  });
}

}  // namespace ledger
