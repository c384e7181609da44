// The kv example as a harness target (docs/harness-api.md walks through this file): the store
// runs on the production wal::Log (ThreadedLog, as its CLI does), on the simulated disk and the
// run's deterministic threads, and a model of the map judges what it recovers.
//
// Op mapping (workload.h kinds -> kv operations; keys k0..k7 so ops collide):
//   append -> put (random value of the op's size) or add (1..9), half each
//   batch  -> del            checkpoint, truncate -> checkpoint()      sync -> sync()
//   read   -> get, compared with the model at once
// Invariants:
//   kv-durable (durability)  the recovered map reflects every acknowledged-durable mutation
//   kv-state   (integrity)   the recovered map is the model after some prefix of the mutations:
//                            nothing lost from the middle, applied twice, altered or invented
//   kv-read    (integrity)   a live get returns the model's value
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "examples/common/threaded_log.h"
#include "examples/kv/kv_store.h"
#include "sim/harness/prefix_match.h"
#include "sim/harness/target.h"

namespace examples {
namespace {

using Map = std::map<std::string, std::string, std::less<>>;
constexpr std::uint32_t kKeys = 8;
constexpr std::uint32_t kMaxValueBytes = 64;

struct Mutation {
  enum class Kind : std::uint8_t { kPut, kDel, kAdd } kind = Kind::kPut;
  std::string key;
  std::string value;       // put
  std::int64_t delta = 0;  // add
  std::uint32_t op = 0;
  wal::Lsn lsn = wal::kNoLsn;  // kNoLsn: the call failed (it may or may not have landed)
  bool durable = false;

  std::string describe() const {
    switch (kind) {
      case Kind::kPut:
        return fmt::format("op {} put {} ({} bytes)", op, key, value.size());
      case Kind::kDel:
        return fmt::format("op {} del {}", op, key);
      case Kind::kAdd:
        return fmt::format("op {} add {} {}", op, key, delta);
    }
    return "?";
  }
};

// The model's own arithmetic, independent of the store's apply path.
void apply_to(Map& map, const Mutation& m) {
  switch (m.kind) {
    case Mutation::Kind::kPut:
      map[m.key] = m.value;
      break;
    case Mutation::Kind::kDel:
      map.erase(m.key);
      break;
    case Mutation::Kind::kAdd: {
      auto found = map.find(m.key);
      std::optional<std::string_view> current;
      if (found != map.end()) current = found->second;
      map[m.key] = kv_add(current, m.delta);
      break;
    }
  }
}

std::string first_difference(const Map& got, const Map& want) {
  for (const auto& [key, value] : want) {
    auto found = got.find(key);
    if (found == got.end()) return fmt::format("{} missing (model: '{:.16}')", key, value);
    if (found->second != value) {
      return fmt::format("{} = '{:.16}' (model: '{:.16}')", key, found->second, value);
    }
  }
  for (const auto& [key, value] : got) {
    if (want.count(key) == 0) return fmt::format("{} = '{:.16}' (model: absent)", key, value);
  }
  return "none";
}

class KvTarget final : public harness::Target {
 public:
  std::vector<harness::TargetInvariant> invariants() const override {
    return {
        {"kv-durable", harness::Invariant::kDurability,
         "the recovered map reflects every acknowledged-durable mutation"},
        {"kv-state", harness::Invariant::kIntegrity,
         "the recovered map is the model after a prefix of the mutations"},
        {"kv-read", harness::Invariant::kIntegrity, "a live get returns the model's value"},
    };
  }

  wal::Status open(const harness::TargetEnv& env) override {
    wal::Result<std::unique_ptr<ThreadedLog>> log = ThreadedLog::open(env.dir, env.options);
    if (!log) return log.error();
    KvOptions options;
    options.checkpoint_every = 16;
    wal::Result<std::unique_ptr<KvStore>> store = KvStore::open(std::move(log).value(), options);
    if (!store) return store.error();
    store_ = std::move(store).value();
    return wal::Status::ok();
  }

  harness::Applied apply(const harness::Op& op, sim::Prng& choices) override {
    const std::string key = fmt::format("k{}", choices.below(kKeys));
    switch (op.kind) {
      case harness::OpKind::kAppend:
        if (choices.coin()) {
          std::string text = value(op, choices);
          wal::Result<wal::Lsn> lsn = store_->put(key, text);
          return mutate(Mutation{Mutation::Kind::kPut, key, std::move(text), 0, op.index}, lsn);
        } else {
          const auto delta = static_cast<std::int64_t>(choices.range(1, 9));
          return mutate(Mutation{Mutation::Kind::kAdd, key, "", delta, op.index},
                        store_->add(key, delta));
        }
      case harness::OpKind::kBatch:
        return mutate(Mutation{Mutation::Kind::kDel, key, "", 0, op.index}, store_->del(key));
      case harness::OpKind::kCheckpoint:
      case harness::OpKind::kTruncate:
        return settle(store_->checkpoint().status());
      case harness::OpKind::kSync:
        return settle(store_->sync());
      case harness::OpKind::kRead:
        return read(key);
      case harness::OpKind::kReopen:
        break;  // the harness's own
    }
    return {};
  }

  wal::Status close() override {
    if (!store_) return wal::Status::ok();
    const wal::Status status = store_->close();
    store_.reset();
    return status;
  }

  void crash() override { store_.reset(); }

  std::vector<harness::Violation> check(bool power_lost) override {
    const Map& recovered = store_->items();
    std::vector<harness::Violation> out;
    // Mutations [0, must) were acknowledged durable; a valid recovery is the model after k of
    // them for some k >= must (durable ones, then a prefix of the pending ones).
    std::size_t must = 0;
    for (std::size_t i = 0; i < mutations_.size(); ++i) {
      if (!power_lost || mutations_[i].durable) must = i + 1;
    }
    Map state;
    const auto [match, early] = harness::match_prefix(
        base_, mutations_, recovered, must,
        [](Map& into, const Mutation& m) { apply_to(into, m); }, &state);
    if (early) {
      const Mutation& lost = mutations_[*early];
      out.push_back({harness::Invariant::kDurability, lost.lsn, 0,
                     fmt::format("durability: kv-durable: the recovered map is the state after "
                                 "{} of {} mutations; {} (LSN {}) was acknowledged durable{}",
                                 *early, mutations_.size(), lost.describe(), lost.lsn,
                                 power_lost ? "" : " (clean reopen: nothing may be lost)")});
    } else if (!match) {
      out.push_back({harness::Invariant::kIntegrity, wal::kNoLsn, 0,
                     fmt::format("integrity: kv-state: the recovered map ({} keys) is the model "
                                 "after no prefix of the {} mutations since the last check; "
                                 "against the model after all of them: {}",
                                 recovered.size(), mutations_.size(),
                                 first_difference(recovered, state))});
    }
    // The recovered map is the truth from here on (a violation fails the run anyway).
    base_ = recovered;
    mutations_.clear();
    return out;
  }

 private:
  static std::string value(const harness::Op& op, sim::Prng& choices) {
    const std::uint32_t size =
        std::min(op.entry_bytes.empty() ? 8u : op.entry_bytes.front(), kMaxValueBytes);
    std::string text(size, 'a');
    for (char& c : text) c = static_cast<char>('a' + choices.below(26));
    return text;
  }

  // Marks everything the log now says is durable.
  void observe_durable() {
    const wal::Lsn durable = store_->log().durable_lsn();
    for (Mutation& m : mutations_) {
      if (m.lsn != wal::kNoLsn && m.lsn <= durable) m.durable = true;
    }
  }

  harness::Applied mutate(Mutation m, const wal::Result<wal::Lsn>& lsn) {
    if (lsn) m.lsn = *lsn;
    mutations_.push_back(std::move(m));
    if (!lsn) return {harness::Ack::kFailed, lsn.error(), {}};
    observe_durable();
    return {mutations_.back().durable ? harness::Ack::kDurable : harness::Ack::kPending, {}, {}};
  }

  harness::Applied settle(const wal::Status& status) {
    if (!status) return {harness::Ack::kFailed, status, {}};
    observe_durable();
    return {};
  }

  harness::Applied read(const std::string& key) {
    Map model = base_;
    for (const Mutation& m : mutations_) apply_to(model, m);
    const std::optional<std::string> got = store_->get(key);
    auto want = model.find(key);
    const std::optional<std::string> expected =
        want == model.end() ? std::nullopt : std::optional<std::string>(want->second);
    harness::Applied applied;
    if (got != expected) {
      applied.violations.push_back(
          {harness::Invariant::kIntegrity, wal::kNoLsn, 0,
           fmt::format("integrity: kv-read: get {} returned {} but the model holds {}", key,
                       got ? fmt::format("'{:.16}'", *got) : "nothing",
                       expected ? fmt::format("'{:.16}'", *expected) : "nothing")});
    }
    return applied;
  }

  std::unique_ptr<KvStore> store_;
  Map base_;                         // the state the last check accepted
  std::vector<Mutation> mutations_;  // since then, in LSN order
};

harness::RunConfig hunt_double_apply() {
  harness::RunConfig config;
  config.target = "kv";
  config.wal.sync = wal::SyncPolicy::kGrouped;
  config.wal.segment_bytes = 16 << 10;
  config.workload.ops = 60;
  config.workload.entry_bytes_min = 1;
  config.workload.entry_bytes_max = 32;
  config.workload.batch_ratio = {1, 10};
  config.crash.at = *harness::CrashAt::parse("random");
  return config;
}

const bool kKvRegistered = harness::register_target(harness::TargetInfo{
    "kv",
    "examples/kv: a key-value store (put/del/add entries, checkpoint of the whole map every 16 "
    "mutations, recovery = checkpoint + replay idempotent by LSN)",
    [] { return std::make_unique<KvTarget>(); },
    {harness::Mutant{"examples/kv/double-apply", "example",
                     "replay applies each mutation after the last checkpoint twice",
                     {harness::Invariant::kIntegrity}, hunt_double_apply}},
});

}  // namespace
}  // namespace examples
