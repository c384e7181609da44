#include <gtest/gtest.h>

#include "sim/harness/oracle.h"

namespace harness {
namespace {

using wal::EntryType;

class OracleTest : public ::testing::Test {
 protected:
  std::uint64_t append(wal::Lsn lsn, std::uint32_t op, bool finish = true) {
    const std::uint64_t call = oracle_.begin(CallKind::kAppend, 0, op, ++step_);
    const PayloadId id{0, op, 0};
    oracle_.issue(call, lsn, EntryType::kData, make_payload(3, id, 30), id, ++step_);
    if (finish) oracle_.end(call, wal::Status::ok(), ++step_);
    return call;
  }

  Oracle oracle_;
  std::uint64_t step_ = 0;
};

TEST_F(OracleTest, EntriesArePendingUntilADurableObservationCoversThem) {
  oracle_.begin(CallKind::kOpen, 0, 0, ++step_);
  for (std::uint32_t i = 0; i < 5; ++i) append(i + 1, i);
  for (wal::Lsn lsn = 1; lsn <= 5; ++lsn) EXPECT_FALSE(oracle_.find(lsn)->durable);
  oracle_.observe_durable(3, 100);
  EXPECT_TRUE(oracle_.find(3)->durable);
  EXPECT_EQ(oracle_.find(3)->durable_step, 100u);
  EXPECT_FALSE(oracle_.find(4)->durable);
  oracle_.observe_durable(2, 101);  // an older watermark changes nothing
  EXPECT_EQ(oracle_.durable_lsn(), 3u);
  EXPECT_EQ(oracle_.find(1)->durable_step, 100u);
  EXPECT_EQ(oracle_.durable_observations().size(), 2u);
}

TEST_F(OracleTest, EntriesCarryFingerprintAndIdentity) {
  append(1, 7);
  const Expected* e = oracle_.find(1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->fingerprint, fingerprint(make_payload(3, PayloadId{0, 7, 0}, 30)));
  EXPECT_EQ(e->size_bytes, 30u);
  EXPECT_EQ(oracle_.find(PayloadId{0, 7, 0}), e);
  EXPECT_EQ(oracle_.find(PayloadId{0, 8, 0}), nullptr);
}

TEST_F(OracleTest, CrashLeavesUnfinishedCallsInFlightAtCrash) {
  append(1, 0);
  const std::uint64_t waiting = append(2, 1, /*finish=*/false);
  oracle_.crash(++step_);
  EXPECT_EQ(oracle_.call(waiting).state, CallState::kInFlightAtCrash);
  EXPECT_EQ(oracle_.call(0).state, CallState::kOk);
  EXPECT_TRUE(oracle_.power_lost());
}

TEST_F(OracleTest, FailedCallsKeepCodeAndInjectedFlag) {
  const std::uint64_t call = oracle_.begin(CallKind::kSync, 0, 0, ++step_);
  oracle_.end(call, wal::Status::io_error("fdatasync", 5).mark_injected(), ++step_);
  EXPECT_EQ(oracle_.call(call).state, CallState::kFailed);
  EXPECT_EQ(oracle_.call(call).code, wal::Code::kIoError);
  EXPECT_TRUE(oracle_.call(call).injected);
  EXPECT_FALSE(oracle_.call(call).error.empty());
}

TEST_F(OracleTest, TruncateAndFirstLsnExcuseTheFront) {
  oracle_.begin(CallKind::kTruncate, 0, 0, ++step_, {4, 4});
  EXPECT_EQ(oracle_.excused_below(), 4u);
  oracle_.observe_first_lsn(6);
  EXPECT_EQ(oracle_.excused_below(), 6u);
  oracle_.observe_first_lsn(2);
  EXPECT_EQ(oracle_.excused_below(), 6u);
}

TEST_F(OracleTest, TruncateExcusesNothingTheLastDurableCheckpointNeeds) {
  append(1, 0);
  const std::uint64_t call = oracle_.begin(CallKind::kCheckpoint, 0, 1, ++step_);
  const PayloadId id{0, 1, 0};
  oracle_.issue(call, 2, EntryType::kCheckpoint, make_payload(3, id, 30), id, ++step_);
  oracle_.end(call, wal::Status::ok(), ++step_);
  for (std::uint32_t i = 2; i < 6; ++i) append(i + 1, i);
  Oracle pending = oracle_;
  pending.begin(CallKind::kTruncate, 0, 6, ++step_, {5, 5});
  EXPECT_EQ(pending.excused_below(), 5u);  // the checkpoint is not durable: nothing to keep
  oracle_.observe_durable(4, ++step_);
  oracle_.begin(CallKind::kTruncate, 0, 6, ++step_, {5, 5});
  EXPECT_EQ(oracle_.excused_below(), 2u);  // the durable checkpoint at LSN 2 stays needed
  oracle_.begin(CallKind::kTruncate, 0, 7, ++step_, {1, 1});
  EXPECT_EQ(oracle_.excused_below(), 2u);
}

TEST_F(OracleTest, CleanRebaseKeepsPendingStateAndCrashRebaseMakesItDurable) {
  for (std::uint32_t i = 0; i < 4; ++i) append(i + 1, i);
  oracle_.observe_durable(2, ++step_);
  const std::vector<Oracle::Recovered> all = {{1, EntryType::kData}, {2, EntryType::kData},
                                              {3, EntryType::kData}, {4, EntryType::kData}};
  oracle_.rebase(all, /*after_crash=*/false);
  EXPECT_FALSE(oracle_.find(3)->durable);
  EXPECT_EQ(oracle_.durable_lsn(), 2u);
  oracle_.crash(++step_);
  const std::vector<Oracle::Recovered> three(all.begin(), all.begin() + 3);
  oracle_.rebase(three, /*after_crash=*/true);
  EXPECT_TRUE(oracle_.find(3)->durable);
  EXPECT_EQ(oracle_.find(4), nullptr);
  EXPECT_EQ(oracle_.last_issued(), 3u);
  EXPECT_FALSE(oracle_.power_lost());
}

TEST_F(OracleTest, SkippedOrReusedLsnsAreAnomalies) {
  append(1, 0);
  append(2, 1);
  append(2, 2);
  append(5, 3);
  ASSERT_EQ(oracle_.issue_anomalies().size(), 2u);
  EXPECT_EQ(oracle_.issue_anomalies()[0].lsn, 2u);
  EXPECT_EQ(oracle_.issue_anomalies()[0].expected_lsn, 3u);
  EXPECT_EQ(oracle_.issue_anomalies()[1].lsn, 5u);
  EXPECT_EQ(oracle_.find(2)->id.op, 1u);  // the first owner is kept
}

TEST_F(OracleTest, FaultClassesFollowTheSpec) {
  EXPECT_TRUE(poisons_log(FaultKind::kFsyncEio));
  EXPECT_TRUE(poisons_log(FaultKind::kWriteEio));
  EXPECT_FALSE(poisons_log(FaultKind::kReadEio));
  EXPECT_FALSE(poisons_log(FaultKind::kBitFlip));
  // A full disk poisons only where it refused a segment's own bytes (swarm seed 13985).
  Fault full;
  full.kind = FaultKind::kNoSpace;
  full.path = "/wal/00000000000000000003.wal";
  full.offset = 64;
  EXPECT_TRUE(poisons_log(full));
  full.path = "/wal/FRONT.tmp";
  full.offset = 0;
  EXPECT_FALSE(poisons_log(full));
  full.path = "/wal/spare-segment.tmp";
  full.offset = 64;  // a renamed spare keeps its handle's name
  EXPECT_TRUE(poisons_log(full));
  full.path = "/wal/spare-segment.tmp";
  full.offset = 0;  // a new segment's header: creation fails
  EXPECT_FALSE(poisons_log(full));
  full.path = "/wal/00000000000000000006.wal.tmp";
  full.offset = 0;
  EXPECT_FALSE(poisons_log(full));
  EXPECT_TRUE(is_media_damage(FaultKind::kMisdirectedWrite));
  EXPECT_FALSE(is_media_damage(FaultKind::kFsyncEio));
  EXPECT_EQ(to_string(FaultKind::kNoSpace), "enospc_after_bytes");
  EXPECT_FALSE(oracle_.media_damage_injected());
  oracle_.fault(FaultKind::kLatentSector, 1, "x");
  EXPECT_TRUE(oracle_.media_damage_injected());
}

}  // namespace
}  // namespace harness
