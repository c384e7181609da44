// False positive 7 of docs/bug-zoo.md, end to end on the real WAL: a record that injected damage
// hit proves nothing, and that excuses no other record. The first power loss of a run keeps
// its crash image and flips one bit in each of some chosen records, told to the oracle the way
// faults::inject_bit_flip tells it (the LSNs each flip hit, read from the image before it).
// Record A is a durable record that later records' durable hints prove durable.
//   * A and every record whose hint proves it damaged: no reader can see the proof, so a torn
//     tail at A is honest, and the mid-log-damage-is-end mutant (every damage is a torn tail)
//     is not caught: it does what the correct WAL does there.
//   * A and a later record that does not prove it damaged, the same two-flip pattern: the
//     mutant's torn tail at A loses a provably durable entry and `durability` catches it.
// The correct WAL passes both.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "faults/media_aim.h"
#include "sim/crash_plan.h"
#include "sim/harness/mutants.h"
#include "sim/harness/runner.h"
#include "sim/sim_fs.h"

namespace harness {
namespace {

constexpr std::uint64_t kPayloadAt = 40;  // wal/FORMAT.md 2.2: the record header's size

struct Record {
  std::string path;
  sim::InodeId inode = 0;
  std::uint64_t offset = 0;
  wal::Lsn first = wal::kNoLsn;
  wal::Lsn last = wal::kNoLsn;
  wal::Lsn durable_hint = wal::kNoLsn;
};

std::uint64_t field(const sim::Bytes& bytes, std::uint64_t offset, std::size_t width) {
  std::uint64_t value = 0;
  std::memcpy(&value, bytes.data() + offset, width);  // little-endian, as the format
  return value;
}

// The entry records of every segment in the image, in LSN order, found by the same layout walk
// that aims media damage.
std::vector<Record> records_of(const sim::SimFsState& state) {
  std::vector<Record> out;
  for (const auto& [path, inode] : sim::visible_files(state)) {
    const sim::Bytes& bytes = state.inodes.at(inode).file.durable;
    const std::string name = path.substr(path.rfind('/') + 1);
    for (const faults::AimedRange& range : faults::structure_of(name, bytes)) {
      if (range.role != faults::AimedRange::Role::kRecordHeader) continue;
      const std::uint64_t count = field(bytes, range.offset + 24, 4);
      const std::uint64_t payload = field(bytes, range.offset + 4, 4);
      if (count == 0 || payload == 0) continue;
      const wal::Lsn lsn = field(bytes, range.offset + 8, 8);
      out.push_back({path, inode, range.offset, lsn, lsn + count - 1,
                     field(bytes, range.offset + 16, 8)});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Record& a, const Record& b) { return a.first < b.first; });
  return out;
}

class DamageRecords final : public PowerLossHook {
 public:
  enum class Also { kEveryProof, kOneRecordThatIsNoProof };

  DamageRecords(Also also, sim::Trace& trace) : also_(also), trace_(trace) {}

  std::optional<sim::SimFsState> first_power_loss(const sim::SimFsState& before,
                                                  const sim::CrashPlan& plan) override {
    sim::SimFs fs;
    fs.restore(sim::apply_crash(before, plan));
    const std::vector<Record> records = records_of(fs.state());
    const std::optional<std::vector<Record>> chosen = choose(records);
    if (!chosen) return std::nullopt;
    target_ = chosen->front().first;
    for (const Record& record : *chosen) flip_payload(fs, record);
    return fs.state();
  }

  // A's first LSN, once a power loss found a record to damage.
  std::optional<wal::Lsn> target() const { return target_; }

 private:
  // A, the first record at least two later records prove, that has after it a record proving
  // nothing of it; then the records to damage with it.
  std::optional<std::vector<Record>> choose(const std::vector<Record>& records) const {
    for (std::size_t a = 0; a < records.size(); ++a) {
      std::vector<Record> proofs;
      std::optional<Record> no_proof;
      for (std::size_t later = a + 1; later < records.size(); ++later) {
        if (records[later].durable_hint >= records[a].last) {
          proofs.push_back(records[later]);
        } else if (!no_proof) {
          no_proof = records[later];
        }
      }
      if (proofs.size() < 2 || !no_proof) continue;
      std::vector<Record> chosen{records[a]};
      if (also_ == Also::kEveryProof) {
        chosen.insert(chosen.end(), proofs.begin(), proofs.end());
      } else {
        chosen.push_back(*no_proof);
      }
      return chosen;
    }
    return std::nullopt;
  }

  void flip_payload(sim::SimFs& fs, const Record& record) {
    const std::uint64_t offset = record.offset + kPayloadAt;
    const std::optional<faults::LsnSpan> hit =
        faults::lsns_hit(fs.state().inodes.at(record.inode).file.durable, offset, 1);
    fs.flip_durable_bit(record.inode, offset, 0);
    trace_.fault("bit_flip", sim::FsOp::kNone, record.path, offset, 1,
                 fmt::format("bit 0{}", faults::describe_lsns_hit(hit)));
  }

  Also also_;
  sim::Trace& trace_;
  std::optional<wal::Lsn> target_;
};

struct Outcome {
  wal::Lsn target = wal::kNoLsn;
  RunResult result;
};

// The first seed whose crash image has such a record A, run with the damage.
Outcome run_damaging(DamageRecords::Also also) {
  RunConfig config = find_mutant("mid-log-damage-is-end")->config();
  config.faults.bit_flip = {0, 1};  // only the flips of the hook
  config.crash.at = *CrashAt::parse("op:1000");  // after the last op: the whole log
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    sim::Trace trace;
    DamageRecords hook(also, trace);
    config.power_loss_hook = &hook;
    RunResult result = run_simulation(config, seed, &trace);
    if (hook.target()) return {*hook.target(), std::move(result)};
  }
  ADD_FAILURE() << "no seed's crash image had a proven record with a record after it that is "
                   "no proof";
  return {};
}

bool mentions_lsn(const RunResult& result, Invariant invariant, wal::Lsn lsn) {
  for (const Violation& v : result.checks[invariant].violations) {
    if (v.message.find(fmt::format("LSN {} ", lsn)) != std::string::npos) return true;
  }
  return false;
}

class DamagedProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!mutants_available()) GTEST_SKIP() << "this build has no mutant points (WAL_FIU=OFF)";
  }
};

TEST_F(DamagedProofTest, ATornTailIsALossWhileAProofOfTheEntryIsIntact) {
  {
    ScopedMutant mutant("mid-log-damage-is-end");
    const Outcome caught = run_damaging(DamageRecords::Also::kOneRecordThatIsNoProof);
    EXPECT_TRUE(mentions_lsn(caught.result, Invariant::kDurability, caught.target))
        << "LSN " << caught.target << ", seed " << caught.result.seed << ": "
        << caught.result.checks.summary();
  }
  const Outcome clean = run_damaging(DamageRecords::Also::kOneRecordThatIsNoProof);
  EXPECT_TRUE(clean.result.passed) << clean.result.failure;
}

TEST_F(DamagedProofTest, ATornTailIsHonestWhenEveryProofOfTheEntryWasDamaged) {
  {
    ScopedMutant mutant("mid-log-damage-is-end");
    const Outcome excused = run_damaging(DamageRecords::Also::kEveryProof);
    EXPECT_TRUE(excused.result.passed)
        << "LSN " << excused.target << ", seed " << excused.result.seed << ": "
        << excused.result.failure;
  }
  const Outcome clean = run_damaging(DamageRecords::Also::kEveryProof);
  EXPECT_TRUE(clean.result.passed) << clean.result.failure;
}

}  // namespace
}  // namespace harness
