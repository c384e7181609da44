// Aimed media damage (faults/media_aim.h): the layout read from a real log's durable image
// matches the records the WAL wrote, and aimed faults land only on those structural bytes,
// while uniform damage keeps drawing exactly what it drew before aiming existed.
#include "faults/media_aim.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include <wal/clock.h>
#include <wal/log_core.h>

#include "faults/media_faults.h"
#include "sim/crash_plan.h"
#include "sim/sim_fs.h"

namespace {

struct FixedClock final : wal::Clock {
  std::uint64_t now_us() override { return 0; }
};

// A durable log of `entries` entries of `bytes` bytes each, in 4 KiB segments.
void write_log(sim::SimFs& fs, int entries, std::size_t bytes) {
  fs.make_durable_dirs("/wal");
  FixedClock clock;
  wal::Options options;
  options.segment_bytes = 4096;
  options.salt = 7;
  options.sync = wal::SyncPolicy::kNone;
  auto core = wal::LogCore::open(fs, clock, "/wal", options);
  ASSERT_TRUE(core.is_ok()) << core.error().to_string();
  const std::string payload(bytes, 'x');
  for (int i = 0; i < entries; ++i) {
    ASSERT_TRUE((*core)->append(std::as_bytes(std::span(payload))).is_ok());
  }
  ASSERT_TRUE((*core)->close().is_ok());
  fs.crash(sim::CrashPlan::keep_all(fs.state()));  // everything written becomes durable
}

const sim::Bytes& durable(const sim::SimFs& fs, const std::string& path) {
  for (const auto& [name, inode] : sim::visible_files(fs.state())) {
    if (name == path) return fs.state().inodes.at(inode).file.durable;
  }
  ADD_FAILURE() << path << " not found";
  static const sim::Bytes none;
  return none;
}

TEST(MediaAim, TheLayoutOfARealSegmentIsItsRecords) {
  sim::SimFs fs;
  write_log(fs, 5, 100);  // records of 40 + 100 -> 144 bytes
  const std::vector<faults::AimedRange> ranges =
      faults::structure_of("00000000000000000001.wal", durable(fs, "wal/00000000000000000001.wal"));
  std::map<faults::AimedRange::Role, int> count;
  for (const faults::AimedRange& r : ranges) ++count[r.role];
  using Role = faults::AimedRange::Role;
  EXPECT_EQ(count[Role::kSegmentHeader], 1);
  EXPECT_EQ(count[Role::kRecordHeader], 5);
  EXPECT_EQ(count[Role::kRecordLsn], 5);
  EXPECT_EQ(count[Role::kRecordSeam], 4);
  EXPECT_EQ(count[Role::kLastRecord], 1);
  for (const faults::AimedRange& r : ranges) {
    if (r.role == Role::kRecordLsn) {
      EXPECT_EQ((r.offset - 64 - 8) % 144, 0u) << r.offset;
    }
    if (r.role == Role::kLastRecord) {
      EXPECT_EQ(r.offset, 64u + 4 * 144);
    }
  }
  // Not a segment: no structure; FRONT: the whole marker.
  const sim::Bytes junk(100, std::byte{1});
  EXPECT_TRUE(faults::structure_of("notes.txt", junk).empty());
  EXPECT_EQ(faults::structure_of("FRONT", junk).size(), 1u);
}

TEST(MediaAim, AimedFlipsLandOnStructureOnly) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    sim::SimFs fs;
    write_log(fs, 5, 300);  // mostly payload bytes: a uniform flip would rarely hit a header
    const std::string path = "wal/00000000000000000001.wal";
    const sim::Bytes before = durable(fs, path);
    const std::vector<faults::AimedRange> ranges = faults::structure_of("00000000000000000001.wal", before);
    sim::Prng prng(seed);
    ASSERT_TRUE(faults::inject_bit_flip(fs, prng, faults::MediaAim::kStructure));
    const sim::Bytes after = durable(fs, path);
    ASSERT_EQ(before.size(), after.size());
    std::uint64_t changed = before.size();
    for (std::uint64_t i = 0; i < before.size(); ++i) {
      if (before[i] != after[i]) changed = i;
    }
    ASSERT_LT(changed, before.size()) << "seed " << seed << ": nothing flipped";
    bool structural = false;
    for (const faults::AimedRange& r : ranges) {
      if (r.role == faults::AimedRange::Role::kLastRecord) continue;  // mostly payload
      structural = structural || (changed >= r.offset && changed < r.offset + r.length);
    }
    const bool in_last = changed >= 64 + 4 * 344;
    EXPECT_TRUE(structural || in_last) << "seed " << seed << ": flipped byte " << changed;
  }
}

TEST(MediaAim, UniformDamageDrawsWhatItAlwaysDrew) {
  // Same seed, same log: the default (uniform) and an explicit uniform flip the same bit.
  sim::SimFs a;
  sim::SimFs b;
  write_log(a, 5, 300);
  write_log(b, 5, 300);
  sim::Prng pa(42);
  sim::Prng pb(42);
  ASSERT_TRUE(faults::inject_bit_flip(a, pa));
  ASSERT_TRUE(faults::inject_bit_flip(b, pb, faults::MediaAim::kUniform));
  EXPECT_EQ(durable(a, "wal/00000000000000000001.wal"), durable(b, "wal/00000000000000000001.wal"));
  EXPECT_EQ(pa.next_u64(), pb.next_u64());
}

TEST(MediaAim, AimWordsParse) {
  EXPECT_EQ(faults::parse_media_aim("structure"), faults::MediaAim::kStructure);
  EXPECT_EQ(faults::parse_media_aim("mixed"), faults::MediaAim::kMixed);
  EXPECT_EQ(faults::parse_media_aim("uniform"), faults::MediaAim::kUniform);
  EXPECT_FALSE(faults::parse_media_aim("everywhere").has_value());
}

}  // namespace
