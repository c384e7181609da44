// The enumerator's counts on small cases checked by hand (see each comment).
#include "faults/crash_enumerator.h"

#include <gtest/gtest.h>

namespace faults {
namespace {

using sim::Bytes;

// "f" durably created and empty, then `writes` pending (offset, length) writes of non-zero bytes.
sim::SimFsState pending_writes(std::initializer_list<std::pair<std::uint64_t, std::uint64_t>> writes,
                               bool sync_dir = true) {
  sim::SimFs fs;
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  if (sync_dir) {
    EXPECT_TRUE(file->sync().is_ok());
    EXPECT_TRUE(fs.sync_dir("/").is_ok());
  }
  std::uint8_t fill = 1;
  for (auto [offset, length] : writes) {
    EXPECT_TRUE(file->write_at(offset, Bytes(length, std::byte{fill++})).is_ok());
  }
  return fs.state();
}

EnumerationResult count(const sim::SimFsState& state, CrashPolicy policy, bool atomic = true,
                        bool lose_dir_ops = true, std::uint64_t max_states = 10'000) {
  sim::DeviceModel device;
  device.atomic_sector = atomic;
  return enumerate_crash_states(state, device,
                                EnumerateOptions{policy, lose_dir_ops, max_states, 1'000'000});
}

TEST(CrashEnumerator, OneWriteOfTwoSectors) {
  const auto state = pending_writes({{0, 1024}});
  EXPECT_EQ(count(state, CrashPolicy::kDropUnsynced).distinct, 1u);
  EXPECT_EQ(count(state, CrashPolicy::kPrefix).distinct, 2u);   // lost, kept
  EXPECT_EQ(count(state, CrashPolicy::kReorder).distinct, 2u);  // lost, kept
  // Each sector written or not: {}, {0}, {1} (size 1024, zeros first), {0,1}.
  EXPECT_EQ(count(state, CrashPolicy::kTorn).distinct, 4u);
  EXPECT_EQ(count(state, CrashPolicy::kTorn).plans, 4u);
  // Per sector: none, whole, first half: 3 x 3, all different (sizes 0/256/512/768/1024 and
  // where the zeros are).
  EXPECT_EQ(count(state, CrashPolicy::kTorn, /*atomic=*/false).distinct, 9u);
  // Lost, kept, grown as zeros.
  EXPECT_EQ(count(state, CrashPolicy::kGarbageTail).distinct, 3u);
}

TEST(CrashEnumerator, TwoAppendedSectors) {
  const auto state = pending_writes({{0, 512}, {512, 512}});
  EXPECT_EQ(count(state, CrashPolicy::kPrefix).distinct, 3u);   // none, first, both
  EXPECT_EQ(count(state, CrashPolicy::kReorder).distinct, 4u);  // every subset
  EXPECT_EQ(count(state, CrashPolicy::kTorn).distinct, 4u);     // one sector each: as reorder
  // 3 x 3 plans; (garbage, garbage) == (lost, garbage): 1024 zeros, and (garbage, kept) ==
  // (lost, kept): zeros then the second write. 9 - 2 = 7.
  const EnumerationResult garbage = count(state, CrashPolicy::kGarbageTail);
  EXPECT_EQ(garbage.plans, 9u);
  EXPECT_EQ(garbage.distinct, 7u);
  EXPECT_TRUE(garbage.complete);
}

TEST(CrashEnumerator, UnsyncedCreateSurvivesOrNotPerOp) {
  const auto state = pending_writes({{0, 10}}, /*sync_dir=*/false);
  // Create lost (the data with it), or create kept with or without the data: 4 plans, 3 states.
  const EnumerationResult result = count(state, CrashPolicy::kReorder);
  EXPECT_EQ(result.plans, 4u);
  EXPECT_EQ(result.distinct, 3u);
  // Dir ops that cannot be lost: the file is always there, with or without its data.
  EXPECT_EQ(count(state, CrashPolicy::kReorder, true, /*lose_dir_ops=*/false).distinct, 2u);
  // drop-unsynced loses the create too: the empty root only.
  EXPECT_EQ(count(state, CrashPolicy::kDropUnsynced).distinct, 1u);
}

TEST(CrashEnumerator, ForcedOpsAreNotChoices) {
  sim::SimFs fs;
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, Bytes(10, std::byte{1})).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  ASSERT_TRUE(fs.sync_dir("/").is_ok());
  ASSERT_TRUE(file->truncate(4).is_ok());
  ASSERT_TRUE(file->write_at(6, Bytes(2, std::byte{2})).is_ok());
  ASSERT_TRUE(file->sync_data().is_ok());  // the write is forced, kept behind the truncate
  // Only the truncate is a choice: 2 states.
  const EnumerationResult result = count(fs.state(), CrashPolicy::kReorder);
  EXPECT_EQ(result.plans, 2u);
  EXPECT_EQ(result.distinct, 2u);
  EXPECT_EQ(count(fs.state(), CrashPolicy::kPrefix).distinct, 2u);
}

TEST(CrashEnumerator, StopsAtTheBoundAndSaysSo) {
  const auto state = pending_writes({{0, 1024}});
  const EnumerationResult result =
      count(state, CrashPolicy::kTorn, /*atomic=*/false, true, /*max_states=*/3);
  EXPECT_EQ(result.distinct, 3u);
  EXPECT_FALSE(result.complete);
}

TEST(CrashEnumerator, VisitsInADeterministicOrderAndCanBeStopped) {
  const auto state = pending_writes({{0, 700}, {700, 900}, {100, 50}});
  const auto order = [&] {
    std::vector<std::uint64_t> hashes;
    enumerate_crash_states(state, {}, EnumerateOptions{},
                           [&](const sim::SimFsState& after, const sim::CrashPlan&,
                               std::uint64_t hash) {
                             EXPECT_EQ(hash, sim::durable_hash(after));
                             hashes.push_back(hash);
                             return true;
                           });
    return hashes;
  };
  const auto first = order();
  EXPECT_EQ(first, order());
  EXPECT_GT(first.size(), 8u);
  int visited = 0;
  const EnumerationResult stopped = enumerate_crash_states(
      state, {}, EnumerateOptions{}, [&](const sim::SimFsState&, const sim::CrashPlan&, std::uint64_t) {
        return ++visited < 5;
      });
  EXPECT_EQ(stopped.distinct, 5u);
  EXPECT_FALSE(stopped.complete);
}

}  // namespace
}  // namespace faults
