// Every invariant must fire on a hand-built wrong recovery and hold on correct ones, including
// recoveries that legitimately lost pending entries.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/harness/invariants.h"
#include "sim/harness/oracle.h"
#include "sim/harness/payload.h"

namespace harness {
namespace {

using wal::EntryType;
using wal::Lsn;

// The history every test starts from, in epoch 1, followed by a power loss:
//   LSN 1-4 data, durable       LSN 5 checkpoint, durable      LSN 6-8 batch, durable
//   LSN 9 data, pending         LSN 10-12 batch, pending        LSN 13 data, pending
class InvariantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open();
    for (int i = 0; i < 4; ++i) append(EntryType::kData);
    oracle_.observe_durable(4, ++step_);
    append(EntryType::kCheckpoint);
    oracle_.observe_durable(5, ++step_);
    batch(3);
    oracle_.observe_durable(8, ++step_);
    append(EntryType::kData);
    batch(3);
    append(EntryType::kData);
  }

  void open() {
    const std::uint64_t call = oracle_.begin(CallKind::kOpen, 0, 0, ++step_);
    oracle_.end(call, wal::Status::ok(), ++step_);
  }

  std::vector<std::byte> next_payload(std::uint32_t part) {
    return make_payload(kSeed, PayloadId{0, op_, part}, 20 + op_ + part);
  }

  Lsn append(EntryType type, wal::Status outcome = wal::Status::ok()) {
    const CallKind kind = type == EntryType::kCheckpoint ? CallKind::kCheckpoint : CallKind::kAppend;
    const std::uint64_t call = oracle_.begin(kind, 0, op_, ++step_);
    const Lsn lsn = next_lsn_++;
    oracle_.issue(call, lsn, type, next_payload(0), PayloadId{0, op_, 0}, ++step_);
    oracle_.end(call, outcome, ++step_);
    ++op_;
    return lsn;
  }

  void batch(std::uint32_t entries) {
    const std::uint64_t call = oracle_.begin(CallKind::kBatch, 0, op_, ++step_);
    const wal::LsnRange range{next_lsn_, next_lsn_ + entries - 1};
    for (std::uint32_t part = 0; part < entries; ++part) {
      oracle_.issue(call, next_lsn_++, EntryType::kBatch, next_payload(part),
                    PayloadId{0, op_, part}, ++step_, range);
    }
    oracle_.end(call, wal::Status::ok(), ++step_);
    ++op_;
  }

  static RecoveredEntry as_recovered(const Expected& e) {
    RecoveredEntry entry;
    entry.lsn = e.lsn;
    entry.type = e.type;
    entry.size_bytes = e.size_bytes;
    entry.fingerprint = e.fingerprint;
    entry.id = e.id;
    return entry;
  }

  // A correct-looking recovery of exactly `lsns`, with a consistent report.
  Recovery recovery_of(const std::vector<Lsn>& lsns) const {
    Recovery r;
    for (Lsn lsn : lsns) {
      const Expected* e = oracle_.find(lsn);
      if (e != nullptr) r.entries.push_back(as_recovered(*e));
    }
    const Lsn last = lsns.empty() ? wal::kNoLsn : lsns.back();
    r.report.last_good_lsn = last;
    r.next_lsn = last + 1;
    for (const RecoveredEntry& entry : r.entries) {
      if (entry.type == EntryType::kCheckpoint) r.report.checkpoint_lsn = entry.lsn;
    }
    rebuild_reader(r);
    return r;
  }

  // What reader_from_checkpoint() returns over `r.entries` (tests that edit the entries call
  // it again, so only the edit itself is wrong).
  static void rebuild_reader(Recovery& r) {
    std::vector<RecoveredEntry> from_checkpoint;
    for (const RecoveredEntry& entry : r.entries) {
      if (entry.lsn >= r.report.checkpoint_lsn) from_checkpoint.push_back(entry);
    }
    r.from_checkpoint = from_checkpoint;
  }

  static std::vector<Lsn> through(Lsn last, Lsn first = 1) {
    std::vector<Lsn> lsns;
    for (Lsn lsn = first; lsn <= last; ++lsn) lsns.push_back(lsn);
    return lsns;
  }

  CheckResult check_recovery(const Recovery& recovery, std::vector<Recovery> repeats = {}) {
    CheckInput input;
    input.oracle = &oracle_;
    input.mode = mode_;
    input.recovery = &recovery;
    input.repeats = std::move(repeats);
    input.step = ++step_;
    return check(input);
  }

  CheckResult crash_and_check(const Recovery& recovery) {
    oracle_.crash(++step_);
    return check_recovery(recovery);
  }

  static std::set<std::string> violated(const CheckResult& result) {
    std::set<std::string> names;
    for (Invariant invariant : result.violated()) names.emplace(to_string(invariant));
    return names;
  }

  static bool mentions(const CheckResult& result, Invariant invariant, const std::string& text) {
    for (const Violation& v : result[invariant].violations) {
      if (v.message.find(text) != std::string::npos) return true;
    }
    return false;
  }

  static constexpr std::uint64_t kSeed = 77;
  Oracle oracle_;
  wal::RecoveryMode mode_ = wal::RecoveryMode::kTolerateTail;
  Lsn next_lsn_ = 1;
  std::uint32_t op_ = 0;
  std::uint64_t step_ = 0;
};

using Names = std::set<std::string>;

TEST_F(InvariantsTest, InvariantNamesAreTheContractNames) {
  EXPECT_EQ(to_string(Invariant::kDurability), "durability");
  EXPECT_EQ(to_string(Invariant::kAtomicBatch), "atomic-batch");
  EXPECT_EQ(to_string(Invariant::kNoLeak), "no-leak");
  for (std::size_t i = 0; i < kInvariantCount; ++i) {
    const auto invariant = static_cast<Invariant>(i);
    EXPECT_EQ(parse_invariant(to_string(invariant)), invariant);
  }
  EXPECT_FALSE(parse_invariant("durable").has_value());
}

TEST_F(InvariantsTest, EveryValidCutOfThePendingTailPasses) {
  // Durable entries, then any prefix of the pending ones that does not split a batch.
  for (Lsn last : {8u, 9u, 12u, 13u}) {
    Oracle saved = oracle_;
    const CheckResult result = crash_and_check(recovery_of(through(last)));
    EXPECT_TRUE(result.passed()) << "through " << last << ":\n" << result.summary();
    for (Invariant invariant :
         {Invariant::kDurability, Invariant::kPrefix, Invariant::kIntegrity,
          Invariant::kAtomicBatch, Invariant::kLsnContinuity, Invariant::kCheckpoint,
          Invariant::kErrorHonesty, Invariant::kCorruptionDetected}) {
      EXPECT_TRUE(result[invariant].checked) << to_string(invariant);
    }
    oracle_ = saved;
  }
}

TEST_F(InvariantsTest, LostDurableEntryFiresDurability) {
  const CheckResult result = crash_and_check(recovery_of(through(7)));
  EXPECT_TRUE(result[Invariant::kDurability].violated());
  EXPECT_TRUE(mentions(result, Invariant::kDurability, "LSN 8"));
  EXPECT_TRUE(mentions(result, Invariant::kDurability, "acknowledged durable"));
  EXPECT_TRUE(result[Invariant::kAtomicBatch].violated());  // 6-7 without 8
}

TEST_F(InvariantsTest, GapFiresPrefixAndDurabilityAndCheckpoint) {
  std::vector<Lsn> lsns = through(9);
  lsns.erase(lsns.begin() + 4);  // LSN 5, the checkpoint
  const CheckResult result = crash_and_check(recovery_of(lsns));
  EXPECT_EQ(violated(result), (Names{"durability", "prefix", "checkpoint"}));
  EXPECT_TRUE(mentions(result, Invariant::kPrefix, "gap: LSN 5 missing between"));
}

TEST_F(InvariantsTest, MissingPendingEntryInTheMiddleIsAGapNotALoss) {
  std::vector<Lsn> lsns = through(13);
  lsns.erase(lsns.begin() + 8);  // LSN 9, pending
  const CheckResult result = crash_and_check(recovery_of(lsns));
  EXPECT_EQ(violated(result), (Names{"prefix"}));
}

TEST_F(InvariantsTest, DuplicateFiresPrefix) {
  Recovery r = recovery_of(through(9));
  r.entries.insert(r.entries.begin() + 8, r.entries[7]);  // LSN 8 twice
  rebuild_reader(r);
  const CheckResult result = crash_and_check(r);
  EXPECT_EQ(violated(result), (Names{"prefix"}));
  EXPECT_TRUE(mentions(result, Invariant::kPrefix, "duplicate LSN 8"));
}

TEST_F(InvariantsTest, ReorderFiresPrefix) {
  Recovery r = recovery_of(through(9));
  std::swap(r.entries[1], r.entries[2]);
  const CheckResult result = crash_and_check(r);
  EXPECT_TRUE(mentions(result, Invariant::kPrefix, "out of order"));
}

TEST_F(InvariantsTest, PhantomFiresPrefix) {
  Recovery r = recovery_of(through(13));
  RecoveredEntry phantom = r.entries.back();
  phantom.lsn = 14;
  r.entries.push_back(phantom);
  r.report.last_good_lsn = 14;
  r.next_lsn = 15;
  rebuild_reader(r);
  const CheckResult result = crash_and_check(r);
  EXPECT_EQ(violated(result), (Names{"prefix"}));
  EXPECT_TRUE(mentions(result, Invariant::kPrefix, "phantom LSN 14"));
}

TEST_F(InvariantsTest, CorruptedPayloadFiresIntegrityWithBothFingerprints) {
  Recovery r = recovery_of(through(9));
  r.entries[2].fingerprint ^= 1;
  const CheckResult result = crash_and_check(r);
  EXPECT_EQ(violated(result), (Names{"integrity"}));
  const std::string& message = result[Invariant::kIntegrity].violations.at(0).message;
  EXPECT_NE(message.find("LSN 3"), std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("{:#018x}", oracle_.find(3)->fingerprint)),
            std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("{:#018x}", r.entries[2].fingerprint)), std::string::npos)
      << message;
  EXPECT_NE(message.find("trace step"), std::string::npos) << message;
}

TEST_F(InvariantsTest, MisplacedPayloadNamesItsRealOwner) {
  Recovery r = recovery_of(through(9));
  RecoveredEntry moved = r.entries[3];  // LSN 4's payload
  moved.lsn = 3;
  r.entries[2] = moved;
  const CheckResult result = crash_and_check(r);
  EXPECT_TRUE(mentions(result, Invariant::kIntegrity, "payload of writer 0 op 3 part 0 issued at LSN 4"));
}

TEST_F(InvariantsTest, WrongEntryTypeFiresIntegrity) {
  Recovery r = recovery_of(through(9));
  r.entries[5].type = EntryType::kData;  // LSN 6 is a batch entry
  EXPECT_TRUE(crash_and_check(r)[Invariant::kIntegrity].violated());
}

TEST_F(InvariantsTest, HalfPendingBatchFiresAtomicBatch) {
  const CheckResult result = crash_and_check(recovery_of(through(11)));
  EXPECT_EQ(violated(result), (Names{"atomic-batch"}));
  EXPECT_TRUE(mentions(result, Invariant::kAtomicBatch, "LSNs 10..12"));
}

TEST_F(InvariantsTest, ReusedLsnAfterReopenFiresLsnContinuity) {
  Recovery r = recovery_of(through(9));
  r.next_lsn = 8;
  const CheckResult result = crash_and_check(r);
  EXPECT_EQ(violated(result), (Names{"lsn-continuity"}));
  EXPECT_TRUE(mentions(result, Invariant::kLsnContinuity, "reusing durable LSN"));
}

TEST_F(InvariantsTest, SkippedNextLsnAndWrongReportFireLsnContinuity) {
  Recovery r = recovery_of(through(9));
  r.next_lsn = 11;
  r.report.last_good_lsn = 13;
  const CheckResult result = crash_and_check(r);
  EXPECT_EQ(result[Invariant::kLsnContinuity].violations.size(), 2u);
}

TEST_F(InvariantsTest, LsnHandedOutTwiceFiresLsnContinuity) {
  const std::uint64_t call = oracle_.begin(CallKind::kAppend, 0, 99, ++step_);
  oracle_.issue(call, 12, EntryType::kData, next_payload(0), PayloadId{0, 99, 0}, ++step_);
  oracle_.end(call, wal::Status::ok(), ++step_);
  const CheckResult result = crash_and_check(recovery_of(through(13)));
  EXPECT_TRUE(mentions(result, Invariant::kLsnContinuity, "handed LSN 12, expected 14 (reused)"));
}

TEST_F(InvariantsTest, MissingCheckpointFromTheReaderFiresCheckpoint) {
  Recovery r = recovery_of(through(9));
  r.from_checkpoint->erase(r.from_checkpoint->begin());  // starts at 6, not at the checkpoint
  const CheckResult result = crash_and_check(r);
  EXPECT_EQ(violated(result), (Names{"checkpoint"}));
}

TEST_F(InvariantsTest, ReportWithoutTheCheckpointFiresCheckpoint) {
  Recovery r = recovery_of(through(9));
  r.report.checkpoint_lsn = wal::kNoLsn;
  EXPECT_EQ(violated(crash_and_check(r)), (Names{"checkpoint"}));
}

TEST_F(InvariantsTest, SuccessAfterFailedFsyncFiresErrorHonesty) {
  const std::uint64_t call = oracle_.begin(CallKind::kSync, 0, 50, ++step_, {13, 13});
  oracle_.fault(FaultKind::kFsyncEio, ++step_, "00000000000000000001.wal");
  oracle_.end(call, wal::Status::ok(), ++step_);  // the WAL believed the retry
  oracle_.observe_durable(13, ++step_);
  CheckInput input;
  input.oracle = &oracle_;
  const CheckResult result = check(input);
  EXPECT_EQ(violated(result), (Names{"error-honesty"}));
  EXPECT_TRUE(mentions(result, Invariant::kErrorHonesty, "sync #"));
  EXPECT_TRUE(mentions(result, Invariant::kErrorHonesty, "fsync_eio"));
  EXPECT_TRUE(mentions(result, Invariant::kErrorHonesty, "durable_lsn advanced to 13"));
}

TEST_F(InvariantsTest, ASyncBegunBeforeAFailedWriteMayCompleteButNotBeyondItsTarget) {
  // Entries up to 8 are with the OS and their fdatasync is in flight when a later write fails:
  // that fdatasync succeeding makes 8 durable, honestly; 9 was in the failed write.
  const std::uint64_t waiter = oracle_.begin(CallKind::kSync, 0, 50, ++step_, {8, 8});
  oracle_.sync_started(8, ++step_);
  oracle_.fault(FaultKind::kWriteEio, ++step_, "00000000000000000001.wal");
  oracle_.observe_durable(8, ++step_);
  oracle_.end(waiter, wal::Status::ok(), ++step_);
  CheckInput input;
  input.oracle = &oracle_;
  EXPECT_TRUE(check(input).passed()) << check(input).summary();

  oracle_.observe_durable(9, ++step_);
  const CheckResult result = check(input);
  EXPECT_EQ(violated(result), (Names{"error-honesty"}));
  EXPECT_TRUE(mentions(result, Invariant::kErrorHonesty, "durable_lsn advanced to 9"));
}

// A sync begun before any LSN was handed out promises nothing: its OK after another writer's
// failed fsync is honest (swarm media seed 45767). One begun after the failure is not.
TEST_F(InvariantsTest, ASyncWithNothingToSyncBegunBeforeAFailureMayReturnOk) {
  const std::uint64_t early = oracle_.begin(CallKind::kSync, 0, 50, ++step_);
  oracle_.fault(FaultKind::kFsyncEio, ++step_, "00000000000000000002.wal.tmp");
  oracle_.end(early, wal::Status::ok(), ++step_);
  CheckInput input;
  input.oracle = &oracle_;
  EXPECT_TRUE(check(input).passed()) << check(input).summary();

  const std::uint64_t late = oracle_.begin(CallKind::kSync, 0, 51, ++step_);
  oracle_.end(late, wal::Status::ok(), ++step_);
  EXPECT_TRUE(mentions(check(input), Invariant::kErrorHonesty, "sync #"));
}

TEST_F(InvariantsTest, CallSucceedingWhilePoisonedFiresErrorHonesty) {
  const std::uint64_t sync = oracle_.begin(CallKind::kSync, 0, 50, ++step_);
  oracle_.fault(FaultKind::kWriteEio, ++step_, "00000000000000000001.wal");
  oracle_.end(sync, wal::Status::io_error("write").mark_injected(), ++step_);
  append(EntryType::kData);  // OK although the log must be poisoned
  CheckInput input;
  input.oracle = &oracle_;
  EXPECT_TRUE(mentions(check(input), Invariant::kErrorHonesty, "append #"));
}

TEST_F(InvariantsTest, FailingUntilReopenThenSucceedingIsHonest) {
  const std::uint64_t sync = oracle_.begin(CallKind::kSync, 0, 50, ++step_);
  oracle_.fault(FaultKind::kFsyncEio, ++step_, "00000000000000000001.wal");
  oracle_.end(sync, wal::Status::io_error("fdatasync").mark_injected(), ++step_);
  append(EntryType::kData, wal::Status::poisoned("earlier fdatasync failed"));
  oracle_.observe_durable(8, ++step_);  // unchanged watermark: fine
  const std::uint64_t close = oracle_.begin(CallKind::kClose, 0, 0, ++step_);
  oracle_.end(close, wal::Status::poisoned("poisoned"), ++step_);
  open();
  append(EntryType::kData);
  CheckInput input;
  input.oracle = &oracle_;
  const CheckResult result = check(input);
  EXPECT_TRUE(result.passed()) << result.summary();
  EXPECT_TRUE(result[Invariant::kErrorHonesty].checked);
}

TEST_F(InvariantsTest, EnospcPoisoningAPreallocatedLogFiresErrorHonesty) {
  const std::uint64_t refused = oracle_.begin(CallKind::kAppend, 0, 50, ++step_);
  oracle_.fault(FaultKind::kNoSpace, ++step_, "00000000000000000009.wal.tmp");
  oracle_.end(refused, wal::Status::no_space("fallocate").mark_injected(), ++step_);
  append(EntryType::kData, wal::Status::poisoned("the full disk poisoned the log"));
  CheckInput input;
  input.oracle = &oracle_;
  // Without preallocation a full disk may surface mid-record: the log must then be poisoned.
  EXPECT_TRUE(check(input).passed()) << check(input).summary();
  oracle_.set_preallocated(true);
  const CheckResult result = check(input);
  EXPECT_EQ(violated(result), (Names{"error-honesty"}));
  EXPECT_TRUE(mentions(result, Invariant::kErrorHonesty, "enospc_after_bytes"));
}

TEST_F(InvariantsTest, EnospcFailingOnlyItsCallIsHonest) {
  oracle_.set_preallocated(true);
  const std::uint64_t refused = oracle_.begin(CallKind::kAppend, 0, 50, ++step_);
  oracle_.fault(FaultKind::kNoSpace, ++step_, "00000000000000000009.wal.tmp");
  oracle_.end(refused, wal::Status::no_space("fallocate").mark_injected(), ++step_);
  append(EntryType::kData);
  CheckInput input;
  input.oracle = &oracle_;
  EXPECT_TRUE(check(input).passed()) << check(input).summary();
}

TEST_F(InvariantsTest, DamageSilentlySkippedFiresCorruptionDetected) {
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @300");
  std::vector<Lsn> lsns = through(9);
  lsns.erase(lsns.begin() + 2);  // LSN 3 skipped, nothing reported
  const CheckResult result = crash_and_check(recovery_of(lsns));
  EXPECT_TRUE(result[Invariant::kCorruptionDetected].violated());
  EXPECT_TRUE(mentions(result, Invariant::kCorruptionDetected, "LSN 3"));
  EXPECT_TRUE(mentions(result, Invariant::kCorruptionDetected, "a clean log"));
  EXPECT_TRUE(result[Invariant::kDurability].violated());
}

TEST_F(InvariantsTest, MidLogDamageCalledATornTailIsNotExcused) {
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @300");
  Recovery r = recovery_of(through(2));
  r.report.torn_tail = true;
  r.report.damage.push_back(
      wal::DamagedRange{"00000000000000000001.wal", 300, 1000, 3, wal::DamageKind::kTornTail, "torn"});
  const CheckResult result = crash_and_check(r);
  EXPECT_TRUE(mentions(result, Invariant::kCorruptionDetected, "only a torn tail"));
  EXPECT_TRUE(result[Invariant::kDurability].violated());
}

// Point-in-time keeps nothing from the first damaged record on. An earlier recovery of the
// image may have cut there durably and then failed, so the judged one sees only a torn tail at
// the record the bit flip hit (swarm media seed 3040623): the oracle's own record of the hit
// excuses LSN 3 on. The same report with the flip known to hit nothing, or under tolerate-tail,
// is still a loss.
TEST_F(InvariantsTest, PointInTimeMayLoseFromTheRecordInjectedDamageHit) {
  Recovery r = recovery_of(through(2));
  r.report.torn_tail = true;
  r.report.damage.push_back(
      wal::DamagedRange{"00000000000000000001.wal", 300, 1000, 3, wal::DamageKind::kTornTail, "torn"});
  const Oracle before = oracle_;
  mode_ = wal::RecoveryMode::kPointInTime;
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @300",
                wal::LsnRange{3, 3});
  const CheckResult hit = crash_and_check(r);
  EXPECT_FALSE(hit[Invariant::kDurability].violated()) << hit.summary();
  oracle_ = before;
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @300");
  EXPECT_TRUE(crash_and_check(r)[Invariant::kDurability].violated());
  oracle_ = before;
  mode_ = wal::RecoveryMode::kTolerateTail;
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @300",
                wal::LsnRange{3, 3});
  EXPECT_TRUE(crash_and_check(r)[Invariant::kDurability].violated());
}

// False positive 7 of docs/bug-zoo.md. LSN 3 became durable before the checkpoint (LSN 5) and
// the batch (6-8) were issued, so their durable hints prove it. Injected damage that hit LSN 3
// and every one of its proofs leaves the WAL no proof to see: a torn tail at LSN 3 is honest.
TEST_F(InvariantsTest, ATornTailWhoseEveryProofInjectedDamageHitIsExcused) {
  Recovery r = recovery_of(through(2));
  r.report.torn_tail = true;
  r.report.damage.push_back(wal::DamagedRange{"00000000000000000001.wal", 300, 1000, 3,
                                              wal::DamageKind::kTornTail, "torn"});
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @300",
                wal::LsnRange{3, 3});
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @560",
                wal::LsnRange{5, 5});
  oracle_.fault(FaultKind::kLatentSector, ++step_, "00000000000000000001.wal @512+512",
                wal::LsnRange{6, 8});
  const CheckResult result = crash_and_check(r);
  EXPECT_TRUE(result.passed()) << result.summary();
}

// The same damage pattern with one proof left intact, or with the second hit on a record that
// proves nothing (LSN 4 was issued before LSN 3 was durable; 9-13 are pending): LSN 3 is still
// proven, and the torn tail is a loss. The hits excuse no record they did not hit.
TEST_F(InvariantsTest, ATornTailWithAnIntactProofIsALossWhateverElseDamageHit) {
  Recovery r = recovery_of(through(2));
  r.report.torn_tail = true;
  r.report.damage.push_back(wal::DamagedRange{"00000000000000000001.wal", 300, 1000, 3,
                                              wal::DamageKind::kTornTail, "torn"});
  const std::vector<std::vector<wal::LsnRange>> patterns = {
      {{5, 5}}, {{6, 8}}, {{4, 4}}, {{9, 13}}, {{4, 4}, {9, 13}}, {{4, 5}}};
  for (const std::vector<wal::LsnRange>& others : patterns) {
    const Oracle before = oracle_;
    oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @300",
                  wal::LsnRange{3, 3});
    std::string hits = "3..3";
    for (const wal::LsnRange& other : others) {
      oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal", other);
      hits += fmt::format(", {}..{}", other.first, other.last);
    }
    const CheckResult result = crash_and_check(r);
    EXPECT_TRUE(mentions(result, Invariant::kDurability, "LSN 3 ")) << hits << "\n"
                                                                     << result.summary();
    EXPECT_TRUE(result[Invariant::kCorruptionDetected].violated()) << hits;
    oracle_ = before;
  }
}

TEST_F(InvariantsTest, DamageToTheLastDurableRecordsMayReadAsATornTail) {
  // The batch 6-8 is the last durable data: no record written after it became durable could
  // prove it was synced, so a bit flip there is indistinguishable from a torn write.
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @700");
  Recovery r = recovery_of(through(5));
  r.report.torn_tail = true;
  r.report.damage.push_back(
      wal::DamagedRange{"00000000000000000001.wal", 700, 400, 6, wal::DamageKind::kTornTail, "torn"});
  const CheckResult result = crash_and_check(r);
  EXPECT_TRUE(result.passed()) << result.summary();
}

TEST_F(InvariantsTest, AMisdirectedLastRecordMayReadAsACleanEnd) {
  // The write of the last durable batch went elsewhere: zeros where it belonged, which any
  // reader takes for the end of the log (soak: misdirected-write-absolute seed 1756).
  oracle_.fault(FaultKind::kMisdirectedWrite, ++step_, "00000000000000000001.wal @700");
  const CheckResult result = crash_and_check(recovery_of(through(5)));
  EXPECT_TRUE(result.passed()) << result.summary();
}

TEST_F(InvariantsTest, ACleanEndBeforeProvenDurableEntriesIsStillALoss) {
  // LSN 3 was durable before later durable records were written: they prove it was synced,
  // so a clean end after LSN 2 is a loss even with media damage injected.
  oracle_.fault(FaultKind::kMisdirectedWrite, ++step_, "00000000000000000001.wal @300");
  const CheckResult result = crash_and_check(recovery_of(through(2)));
  EXPECT_TRUE(result[Invariant::kDurability].violated()) << result.summary();
  EXPECT_TRUE(mentions(result, Invariant::kDurability, "LSN 3"));
}

TEST_F(InvariantsTest, ReportedDamageExcusesTheDamagedEntries) {
  mode_ = wal::RecoveryMode::kSkipCorrupted;
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @300");
  std::vector<Lsn> lsns = through(9);
  lsns.erase(lsns.begin() + 2);
  Recovery r = recovery_of(lsns);
  r.report.damage.push_back(wal::DamagedRange{"00000000000000000001.wal", 300, 40, 3,
                                              wal::DamageKind::kBadChecksum, "bad crc"});
  const CheckResult result = crash_and_check(r);
  EXPECT_TRUE(result.passed()) << result.summary();
}

TEST_F(InvariantsTest, ReportedDamageExcusesNothingWhenNothingWasInjected) {
  std::vector<Lsn> lsns = through(9);
  lsns.erase(lsns.begin() + 2);
  Recovery r = recovery_of(lsns);
  r.report.damage.push_back(wal::DamagedRange{"00000000000000000001.wal", 300, 40, 3,
                                              wal::DamageKind::kBadChecksum, "bad crc"});
  const CheckResult result = crash_and_check(r);
  EXPECT_TRUE(result[Invariant::kDurability].violated());
  EXPECT_TRUE(result[Invariant::kPrefix].violated());
}

TEST_F(InvariantsTest, DamagedDataReturnedAsValidFiresCorruptionDetected) {
  oracle_.fault(FaultKind::kBitFlip, ++step_, "00000000000000000001.wal @300");
  Recovery r = recovery_of(through(9));
  r.entries[2].fingerprint ^= 4;
  const CheckResult result = crash_and_check(r);
  EXPECT_TRUE(mentions(result, Invariant::kCorruptionDetected, "returned as valid at LSN 3"));
  EXPECT_TRUE(result[Invariant::kIntegrity].violated());
}

TEST_F(InvariantsTest, AbsoluteModeMayRefuseDamageButNotOpenDespiteIt) {
  mode_ = wal::RecoveryMode::kAbsolute;
  oracle_.fault(FaultKind::kLatentSector, ++step_, "00000000000000000001.wal @0");
  Recovery refused;
  refused.open_status = wal::Status::corruption("bad checksum at LSN 3");
  oracle_.crash(++step_);
  EXPECT_TRUE(check_recovery(refused).passed());
  Recovery opened = recovery_of(through(9));
  opened.report.damage.push_back(wal::DamagedRange{"00000000000000000001.wal", 300, 40, 3,
                                                   wal::DamageKind::kUnreadable, "EIO"});
  EXPECT_TRUE(mentions(check_recovery(opened), Invariant::kCorruptionDetected,
                       "absolute mode opened despite"));
}

TEST_F(InvariantsTest, OpenFailingWithoutInjectedCauseFiresDurability) {
  Recovery failed;
  failed.open_status = wal::Status::io_error("open segment");
  EXPECT_EQ(violated(crash_and_check(failed)), (Names{"durability"}));
}

TEST_F(InvariantsTest, OpenFailingOnAnInjectedErrorIsHonest) {
  Recovery failed;
  failed.open_status = wal::Status::io_error("read").mark_injected();
  EXPECT_TRUE(crash_and_check(failed).passed());
}

TEST_F(InvariantsTest, LeakedHandleFiresNoLeak) {
  CheckInput input;
  input.oracle = &oracle_;
  EXPECT_FALSE(check(input)[Invariant::kNoLeak].checked);
  input.open_handles_after_close = 0;
  EXPECT_TRUE(check(input)[Invariant::kNoLeak].checked);
  EXPECT_TRUE(check(input).passed());
  input.open_handles_after_close = 2;
  EXPECT_TRUE(mentions(check(input), Invariant::kNoLeak, "2 file handle(s) still open"));
}

TEST_F(InvariantsTest, SecondRecoveryThatDiffersFiresIdempotentRecovery) {
  oracle_.crash(++step_);
  const Recovery first = recovery_of(through(9));
  const CheckResult same = check_recovery(first, {recovery_of(through(9))});
  EXPECT_TRUE(same.passed()) << same.summary();
  EXPECT_TRUE(same[Invariant::kIdempotentRecovery].checked);
  const CheckResult shorter = check_recovery(first, {recovery_of(through(8))});
  EXPECT_EQ(violated(shorter), (Names{"idempotent-recovery"}));
  Recovery altered = recovery_of(through(9));
  altered.entries[4].fingerprint ^= 1;
  EXPECT_TRUE(mentions(check_recovery(first, {altered}), Invariant::kIdempotentRecovery,
                       "differs at entry 4"));
}

TEST_F(InvariantsTest, RepeatThatAnInjectedFaultStoppedIsNotCompared) {
  oracle_.crash(++step_);
  Recovery stopped;
  stopped.open_status = wal::Status::io_error("fdatasync").mark_injected();
  EXPECT_TRUE(check_recovery(recovery_of(through(9)), {stopped}).passed());
  stopped.open_status = wal::Status::io_error("fdatasync");
  EXPECT_TRUE(check_recovery(recovery_of(through(9)), {stopped})[Invariant::kIdempotentRecovery]
                  .violated());
}

TEST_F(InvariantsTest, TruncatedFrontIsExcusedButAnUntruncatedOneIsNot) {
  const CheckResult untruncated = crash_and_check(recovery_of(through(9, 5)));
  EXPECT_TRUE(untruncated[Invariant::kPrefix].violated());
  EXPECT_TRUE(untruncated[Invariant::kDurability].violated());

  const std::uint64_t call = oracle_.begin(CallKind::kTruncate, 0, 60, ++step_, {5, 5});
  oracle_.end(call, wal::Status::ok(), ++step_);
  const CheckResult truncated = check_recovery(recovery_of(through(9, 5)));
  EXPECT_TRUE(truncated.passed()) << truncated.summary();
}

// Retention with no durable checkpoint yet may drop any prefix of the log, never a middle.
TEST(RetentionExcuses, WithoutADurableCheckpointAnyPrefixMayGoButNotAMiddle) {
  Oracle oracle;
  std::uint64_t step = 0;
  const std::uint64_t open = oracle.begin(CallKind::kOpen, 0, 0, ++step);
  oracle.end(open, wal::Status::ok(), ++step);
  for (std::uint32_t op = 0; op < 6; ++op) {
    const std::uint64_t call = oracle.begin(CallKind::kAppend, 0, op, ++step);
    const PayloadId id{0, op, 0};
    oracle.issue(call, op + 1, EntryType::kData, make_payload(5, id, 40), id, ++step);
    oracle.end(call, wal::Status::ok(), ++step);
  }
  oracle.observe_durable(6, ++step);
  oracle.crash(++step);
  auto recovery_of = [&](const std::vector<Lsn>& lsns) {
    Recovery r;
    for (Lsn lsn : lsns) {
      const Expected& e = *oracle.find(lsn);
      r.entries.push_back(RecoveredEntry{e.lsn, e.type, e.size_bytes, e.fingerprint, e.id});
    }
    r.report.last_good_lsn = lsns.back();
    r.next_lsn = lsns.back() + 1;
    return r;
  };
  auto judged = [&](const Recovery& r, bool retention) {
    CheckInput input;
    input.oracle = &oracle;
    input.retention = retention;
    input.recovery = &r;
    return check(input);
  };
  const Recovery suffix = recovery_of({4, 5, 6});
  EXPECT_TRUE(judged(suffix, true).passed()) << judged(suffix, true).summary();
  EXPECT_TRUE(judged(suffix, false)[Invariant::kDurability].violated());
  const CheckResult middle = judged(recovery_of({4, 6}), true);
  EXPECT_TRUE(middle[Invariant::kPrefix].violated());
  EXPECT_TRUE(middle[Invariant::kDurability].violated());
}

TEST_F(InvariantsTest, CleanReopenOwesEveryIssuedEntry) {
  // No power loss: even pending entries must come back.
  const CheckResult result = check_recovery(recovery_of(through(12)));
  EXPECT_TRUE(mentions(result, Invariant::kDurability, "LSN 13"));
  EXPECT_TRUE(mentions(result, Invariant::kDurability, "no power loss"));
  EXPECT_TRUE(check_recovery(recovery_of(through(13))).passed());
}

TEST_F(InvariantsTest, RebaseMakesTheRecoveredLogTheNewTruth) {
  oracle_.crash(++step_);
  const Recovery first = recovery_of(through(9));
  ASSERT_TRUE(check_recovery(first).passed());
  std::vector<Oracle::Recovered> kept;
  for (const RecoveredEntry& entry : first.entries) kept.push_back({entry.lsn, entry.type});
  oracle_.rebase(kept, /*after_crash=*/true);
  EXPECT_EQ(oracle_.last_issued(), 9u);
  EXPECT_EQ(oracle_.durable_lsn(), 9u);  // the crash image is the media now
  open();
  next_lsn_ = 10;
  append(EntryType::kData);  // LSN 10 again, a new entry: not a reuse
  EXPECT_TRUE(oracle_.issue_anomalies().empty());
  // LSN 9 survived the first crash, so losing it in the second is a durability violation.
  const CheckResult second = crash_and_check(recovery_of(through(8)));
  EXPECT_TRUE(mentions(second, Invariant::kDurability, "LSN 9"));
  EXPECT_TRUE(crash_and_check(recovery_of(through(9))).passed());
}

TEST_F(InvariantsTest, ViolationMessagesAreCappedPerInvariant) {
  const CheckResult result = check_recovery(recovery_of({}));  // clean reopen: 13 owed
  const InvariantVerdict& durability = result[Invariant::kDurability];
  ASSERT_EQ(durability.violations.size(), 8u + 1u);
  EXPECT_TRUE(mentions(result, Invariant::kDurability, "... and"));
}

}  // namespace
}  // namespace harness
