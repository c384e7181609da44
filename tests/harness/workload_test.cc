#include <gtest/gtest.h>

#include "sim/harness/workload.h"

namespace harness {
namespace {

WorkloadConfig mixed() {
  WorkloadConfig config;
  config.writers = 3;
  config.ops = 300;
  config.entry_bytes_min = 1;
  config.entry_bytes_max = 64;
  config.batch_ratio = {1, 5};
  config.sync_ratio = {1, 10};
  config.read_ratio = {1, 10};
  config.truncate_ratio = {1, 20};
  config.reopen_ratio = {1, 50};
  config.checkpoint_every = 25;
  return config;
}

bool same(const Workload& a, const Workload& b) {
  if (a.writers.size() != b.writers.size()) return false;
  for (std::size_t w = 0; w < a.writers.size(); ++w) {
    if (a.writers[w].size() != b.writers[w].size()) return false;
    for (std::size_t i = 0; i < a.writers[w].size(); ++i) {
      const Op& x = a.writers[w][i];
      const Op& y = b.writers[w][i];
      if (x.kind != y.kind || x.index != y.index || x.entry_bytes != y.entry_bytes ||
          x.position_ppm != y.position_ppm) {
        return false;
      }
    }
  }
  return true;
}

TEST(WorkloadTest, SameSeedSameWorkloadDifferentSeedDifferent) {
  EXPECT_TRUE(same(make_workload(5, mixed()), make_workload(5, mixed())));
  EXPECT_FALSE(same(make_workload(5, mixed()), make_workload(6, mixed())));
}

TEST(WorkloadTest, OpsAreDealtRoundRobinWithEveryKindAndSizesInRange) {
  const Workload workload = make_workload(11, mixed());
  EXPECT_EQ(workload.total_ops(), 300u);
  int kinds[7] = {};
  for (std::uint32_t w = 0; w < 3; ++w) {
    ASSERT_EQ(workload.writers[w].size(), 100u);
    for (const Op& op : workload.writers[w]) {
      EXPECT_EQ(op.writer, w);
      EXPECT_EQ(op.index % 3, w);
      ++kinds[static_cast<int>(op.kind)];
      for (std::uint32_t bytes : op.entry_bytes) {
        EXPECT_GE(bytes, 1u);
        EXPECT_LE(bytes, 64u);
      }
      if (op.kind == OpKind::kBatch) {
        EXPECT_GE(op.entry_bytes.size(), 2u);
      }
      if (op.kind == OpKind::kCheckpoint) {
        EXPECT_EQ((op.index + 1) % 25, 0u);
      }
    }
  }
  for (int kind = 0; kind < 7; ++kind) EXPECT_GT(kinds[kind], 0) << to_string(OpKind(kind));
  EXPECT_EQ(kinds[static_cast<int>(OpKind::kCheckpoint)], 12);
}

TEST(WorkloadTest, ZeroRatiosGiveOnlyAppends) {
  WorkloadConfig config;
  config.ops = 50;
  const Workload workload = make_workload(1, config);
  for (const Op& op : workload.writers[0]) EXPECT_EQ(op.kind, OpKind::kAppend);
}

TEST(WorkloadTest, PayloadsRegenerateAndIdentifyThemselves) {
  const Workload workload = make_workload(9, mixed());
  const Op& op = workload.writers[1][3];
  const std::vector<std::byte> bytes = workload.payload(op, 0);
  EXPECT_EQ(bytes, workload.payload(op, 0));
  EXPECT_EQ(bytes.size(), op.entry_bytes[0]);
  const std::vector<std::byte> big = make_payload(9, PayloadId{1, 42, 3}, 100);
  ASSERT_TRUE(identify_payload(big).has_value());
  EXPECT_EQ(*identify_payload(big), (PayloadId{1, 42, 3}));
  EXPECT_FALSE(identify_payload(make_payload(9, PayloadId{1, 42, 3}, 5)).has_value());
  // Same identity under another seed: different bytes, so a stale run cannot pass for this one.
  EXPECT_NE(fingerprint(big), fingerprint(make_payload(10, PayloadId{1, 42, 3}, 100)));
  EXPECT_NE(fingerprint(big), fingerprint(make_payload(9, PayloadId{1, 42, 4}, 100)));
}

TEST(WorkloadTest, FingerprintSeesEveryByteAndTheLength) {
  std::vector<std::byte> bytes = make_payload(1, PayloadId{0, 0, 0}, 37);
  const std::uint64_t base = fingerprint(bytes);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::vector<std::byte> flipped = bytes;
    flipped[i] ^= std::byte{0x10};
    EXPECT_NE(fingerprint(flipped), base) << i;
  }
  std::vector<std::byte> longer = bytes;
  longer.push_back(std::byte{0});
  EXPECT_NE(fingerprint(longer), base);
}

}  // namespace
}  // namespace harness
