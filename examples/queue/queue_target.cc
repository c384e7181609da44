// The queue example as a harness target: the queue runs on the production wal::Log
// (ThreadedLog, as its CLI does) on the simulated disk and the run's deterministic threads, and
// a model of every message and ack judges what it recovers.
//
// Op mapping (workload.h kinds -> queue operations):
//   append -> enqueue (random body of the op's size)
//   batch  -> ack a handed-out message (taking one first if none is out)
//   read   -> take, compared with the model at once
//   checkpoint, truncate -> checkpoint()      sync -> sync()
// Invariants:
//   queue-no-loss       (durability) a message whose enqueue was acknowledged durable and that
//                       was never acked is there after recovery
//   queue-no-redelivery (durability) a message whose ack was acknowledged durable never comes
//                       back (is never delivered again)
//   queue-integrity     (integrity)  every message recovered or taken is one that was enqueued,
//                       with its body
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "examples/common/threaded_log.h"
#include "examples/queue/queue.h"
#include "sim/harness/target.h"

namespace examples {
namespace {

constexpr std::uint32_t kMaxBodyBytes = 64;

struct Model {
  std::string body;
  std::uint32_t op = 0;
  bool enqueue_durable = false;
  bool ack_issued = false;          // ack() was called (it may have failed)
  wal::Lsn ack_lsn = wal::kNoLsn;  // kNoLsn: not acked, or the ack failed
  bool ack_durable = false;
};

class QueueTarget final : public harness::Target {
 public:
  std::vector<harness::TargetInvariant> invariants() const override {
    return {
        {"queue-no-loss", harness::Invariant::kDurability,
         "a durable enqueue never acked is recovered"},
        {"queue-no-redelivery", harness::Invariant::kDurability,
         "a message whose ack was durable is never delivered again"},
        {"queue-integrity", harness::Invariant::kIntegrity,
         "every message recovered or taken was enqueued, with its body"},
    };
  }

  wal::Status open(const harness::TargetEnv& env) override {
    wal::Result<std::unique_ptr<ThreadedLog>> log = ThreadedLog::open(env.dir, env.options);
    if (!log) return log.error();
    QueueOptions options;
    options.checkpoint_every = 16;
    wal::Result<std::unique_ptr<Queue>> queue = Queue::open(std::move(log).value(), options);
    if (!queue) return queue.error();
    queue_ = std::move(queue).value();
    return wal::Status::ok();
  }

  harness::Applied apply(const harness::Op& op, sim::Prng& choices) override {
    switch (op.kind) {
      case harness::OpKind::kAppend:
        return enqueue(op, choices);
      case harness::OpKind::kBatch:
        return ack(choices);
      case harness::OpKind::kRead:
        return take().second;
      case harness::OpKind::kCheckpoint:
      case harness::OpKind::kTruncate:
        return settle(queue_->checkpoint().status());
      case harness::OpKind::kSync:
        return settle(queue_->sync());
      case harness::OpKind::kReopen:
        break;  // the harness's own
    }
    return {};
  }

  wal::Status close() override {
    if (!queue_) return wal::Status::ok();
    const wal::Status status = queue_->close();
    queue_.reset();
    return status;
  }

  void crash() override { queue_.reset(); }

  std::vector<harness::Violation> check(bool power_lost) override {
    std::map<std::uint64_t, std::string> recovered;
    for (Message& m : queue_->unacked()) recovered.emplace(m.id, std::move(m.body));
    std::vector<harness::Violation> out;
    const std::string_view how = power_lost ? "after a power loss" : "after a clean reopen";
    for (const auto& [id, m] : messages_) {
      const auto found = recovered.find(id);
      const bool ack_durable = m.ack_durable || (!power_lost && m.ack_lsn != wal::kNoLsn);
      const bool enqueue_durable = m.enqueue_durable || !power_lost;
      if (found == recovered.end() && enqueue_durable && !m.ack_issued) {
        out.push_back({harness::Invariant::kDurability, id, 0,
                       fmt::format("durability: queue-no-loss: message {} (op {}), enqueued "
                                   "durable and never acked, is gone {}",
                                   id, m.op, how)});
      }
      if (found != recovered.end() && ack_durable) {
        out.push_back({harness::Invariant::kDurability, id, 0,
                       fmt::format("durability: queue-no-redelivery: message {} (op {}) is "
                                   "back {} although its ack (LSN {}) was durable",
                                   id, m.op, how, m.ack_lsn)});
      }
      if (found != recovered.end() && found->second != m.body) {
        out.push_back({harness::Invariant::kIntegrity, id, 0,
                       fmt::format("integrity: queue-integrity: message {} came back with a "
                                   "different body ({} bytes, enqueued {})",
                                   id, found->second.size(), m.body.size())});
      }
    }
    for (const auto& [id, body] : recovered) {
      if (messages_.count(id) != 0) continue;
      // The one enqueue that failed may have landed, under an id it never learnt.
      if (failed_enqueue_ && *failed_enqueue_ == body) {
        failed_enqueue_.reset();
        continue;
      }
      out.push_back({harness::Invariant::kIntegrity, id, 0,
                     fmt::format("integrity: queue-integrity: message {} ({} bytes) was "
                                 "recovered {} but never enqueued",
                                 id, body.size(), how)});
    }
    // What was recovered is the queue from here on: unacked, durable, handed out to nobody.
    messages_.clear();
    for (auto& [id, body] : recovered) {
      Model m;
      m.body = std::move(body);
      m.enqueue_durable = true;
      messages_.emplace(id, std::move(m));
    }
    failed_enqueue_.reset();
    return out;
  }

 private:
  void observe_durable() {
    const wal::Lsn durable = queue_->log().durable_lsn();
    for (auto& [id, m] : messages_) {
      if (id <= durable) m.enqueue_durable = true;
      if (m.ack_lsn != wal::kNoLsn && m.ack_lsn <= durable) m.ack_durable = true;
    }
  }

  harness::Applied settle(const wal::Status& status) {
    if (!status) return {harness::Ack::kFailed, status, {}};
    observe_durable();
    return {};
  }

  harness::Applied enqueue(const harness::Op& op, sim::Prng& choices) {
    const std::uint32_t size =
        std::min(op.entry_bytes.empty() ? 8u : op.entry_bytes.front(), kMaxBodyBytes);
    std::string body(size, 'a');
    for (char& c : body) c = static_cast<char>('a' + choices.below(26));
    wal::Result<std::uint64_t> id = queue_->enqueue(body);
    if (!id) {
      failed_enqueue_ = std::move(body);
      return {harness::Ack::kFailed, id.error(), {}};
    }
    Model m;
    m.body = std::move(body);
    m.op = op.index;
    messages_.emplace(*id, std::move(m));
    observe_durable();
    return {messages_[*id].enqueue_durable ? harness::Ack::kDurable : harness::Ack::kPending,
            {},
            {}};
  }

  // Takes a message and checks it against the model: an unacked message, with its body.
  std::pair<std::optional<Message>, harness::Applied> take() {
    std::optional<Message> taken = queue_->take();
    harness::Applied applied;
    if (!taken) return {taken, applied};
    const auto found = messages_.find(taken->id);
    if (found == messages_.end() || found->second.ack_lsn != wal::kNoLsn ||
        found->second.body != taken->body) {
      applied.violations.push_back(
          {harness::Invariant::kIntegrity, taken->id, 0,
           fmt::format("integrity: queue-integrity: take delivered message {} ({} bytes), "
                       "which the model holds {}",
                       taken->id, taken->body.size(),
                       found == messages_.end()                  ? "nowhere"
                       : found->second.ack_lsn != wal::kNoLsn ? "as acked"
                                                                 : "with another body")});
    }
    return {taken, applied};
  }

  harness::Applied ack(sim::Prng& choices) {
    std::vector<std::uint64_t> out;
    for (const auto& [id, m] : messages_) {
      if (m.ack_lsn == wal::kNoLsn && queue_->handed_out(id)) out.push_back(id);
    }
    std::uint64_t id = 0;
    if (out.empty()) {
      auto [taken, applied] = take();
      if (!taken || !applied.violations.empty()) return applied;
      id = taken->id;
    } else {
      id = out[choices.below(out.size())];
    }
    Model& m = messages_[id];
    m.ack_issued = true;
    wal::Result<wal::Lsn> lsn = queue_->ack(id);
    if (!lsn) return {harness::Ack::kFailed, lsn.error(), {}};
    m.ack_lsn = *lsn;
    observe_durable();
    return {m.ack_durable ? harness::Ack::kDurable : harness::Ack::kPending, {}, {}};
  }

  std::unique_ptr<Queue> queue_;
  std::map<std::uint64_t, Model> messages_;  // by id, since the last check: enqueued, maybe acked
  std::optional<std::string> failed_enqueue_;
};

harness::RunConfig hunt_forget_ack() {
  harness::RunConfig config;
  config.target = "queue";
  config.wal.sync = wal::SyncPolicy::kGrouped;
  config.wal.segment_bytes = 16 << 10;
  config.workload.ops = 60;
  config.workload.entry_bytes_min = 1;
  config.workload.entry_bytes_max = 32;
  config.workload.batch_ratio = {3, 10};
  config.workload.read_ratio = {1, 10};
  config.crash.at = *harness::CrashAt::parse("random");
  return config;
}

const bool kQueueRegistered = harness::register_target(harness::TargetInfo{
    "queue",
    "examples/queue: a durable message queue (enqueue, take, ack; unacked messages are "
    "redelivered after a restart, acked ones never)",
    [] { return std::make_unique<QueueTarget>(); },
    {harness::Mutant{"examples/queue/forget-ack", "example",
                     "replay skips ack entries, so acked messages are delivered again",
                     {harness::Invariant::kDurability}, hunt_forget_ack}},
});

}  // namespace
}  // namespace examples
