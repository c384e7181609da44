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

// The first definition of make_payload, a byte at a time: the faster one must give the same
// bytes, which every durable-state hash in the golden files was built on.
std::uint64_t reference_mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::vector<std::byte> reference_payload(std::uint64_t seed, PayloadId id, std::uint32_t size) {
  std::vector<std::byte> bytes;
  bytes.push_back(std::byte{0xA5});
  for (int i = 0; i < 2; ++i) bytes.push_back(static_cast<std::byte>(id.writer >> (8 * i)));
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::byte>(id.op >> (8 * i)));
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::byte>(id.part >> (8 * i)));
  std::uint64_t state = reference_mix(id.op ^ reference_mix(id.part));
  state = reference_mix(seed ^ reference_mix(id.writer ^ state));
  while (bytes.size() < size) {
    state = reference_mix(state);
    for (int i = 0; i < 8 && bytes.size() < size; ++i) {
      bytes.push_back(static_cast<std::byte>(state >> (8 * i)));
    }
  }
  bytes.resize(size);
  return bytes;
}

TEST(WorkloadTest, PayloadsAreTheFirstDefinitionsBytes) {
  std::vector<std::uint32_t> sizes;
  for (std::uint32_t size = 0; size <= 80; ++size) sizes.push_back(size);
  for (std::uint32_t size : {127u, 128u, 129u, 1000u, 1024u, 4099u, 70000u}) sizes.push_back(size);
  for (std::uint32_t size : sizes) {
    const PayloadId id{size % 5, size * 7, size % 3};
    EXPECT_EQ(make_payload(size + 11, id, size), reference_payload(size + 11, id, size)) << size;
  }
}

// XXH3-64's published value of the empty input: the fingerprint is that function, on every
// machine.
TEST(WorkloadTest, FingerprintIsXxh3) {
  EXPECT_EQ(fingerprint({}), 0x2d06800538d394c2ull);
}

}  // namespace
}  // namespace harness
